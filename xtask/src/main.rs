//! Build orchestration: `cargo xtask dev` starts the main job, `cargo xtask test` runs every
//! test. Both install what they need (rustup targets, pinned tools) and skip what is there.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{SystemTime, UNIX_EPOCH};

mod elf;

type Result<T = ()> = core::result::Result<T, String>;

const USAGE: &str = "usage: cargo xtask <dev|test>
  dev    run a signed Trigger.dev sample through the core and print the result
  test   every check and test: format, lints, tests, no_std builds and sizes";

/// Cross-compilation targets the tests build for.
const TARGETS: [&str; 2] = ["wasm32-unknown-unknown", "thumbv7em-none-eabihf"];

fn main() -> ExitCode {
    let arg = std::env::args().nth(1);
    let result = match arg.as_deref() {
        Some("dev") => dev(),
        Some("test") => test(),
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

/// Runs a command from the repository root, echoing it; fails if it fails.
fn run(command: &mut Command) -> Result {
    eprintln!("+ {command:?}");
    let status = command.current_dir(root()).status().map_err(|e| format!("{command:?}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{command:?} failed: {status}")) }
}

/// Test counts summed over every runner, for one closing line.
#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
}

impl Tally {
    /// Runs a test command, passing its output through and adding up the counts in its
    /// summary lines (cargo's `test result: ok. N passed; M failed`).
    fn run(&mut self, command: &mut Command) -> Result {
        use std::io::{BufRead, BufReader};
        eprintln!("+ {command:?}");
        let mut child = command
            .current_dir(root())
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

    fn count(&mut self, line: &str) {
        let Some(rest) = line.strip_prefix("test result: ") else { return };
        let number_before = |word: &str| {
            rest.split(';')
                .find_map(|part| part.trim().strip_suffix(word)?.trim().rsplit(' ').next()?.parse().ok())
        };
        self.passed += number_before(" passed").unwrap_or(0);
        self.failed += number_before(" failed").unwrap_or(0);
    }
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    // Warnings are errors here, never in the source.
    command.env("RUSTFLAGS", "-D warnings").env("RUSTDOCFLAGS", "-D warnings");
    command
}

/// Adds the rustup targets that are missing.
fn ensure_targets() -> Result {
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

fn test() -> Result {
    ensure_targets()?;
    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args(["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"]))?;
    let mut tally = Tally::default();
    tally.run(cargo().args(["test", "--workspace", "--locked"]))?;
    // The core has no allocator and no std: it must build for a microcontroller and for wasm,
    // and the firmware image that verifies and parses an event must link with no heap.
    run(cargo().args([
        "build",
        "--locked",
        "-p",
        "hookguard",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
    ]))?;
    run(cargo().args([
        "build",
        "--locked",
        "-p",
        "hookguard-embedded",
        "--release",
        "--target",
        "thumbv7em-none-eabihf",
    ]))?;
    let firmware = root().join("target/thumbv7em-none-eabihf/release/hookguard-embedded");
    let flash = elf::flash_size(&firmware)?;
    println!(
        "no_std firmware (verify + parse a Trigger.dev event, thumbv7em-none-eabihf): {flash} bytes of flash"
    );
    println!("{} passed, {} failed", tally.passed, tally.failed);
    Ok(())
}

fn dev() -> Result {
    use hookguard::{Scheme, Verifier};
    let body = include_bytes!("../../core/samples/trigger/alert.run.failed.json");
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_err(|e| e.to_string())?.as_secs();
    let secret = "dev-secret";
    let verifier = Verifier::new(Scheme::Trigger, &[secret]).map_err(|e| e.to_string())?;
    let headers = verifier.sign(body, None, now).map_err(|e| e.to_string())?;
    for (name, value) in headers.iter() {
        println!("{name}: {value}");
    }
    let verified = verifier.verify(&headers, body, now).map_err(|e| e.to_string())?;
    let mut scratch = [0u8; 1024];
    let event = verified.parse(&mut scratch).map_err(|e| e.to_string())?;
    println!("{event:#?}");
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
        assert_eq!((tally.passed, tally.failed), (15, 1));
    }
}
