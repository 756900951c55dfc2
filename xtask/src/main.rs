//! Build orchestration: `cargo xtask dev` starts the main job, `cargo xtask test` runs every
//! test. Both install what they need (rustup targets, pinned tools) and skip what is there.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod bench;
mod elf;
mod fuzz;
mod npm;
mod origin;
mod providers;
mod tools;
mod worker;

type Result<T = ()> = core::result::Result<T, String>;

const USAGE: &str = "usage: cargo xtask <command>
  dev            start the edge worker on 127.0.0.1:8787 with local KV, Durable Objects and
                 alarms, and a development origin on 127.0.0.1:8788 (the main job)
  test           every check and test: format, lints, Rust tests, the timing test of the
                 tag comparison, no_std builds and sizes, the worker inside workerd and its
                 dashboard in headless Chromium, the npm package in every runtime, the
                 benchmarks on a tiny budget, the fuzz targets
  build-worker   build the edge worker (wrangler runs this)
  test-npm       only the npm package's tests (a part of `test`)
  build-npm      build the npm package into wasm-pkg/pkg and pack it into target/npm
  bench          every benchmark in one run; writes benches/RESULTS.md and the README's
                 Performance section (`--quick`: a tiny budget, the report under target/)
  fuzz [SECONDS] run every fuzz target for SECONDS (default 60) from fuzz/corpus
  send           sign a Trigger.dev sample (or a file) and post it to the local worker;
                 `cargo xtask send --help` for options
  providers      write README.md's table of providers from the core's";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("dev") => worker::dev(),
        Some("test") => test(),
        Some("test-npm") => {
            let mut tally = Tally::default();
            npm_tests(&mut tally).map(|()| tally.summary())
        }
        Some("build-worker") => worker::build(),
        Some("bench") => bench::run_all(args.get(1).is_some_and(|a| a == "--quick")).map(|_| ()),
        Some("fuzz") => fuzz::command(args.get(1..).unwrap_or_default()),
        Some("build-npm") => npm::build().map(|tarball| println!("{}", tarball.display())),
        Some("send") => worker::send(args.get(1..).unwrap_or_default()),
        Some("providers") => providers::write(),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Runs a command (from the repository root unless it names a folder), echoing it; fails if
/// it fails.
fn run(command: &mut Command) -> Result {
    let status = from_root(command).status().map_err(|e| format!("{command:?}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{command:?} failed: {status}")) }
}

/// Test counts summed over every runner, for one closing line.
#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    /// What could not run on this machine, said again in the last line.
    skipped: Vec<String>,
}

impl Tally {
    /// Runs a test command, passing its output through and adding up the counts in its
    /// summary lines (cargo's `test result: ok. N passed; M failed`).
    fn run(&mut self, command: &mut Command) -> Result {
        use std::io::{BufRead, BufReader};
        let mut child = from_root(command)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("{command:?}: {e}"))?;
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines().map_while(core::result::Result::ok) {
                println!("{line}");
                self.count(&line);
            }
        }
        let status = child.wait().map_err(|e| format!("{command:?}: {e}"))?;
        if status.success() { Ok(()) } else { Err(format!("{command:?} failed: {status}")) }
    }

    /// The last line: the counts, and anything skipped.
    fn summary(&self) {
        match self.skipped.as_slice() {
            [] => println!("{} passed, {} failed", self.passed, self.failed),
            skipped => {
                println!("{} passed, {} failed, SKIPPED: {}", self.passed, self.failed, skipped.join("; "))
            }
        }
    }

    fn count(&mut self, line: &str) {
        // node --test's spec reporter: `ℹ pass N`, `ℹ fail N`.
        if let Some(n) = line.strip_prefix("ℹ pass ").and_then(|n| n.trim().parse::<u64>().ok()) {
            self.passed += n;
        }
        if let Some(n) = line.strip_prefix("ℹ fail ").and_then(|n| n.trim().parse::<u64>().ok()) {
            self.failed += n;
        }
        let Some(rest) = line.strip_prefix("test result: ") else { return };
        let number_before = |word: &str| {
            rest.split(';')
                .find_map(|part| part.trim().strip_suffix(word)?.trim().rsplit(' ').next()?.parse().ok())
        };
        self.passed += number_before(" passed").unwrap_or(0);
        self.failed += number_before(" failed").unwrap_or(0);
    }
}

