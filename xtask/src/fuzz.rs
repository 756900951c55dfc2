//! cargo-fuzz: every target for a given time, on the nightly toolchain (or on stable with
//! `RUSTC_BOOTSTRAP=1` where nightly cannot be installed).

use crate::{Result, root, tools};

/// The fuzz targets, in `fuzz/fuzz_targets/`.
pub const TARGETS: [&str; 8] = [
    "header_hex",
    "header_base64",
    "header_standard",
    "header_stripe",
    "event",
    "verify_any",
    "roundtrip",
    "differential",
];

/// One target's run: executions and the coverage libFuzzer reports at the end.
#[derive(Debug)]
pub struct Run {
    pub executions: u64,
    pub coverage: u64,
    pub corpus: u64,
}

/// Runs every target for `seconds`, from the committed seeds in `fuzz/corpus/`. New inputs go
/// to a working corpus under `target/fuzz-corpus/`, never into the tree: kept between runs
/// (`cargo xtask fuzz`), or started afresh (`fresh`, for the tests).
pub fn run_all(seconds: u64, fresh: bool) -> Result<Vec<Run>> {
    tools::ensure_cargo_fuzz()?;
    // libfuzzer-sys compiles libFuzzer, which is C++.
    tools::ensure_apt(&[("c++", "g++")])?;
    let fuzz_dir = root().join("fuzz");
    let target_dir = root().join("target/fuzz");
    let cargo = tools::FuzzCargo::new();
    let build = cargo
        .command()
        .args(["fuzz", "build", "--target-dir"])
        .arg(&target_dir)
        .current_dir(&fuzz_dir)
        .status()
        .map_err(|e| format!("cargo fuzz build: {e}"))?;
    if !build.success() {
        return Err("cargo fuzz build failed".into());
    }
    let mut runs = Vec::new();
    for target in TARGETS {
        let seeds = fuzz_dir.join("corpus").join(target);
        let corpus = root().join("target/fuzz-corpus").join(target);
        if fresh {
            let _ = std::fs::remove_dir_all(&corpus);
        }
        std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        eprintln!("+ fuzz {target} for {seconds} s");
        let mut command = cargo.command();
        command.args(["fuzz", "run", "--target-dir"]).arg(&target_dir).arg(target).arg(&corpus);
        if corpus != seeds {
            command.arg(&seeds);
        }
        let output = command
            .args(["--", &format!("-max_total_time={seconds}"), "-print_final_stats=1", "-rss_limit_mb=4096"])
            .current_dir(&fuzz_dir)
            .output()
            .map_err(|e| format!("cargo fuzz run {target}: {e}"))?;
        let log = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(format!(
                "fuzz target {target} failed; the crashing input is under fuzz/artifacts/{target}/\n{}",
                tail.join("\n")
            ));
        }
        let run = Run {
            executions: stat(&log, "stat::number_of_executed_units:"),
            coverage: last_number_after(&log, " cov: "),
            corpus: last_number_after(&log, " corp: "),
        };
        println!(
            "fuzz {target}: {} executions in {seconds} s, coverage {} edges, corpus {}",
            run.executions, run.coverage, run.corpus
        );
        runs.push(run);
    }
    Ok(runs)
}

fn stat(log: &str, key: &str) -> u64 {
    log.lines().find_map(|l| l.trim().strip_prefix(key)?.trim().parse().ok()).unwrap_or(0)
}

fn last_number_after(log: &str, marker: &str) -> u64 {
    log.lines()
        .rev()
        .find_map(|l| {
            let rest = l.split(marker).nth(1)?;
            rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
        })
        .unwrap_or(0)
}

/// `cargo xtask fuzz [SECONDS]`: every target, growing the working corpus.
pub fn command(args: &[String]) -> Result {
    let seconds = match args.first() {
        Some(s) => s.parse().map_err(|_| format!("not a number of seconds: {s}"))?,
        None => 60,
    };
    run_all(seconds, false).map(|_| ())
}
