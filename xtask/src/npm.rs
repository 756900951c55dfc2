//! The npm package: wasm-bindgen output, wasm-opt, the hand-written JavaScript, packed.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, cargo_wasm, root, run, tools};

/// Where the package is assembled (what `npm pack` packs).
pub fn pkg_dir() -> PathBuf {
    root().join("wasm-pkg/pkg")
}

/// The packed tarball.
pub fn tarball() -> PathBuf {
    root().join("target/npm/hookguard-0.1.0.tgz")
}

/// wasm-opt flags: size first, with the features rustc's wasm32 target emits by default and
/// SIMD ([`crate::WASM_RUSTFLAGS`]).
const WASM_OPT: [&str; 8] = [
    "-Oz",
    "--enable-simd",
    "--enable-mutable-globals",
    "--enable-sign-ext",
    "--enable-nontrapping-float-to-int",
    "--enable-bulk-memory",
    "--enable-multivalue",
    "--enable-reference-types",
];

/// The glue's check for a compiled module fails across realms (Next.js's edge sandbox hands
/// over a Module from another realm); accept any object that says it is one.
const REALM_CHECK: (&str, &str) = (
    "module instanceof WebAssembly.Module",
    "(module instanceof WebAssembly.Module || Object.prototype.toString.call(module) === \"[object WebAssembly.Module]\")",
);

fn copy(from: &Path, to: &Path) -> Result {
    std::fs::copy(from, to).map(|_| ()).map_err(|e| format!("{} -> {}: {e}", from.display(), to.display()))
}

/// Builds the wasm with `features` and puts wasm-bindgen's output into `out`, emptied first.
fn bindgen_into(features: &[&str], out: &Path) -> Result {
    let bindgen = tools::wasm_bindgen()?;
    run(cargo_wasm()
        .args([
            "build",
            "--locked",
            "--release",
            "-p",
            "hookguard-wasm",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .args(features.iter().flat_map(|f| ["--features", f])))?;
    if out.exists() {
        std::fs::remove_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    let wasm = root().join("target/wasm32-unknown-unknown/release/hookguard_wasm.wasm");
    run(Command::new(&bindgen)
        .args(["--target", "web", "--out-name", "hookguard_wasm", "--no-typescript", "--out-dir"])
        .arg(out)
        .arg(&wasm))
}

/// The test build, which counts heap allocations in wasm (`allocations()`), assembled with the
/// Node entry into `wasm-pkg/pkg-alloc` for `test/alloc.test.mjs`: never packed.
pub fn build_counting() -> Result {
    let out = root().join("wasm-pkg/pkg-alloc");
    bindgen_into(&["count-allocations"], &out)?;
    let js = root().join("wasm-pkg/js");
    for file in ["api.js", "handler.js", "live.js", "node.mjs"] {
        copy(&js.join(file), &out.join(file))?;
    }
    Ok(())
}

/// Builds the package into `wasm-pkg/pkg` and packs it into `target/npm`.
pub fn build() -> Result<PathBuf> {
    let env = tools::worker_env()?;
    let pkg = pkg_dir();
    bindgen_into(&[], &pkg)?;
    let bg = pkg.join("hookguard_wasm_bg.wasm");
    run(Command::new(root().join("node_modules/binaryen/bin/wasm-opt"))
        .args(WASM_OPT)
        .arg(&bg)
        .arg("-o")
        .arg(&bg)
        .envs(env.clone()))?;

    let glue_path = pkg.join("hookguard_wasm.js");
    let glue = std::fs::read_to_string(&glue_path).map_err(|e| format!("{}: {e}", glue_path.display()))?;
    if !glue.contains(REALM_CHECK.0) {
        return Err(format!(
            "{}: wasm-bindgen's module check changed; update REALM_CHECK",
            glue_path.display()
        ));
    }
    std::fs::write(&glue_path, glue.replace(REALM_CHECK.0, REALM_CHECK.1)).map_err(|e| e.to_string())?;

    let js = root().join("wasm-pkg/js");
    for file in [
        "api.js",
        "handler.js",
        "live.js",
        "node.mjs",
        "node.cjs",
        "cjs-entry.mjs",
        "workerd.mjs",
        "edge-light.mjs",
        "browser.mjs",
        "index.d.ts",
        "live.d.ts",
        "package.json",
    ] {
        copy(&js.join(file), &pkg.join(file))?;
    }
    copy(&root().join("wasm-pkg/README.md"), &pkg.join("README.md"))?;
    for (dir, from) in [("bin", js.join("bin")), ("samples", root().join("core/samples/trigger"))] {
        std::fs::create_dir_all(pkg.join(dir)).map_err(|e| e.to_string())?;
        for entry in std::fs::read_dir(&from).map_err(|e| format!("{}: {e}", from.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if let Some(name) = path.file_name() {
                copy(&path, &pkg.join(dir).join(name))?;
            }
        }
    }
    // The CommonJS build: the same modules bundled into one file.
    let cjs_entry = pkg.join("cjs-entry.mjs");
    run(Command::new(tools::esbuild())
        .arg(&cjs_entry)
        .args(["--bundle", "--format=cjs", "--platform=neutral", "--log-level=warning"])
        // The glue's default wasm URL uses import.meta, unused here: node.cjs passes the module.
        .args(["--log-override:empty-import-meta=silent"])
        .arg(format!("--outfile={}", pkg.join("hookguard.cjs").display())))?;
    std::fs::remove_file(&cjs_entry).map_err(|e| e.to_string())?;

    let out = tarball();
    let out_dir = out.parent().map(Path::to_path_buf).unwrap_or_default();
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    run(Command::new("npm")
        .args(["pack", "--silent", "--pack-destination"])
        .arg(&out_dir)
        .current_dir(&pkg))?;
    Ok(out)
}

/// Unpacks the tarball into `dir/node_modules/hookguard`, as `npm install` of it would.
pub fn install_into(dir: &Path) -> Result {
    let target = dir.join("node_modules/hookguard");
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
    run(Command::new("tar").arg("-xzf").arg(tarball()).args(["--strip-components=1", "-C"]).arg(&target))
}