/// A file's size raw and gzipped (by the system's gzip -9, as a CDN would serve it).
pub(crate) fn sizes(path: &Path) -> Result<(u64, u64)> {
    let raw = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?.len();
    let output =
        Command::new("gzip").args(["-9", "-c"]).arg(path).output().map_err(|e| format!("gzip: {e}"))?;
    Ok((raw, output.stdout.len() as u64))
}

fn from_root(command: &mut Command) -> &mut Command {
    if command.get_current_dir().is_none() {
        command.current_dir(root());
    }
    let args: Vec<_> = command.get_args().map(|a| a.to_string_lossy()).collect();
    let dir = command.get_current_dir().map(|d| d.strip_prefix(root()).unwrap_or(d).display().to_string());
    eprintln!(
        "+ [{}] {} {}",
        dir.unwrap_or_default(),
        command.get_program().to_string_lossy(),
        args.join(" ")
    );
    command
}

pub(crate) fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    // Warnings are errors here, never in the source.
    command.env("RUSTFLAGS", "-D warnings").env("RUSTDOCFLAGS", "-D warnings");
    command
}

/// `RUSTFLAGS` for the WebAssembly the project ships and measures (the npm package, the
/// Worker, the wasm scan benchmark, the core's wasm build): with SIMD, which every runtime the
/// README names runs. The same flags for each, so that they share one build of the core.
pub(crate) const WASM_RUSTFLAGS: &str = "-D warnings -C target-feature=+simd128";

/// [`cargo`] for those WebAssembly builds.
pub(crate) fn cargo_wasm() -> Command {
    let mut command = cargo();
    command.env("RUSTFLAGS", WASM_RUSTFLAGS);
    command
}

fn test() -> Result {
    tools::ensure_targets()?;
    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args(["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"]))?;
    let mut tally = Tally::default();
    // The README's providers table is the core's.
    providers::check()?;
    tally.passed += 1;
    tally.run(cargo().args(["test", "--workspace", "--locked"]))?;
    // The tag comparison in constant time: dudect's t-test on `verify` and `ct_eq`, beside a
    // leaky comparison the same harness must flag (timing/). Optimised as it ships; one test.
    run(cargo().args(["run", "--locked", "--release", "-p", "hookguard-timing"]))?;
    tally.passed += 1;
    // The stated MSRV (`rust-version`), built once, where its toolchain can be installed.
    match tools::msrv_toolchain()? {
        Some(msrv) => run(Command::new("cargo")
            .arg(format!("+{msrv}"))
            .args(["build", "--locked", "-p", "hookguard"])
            .env("RUSTFLAGS", "-D warnings"))?,
        None => tally.skipped.push("the MSRV build (its toolchain cannot be installed here)".into()),
    }
    // The core has no allocator and no std: it must build for a microcontroller and for wasm,
    // and the firmware image that verifies and parses an event must link with no heap.
    run(cargo_wasm().args([
        "build",
        "--locked",
        "-p",
        "hookguard",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    for ((_, what), flash) in elf::FIRMWARE.iter().zip(elf::firmware_flash()?) {
        println!("no_std firmware ({what}, thumbv7em-none-eabihf): {flash} bytes of flash");
    }

    // The worker inside workerd, with a real local KV, rate limiter, SQLite Durable Objects
    // and alarms (Miniflare 4, Node 22); then its dashboard in Debian's headless Chromium.
    worker::build()?;
    let env = tools::worker_env()?;
    tools::ensure_apt(&[("chromium", "chromium")])?;
    for file in ["worker.test.mjs", "dashboard.browser.test.mjs"] {
        let test = root().join("edge-worker/test").join(file);
        tally
            .run(Command::new("node").args(["--test", "--test-reporter=spec"]).arg(test).envs(env.clone()))?;
    }
    let wasm = root().join("edge-worker/build/index_bg.wasm");
    let (raw, gzipped) = sizes(&wasm)?;
    println!("edge worker .wasm: {raw} bytes raw, {gzipped} bytes gzipped");

    npm_tests(&mut tally)?;

    // The benchmark harness end to end on a tiny budget: it builds and runs, numbers aside.
    let report = bench::run_all(true)?;
    let text = std::fs::read_to_string(&report).map_err(|e| e.to_string())?;
    for section in
        ["## Targets", "## Core", "## Heap allocations", "## npm package", "## Worker under load", "## Sizes"]
    {
        if !text.contains(section) {
            return Err(format!("{}: no {section} section", report.display()));
        }
    }
    tally.passed += 1;

    // Every fuzz target briefly; a crash fails the run (`cargo xtask fuzz` runs them longer).
    let runs = fuzz::run_all(15, true)?;
    tally.passed += runs.len() as u64;

    tally.summary();
    Ok(())
}

/// The npm package, packed, unpacked where the tests import it, as a user's install would:
/// every test under wasm-pkg/test, on Node 20 and 22, with the MACs by node:crypto and by the
/// wasm; the Next.js example; workerd, Deno, Bun and headless Chromium.
fn npm_tests(tally: &mut Tally) -> Result {
    let tarball = npm::build()?;
    npm::build_counting()?;
    // Services and browsers the tests start, from Debian's packages.
    tools::ensure_apt(&[("redis-server", "redis-server"), ("chromium", "chromium")])?;
    let tests = root().join("wasm-pkg/test");
    npm::install_into(&tests)?;
    let example = root().join("wasm-pkg/examples/nextjs");
    tools::ensure_npm(&example)?;
    npm::install_into(&example)?;
    run(Command::new("node")
        .args(["node_modules/next/dist/bin/next", "build"])
        .current_dir(&example)
        .env("NEXT_TELEMETRY_DISABLED", "1"))?;
    let node_test = |node: PathBuf, files: &[&str]| {
        let mut command = Command::new(node);
        command.args(["--test", "--test-reporter=spec"]).args(files.iter().map(|f| tests.join(f)));
        command
    };
    let everywhere =
        ["package.test.mjs", "package.test.cjs", "handler.test.mjs", "redis.test.mjs", "nextjs.test.mjs"];
    // Node 20 (the machine's) and Node 22 (from npm); workerd needs 22.
    for node in [PathBuf::from("node"), tools::node22()] {
        tally.run(&mut node_test(node, &everywhere))?;
    }
    // The same conformance with every MAC by the wasm's own HMAC, as edge runtimes and browsers
    // run it, and with every MAC by node:crypto (by default, small bodies use the wasm's).
    let one_path = ["package.test.mjs", "package.test.cjs", "handler.test.mjs", "alloc.test.mjs"];
    for mac in ["wasm", "native"] {
        tally.run(node_test(PathBuf::from("node"), &one_path).env("HOOKGUARD_MAC", mac))?;
    }
    tally.run(&mut node_test(PathBuf::from("node"), &["alloc.test.mjs"]))?;
    tally.run(&mut node_test(tools::node22(), &["workerd.test.mjs"]))?;
    tally.run(&mut node_test(
        PathBuf::from("node"),
        &["types.test.mjs", "runtimes.test.mjs", "live.test.mjs"],
    ))?;
    // The example's live page in headless Chromium against the worker (Miniflare: Node 22).
    if !root().join("edge-worker/build/index.js").exists() {
        worker::build()?;
    }
    tally.run(node_test(tools::node22(), &["live.browser.test.mjs"]).envs(tools::worker_env()?))?;
    let (raw, gzipped) = sizes(&npm::pkg_dir().join("hookguard_wasm_bg.wasm"))?;
    println!("npm package .wasm: {raw} bytes raw, {gzipped} bytes gzipped");
    let packed = std::fs::metadata(&tarball).map_err(|e| e.to_string())?.len();
    println!("npm package tarball: {packed} bytes ({})", tarball.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Tally;

    #[test]
    fn counts_cargo_summary_lines() {
        let mut tally = Tally::default();
        tally.count("test result: ok. 13 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out");
        tally.count("test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out");
        tally.count("running 3 tests");
        tally.count("ℹ pass 29");
        tally.count("ℹ fail 2");
        tally.count("ℹ tests 31");
        assert_eq!((tally.passed, tally.failed), (44, 3));
    }
}
