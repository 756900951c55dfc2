//! `cargo xtask bench`: every benchmark in one run, written up as `benches/RESULTS.md`.
//! The test command runs the same harness on a tiny budget and writes under target/.

use core::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::{Result, cargo, cargo_wasm, elf, npm, root, run, sizes, tools, worker};

const SIZES: [u64; 5] = [256, 1024, 16 * 1024, 256 * 1024, 1024 * 1024];

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn output(command: &mut Command) -> Result<String> {
    let out = command.output().map_err(|e| format!("{command:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{command:?} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Criterion's median and median absolute deviation, in nanoseconds.
fn criterion(group: &str, function: &str, size: u64) -> Result<(f64, f64)> {
    let path = root().join(format!("target/criterion/{group}/{function}/{size}/new/estimates.json"));
    let estimates = read_json(&path)?;
    let point = |key: &str| estimates[key]["point_estimate"].as_f64().unwrap_or(f64::NAN);
    Ok((point("median"), point("median_abs_dev")))
}

/// The bytes criterion measured a benchmark over (its `Throughput::Bytes`).
fn throughput_bytes(group: &str, function: &str, size: u64) -> Result<u64> {
    let path = root().join(format!("target/criterion/{group}/{function}/{size}/new/benchmark.json"));
    let benchmark = read_json(&path)?;
    benchmark["throughput"]["Bytes"]
        .as_u64()
        .ok_or_else(|| format!("{}: no Bytes throughput", path.display()))
}

fn time(ns: f64) -> String {
    match ns {
        n if n >= 1e6 => format!("{:.2} ms", n / 1e6),
        n if n >= 1e3 => format!("{:.2} µs", n / 1e3),
        n => format!("{n:.0} ns"),
    }
}

fn throughput(ns: f64, bytes: u64) -> String {
    format!("{:.0} MiB/s", bytes as f64 / (ns / 1e9) / (1024.0 * 1024.0))
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("model name")?.split(':').nth(1).map(|s| s.trim().to_string()))
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = output(Command::new("rustc").arg("--version")).unwrap_or_default();
    format!("{cpu}, {cores} cores; {}", rustc.trim())
}

/// Runs everything; `quick` for a tiny budget (the tests), writing to `target/` instead.
pub fn run_all(quick: bool) -> Result<PathBuf> {
    let budget: &[&str] = if quick {
        &["--warm-up-time", "0.01", "--measurement-time", "0.02", "--sample-size", "10"]
    } else {
        &["--warm-up-time", "1", "--measurement-time", "3"]
    };
    run(cargo()
        .args(["bench", "--locked", "-p", "hookguard-benches", "--bench", "core", "--", "--noplot"])
        .args(budget))?;
    // The 1 KiB targets' ratios again, in alternating rounds beside ring (criterion's groups
    // run minutes apart).
    let mut alternating = cargo();
    alternating.args([
        "run",
        "--quiet",
        "--locked",
        "--profile",
        "bench",
        "-p",
        "hookguard-benches",
        "--bin",
        "ratios",
    ]);
    if quick {
        alternating.args(["--", "--quick"]);
    }
    let alternating: Value =
        serde_json::from_str(&output(&mut alternating)?).map_err(|e| format!("ratios: {e}"))?;
    let allocations: Value = serde_json::from_str(&output(cargo().args([
        "run",
        "--quiet",
        "--locked",
        "--release",
        "-p",
        "hookguard-benches",
        "--bin",
        "alloc",
    ]))?)
    .map_err(|e| format!("allocation report: {e}"))?;

    // The same bodies for Node.
    let inputs = root().join("target/bench-inputs");
    run(cargo()
        .args(["run", "--quiet", "--locked", "--release", "-p", "hookguard-benches", "--bin", "inputs"])
        .arg(&inputs))?;
    let tarball = npm::build()?;
    let unpacked = root().join("target/bench-npm");
    npm::install_into(&unpacked)?;
    let entry = unpacked.join("node_modules/hookguard/node.mjs");
    let mut node = Command::new("node");
    node.arg(root().join("benches/npm.mjs")).arg(&inputs).arg(&entry);
    if quick {
        node.arg("--quick");
    }
    let node_results: Value =
        serde_json::from_str(&output(&mut node)?).map_err(|e| format!("npm benchmark: {e}"))?;

    // The JSON scan as WebAssembly in Node (WASI), on the same bodies.
    tools::ensure_targets()?;
    run(cargo_wasm().args([
        "build",
        "--locked",
        "--release",
        "--target",
        "wasm32-wasip1",
        "-p",
        "hookguard-wasm-scan",
    ]))?;
    let mut wasm_scan = Command::new("node");
    wasm_scan
        .arg(root().join("benches/wasm-scan.mjs"))
        .arg(root().join("target/wasm32-wasip1/release/hookguard-wasm-scan.wasm"))
        .arg(&inputs);
    if quick {
        wasm_scan.arg("--quick");
    }
    let wasm_scan: Value =
        serde_json::from_str(&output(&mut wasm_scan)?).map_err(|e| format!("wasm scan benchmark: {e}"))?;

    worker::build()?;
    let env = tools::worker_env()?;
    let mut load = Command::new(tools::node22());
    load.arg(root().join("benches/worker-load.mjs")).arg(&inputs).envs(env);
    if quick {
        load.arg("--quick");
    }
    let load_results: Value =
        serde_json::from_str(&output(&mut load)?).map_err(|e| format!("worker load: {e}"))?;

    let flash = elf::firmware_flash()?;
    let worker_wasm = sizes(&root().join("edge-worker/build/index_bg.wasm"))?;
    let npm_wasm = sizes(&npm::pkg_dir().join("hookguard_wasm_bg.wasm"))?;
    let tarball_size = std::fs::metadata(&tarball).map_err(|e| e.to_string())?.len();

    let report = write_report(
        &allocations,
        &alternating,
        &node_results,
        &load_results,
        &wasm_scan,
        &flash,
        worker_wasm,
        npm_wasm,
        tarball_size,
        quick,
    )?;
    let path = if quick {
        root().join("target/bench-results/RESULTS.md")
    } else {
        root().join("benches/RESULTS.md")
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    std::fs::write(&path, &report).map_err(|e| format!("{}: {e}", path.display()))?;
    if !quick {
        update_readme(&report)?;
    }
    println!("benchmark report: {}", path.display());
    Ok(path)
}

struct Target {
    what: &'static str,
    goal: &'static str,
    measured: String,
    met: bool,
}

#[allow(clippy::too_many_arguments)] // one report, one call
fn write_report(
    allocations: &Value,
    alternating: &Value,
    node: &Value,
    load: &Value,
    wasm_scan: &Value,
    flash: &[u64],
    worker_wasm: (u64, u64),
    npm_wasm: (u64, u64),
    tarball: u64,
    quick: bool,
) -> Result<String> {
    let mut md = String::new();
    let mut targets = Vec::new();
    let _ = writeln!(md, "# hookguard benchmark results\n");
    let _ = writeln!(
        md,
        "Written by `cargo xtask bench`{} on {}; Node {}. Medians of one run, spread = median absolute deviation; ratios are between numbers of this run.\n",
        if quick { " (quick budget: numbers are not meaningful)" } else { "" },
        machine(),
        node["node"].as_str().unwrap_or("?")
    );

    // Core.
    let _ = writeln!(md, "## Core (criterion)\n");
    let _ =
        writeln!(md, "| benchmark | 256 B | 1 KiB | 16 KiB | 256 KiB | 1 MiB |\n|---|---|---|---|---|---|");
    let mut ring = Vec::new();
    for size in SIZES {
        ring.push(criterion("ring_hmac", "sign", size)?.0);
    }
    let mut row = |name: String, group: &str, function: &str| -> Result<Vec<f64>> {
        let mut cells = Vec::new();
        let mut medians = Vec::new();
        for (i, size) in SIZES.into_iter().enumerate() {
            let (median, mad) = criterion(group, function, size)?;
            medians.push(median);
            let ratio = median / ring.get(i).copied().unwrap_or(f64::NAN);
            cells.push(format!("{} ±{} ({:.2}x ring)", time(median), time(mad), ratio));
        }
        let _ = writeln!(md, "| {name} | {} |", cells.join(" | "));
        Ok(medians)
    };
    let ring_row = row("ring HMAC-SHA256 (the floor)".into(), "ring_hmac", "sign")?;
    // The schemes the benches measured (one per way of signing, from the core's table): those
    // the allocation report, from the same list, has a row for.
    let measured: Vec<&str> = allocations
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["library"] == "hookguard")
        .filter_map(|r| r["scheme"].as_str())
        .collect();
    let mut trigger = Vec::new();
    for scheme in measured {
        let medians = row(format!("hookguard verify, {scheme}"), "verify", scheme)?;
        if scheme == "trigger" {
            trigger = medians;
        }
    }
    let parse = row("hookguard verify + parse, trigger".into(), "verify_parse", "trigger")?;
    let _ = row("standardwebhooks crate verify".into(), "standardwebhooks_crate", "verify")?;
    let _ = writeln!(
        md,
        "\nThroughput at 1 MiB: hookguard trigger verify {}, ring {}.\n",
        throughput(trigger.get(4).copied().unwrap_or(f64::NAN), 1 << 20),
        throughput(ring_row.get(4).copied().unwrap_or(f64::NAN), 1 << 20)
    );
    let ratio = |a: &[f64], i: usize| {
        a.get(i).copied().unwrap_or(f64::NAN) / ring_row.get(i).copied().unwrap_or(f64::NAN)
    };
    let _ = writeln!(
        md,
        "The 1 KiB targets are measured again in alternation, since criterion's groups run minutes apart and \
         whatever the machine does in between shows in their ratio: {} rounds of about 20 ms of each, taking turns; the median of the \
         rounds' ratios.\n\n| 1 KiB Trigger.dev event | hookguard | ring | ratio |\n|---|---|---|---|",
        alternating["verify"]["rounds"]
    );
    let mut alternated = |name: &str, key: &str| {
        let side = &alternating[key];
        let _ = writeln!(
            md,
            "| {name} | {} | {} | {:.2}x |",
            time(side["ours_ns"].as_f64().unwrap_or(f64::NAN)),
            time(side["ring_ns"].as_f64().unwrap_or(f64::NAN)),
            side["ratio"].as_f64().unwrap_or(f64::NAN)
        );
        side["ratio"].as_f64().unwrap_or(f64::NAN)
    };
    let verify_ratio = alternated("verify", "verify");
    let parse_ratio = alternated("verify + parse", "verify_parse");
    let _ = writeln!(md);
    targets.push(Target {
        what: "core Trigger.dev verify, 1 KiB",
        goal: "≤ 1.2x ring",
        measured: format!("{verify_ratio:.2}x (criterion, groups apart: {:.2}x)", ratio(&trigger, 1)),
        met: verify_ratio <= 1.2,
    });
    let worst = (2..5).map(|i| 1.0 / ratio(&trigger, i)).fold(f64::INFINITY, f64::min);
    targets.push(Target {
        what: "core verify, 16 KiB and up",
        goal: "≥ 0.9x ring's throughput",
        measured: format!("{worst:.2}x (worst size)"),
        met: worst >= 0.9,
    });
    targets.push(Target {
        what: "core verify + parse, 1 KiB Trigger.dev event",
        goal: "≤ 2.0x ring",
        measured: format!("{parse_ratio:.2}x (criterion, groups apart: {:.2}x)", ratio(&parse, 1)),
        met: parse_ratio <= 2.0,
    });

    // The JSON reader alone.
    let _ = writeln!(md, "## JSON scan (`parse` of a verified body)\n");
    let _ = writeln!(md, "| body | 256 B | 1 KiB | 16 KiB | 256 KiB | 1 MiB |\n|---|---|---|---|---|---|");
    let mut string_heavy = f64::INFINITY;
    for (function, name) in [
        ("strings", "string-heavy (the event, its stack trace padded)"),
        ("structure", "structure-heavy (small objects)"),
    ] {
        let mut cells = Vec::new();
        for size in SIZES {
            let (median, mad) = criterion("scan", function, size)?;
            let bytes = throughput_bytes("scan", function, size)?;
            let gbps = bytes as f64 / median;
            if function == "strings" && size >= 16 * 1024 {
                string_heavy = string_heavy.min(gbps);
            }
            cells.push(format!("{gbps:.2} GB/s ({} ±{})", time(median), time(mad)));
        }
        let _ = writeln!(md, "| {name} | {} |", cells.join(" | "));
    }
    let cells: Vec<String> = SIZES
        .iter()
        .map(|&size| {
            let row = wasm_scan.as_array().into_iter().flatten().find(|r| r["size"].as_u64() == Some(size));
            row.and_then(|r| r["median_ns"].as_f64())
                .map_or("n/a".into(), |ns| format!("{:.2} GB/s ({})", size as f64 / ns, time(ns)))
        })
        .collect();
    let _ = writeln!(md, "| string-heavy, as WebAssembly in Node (WASI) | {} |", cells.join(" | "));
    let _ = writeln!(md);
    targets.push(Target {
        what: "core JSON scan, string-heavy bodies of 16 KiB and up",
        goal: "≥ 1 GB/s",
        measured: format!("{string_heavy:.2} GB/s (worst size)"),
        met: string_heavy >= 1.0,
    });

    // Allocations.
    let _ = writeln!(
        md,
        "## Heap allocations per call (1 KiB body)\n\n| library | scheme | verify | verify + parse |\n|---|---|---|---|"
    );
    let mut core_allocations = 0.0;
    for r in allocations.as_array().into_iter().flatten() {
        let (verify, parse) =
            (r["verify"].as_f64().unwrap_or(f64::NAN), r["verify_parse"].as_f64().unwrap_or(f64::NAN));
        if r["library"] == "hookguard" {
            core_allocations = f64::max(core_allocations, parse);
        }
        let _ = writeln!(
            md,
            "| {} | {} | {verify} | {parse} |",
            r["library"].as_str().unwrap_or("?"),
            r["scheme"].as_str().unwrap_or("?")
        );
    }
    targets.push(Target {
        what: "heap allocations per core verify + parse",
        goal: "0",
        measured: format!("{core_allocations}"),
        met: core_allocations == 0.0,
    });

    // Node.
    let _ = writeln!(md, "\n## npm package in Node (verify + parsed data)\n");
    let _ = writeln!(
        md,
        "| implementation | 256 B | 1 KiB | 16 KiB | 256 KiB | 1 MiB |\n|---|---|---|---|---|---|"
    );
    let results = node["results"].as_array().cloned().unwrap_or_default();
    let median = |name: &str, size: u64| {
        results
            .iter()
            .find(|r| r["implementation"] == name && r["size"].as_u64() == Some(size))
            .and_then(|r| Some((r["median_us"].as_f64()?, r["mad_us"].as_f64()?)))
    };
    let mut names: Vec<String> = Vec::new();
    for r in &results {
        if let Some(name) = r["implementation"].as_str().filter(|n| !names.iter().any(|x| x == n)) {
            names.push(name.to_string());
        }
    }
    for name in &names {
        let cells: Vec<String> = SIZES
            .iter()
            .map(|&size| {
                median(name, size)
                    .map_or("n/a".into(), |(m, d)| format!("{} ±{}", time(m * 1e3), time(d * 1e3)))
            })
            .collect();
        let _ = writeln!(md, "| {name} | {} |", cells.join(" | "));
    }
    let sdk_name = "@trigger.dev/sdk constructEvent (trigger)";
    // The other targets' ratios from the rounds that took turns with the peer.
    let alternating = node["alternating"].as_array().cloned().unwrap_or_default();
    let ratio = |peer: &str, size: u64| {
        alternating
            .iter()
            .find(|r| r["peer"] == peer && r["size"].as_u64() == Some(size))
            .and_then(|r| r["ratio"].as_f64())
            .unwrap_or(f64::NAN)
    };
    // The slowest size relative to the SDK, among the sizes it accepts (those it was measured
    // at); none measured is no result.
    let sdk = alternating
        .iter()
        .filter(|r| r["peer"] == sdk_name)
        .filter_map(|r| r["ratio"].as_f64())
        .map(|ratio| 1.0 / ratio)
        .reduce(f64::min)
        .unwrap_or(f64::NAN);
    let standard = 1.0 / ratio("standardwebhooks (standard)", 1024);
    let by_hand = |size| ratio("node:crypto by hand (trigger)", size);
    let _ =
        writeln!(md, "\nThe SDK refuses the 256 B body (a `run.completed`, a type it does not know): n/a.\n");
    let _ = writeln!(
        md,
        "The targets beside `standardwebhooks`, node:crypto and the SDK are measured again in alternation, \
         {} rounds of about 60 ms of each, taking turns; the median of the rounds' ratios (the \
         table's rows run seconds apart, and the peers' times vary between runs):\n\n| ours | peer | size | our time / the peer's |\n|---|---|---|---|",
        alternating.first().and_then(|r| r["rounds"].as_u64()).unwrap_or(0)
    );
    for r in &alternating {
        let _ = writeln!(
            md,
            "| {} | {} | {} KiB | {:.2}x |",
            r["ours"].as_str().unwrap_or_default(),
            r["peer"].as_str().unwrap_or_default(),
            r["size"].as_u64().unwrap_or(0) / 1024,
            r["ratio"].as_f64().unwrap_or(f64::NAN)
        );
    }
    md.push('\n');
    targets.push(Target {
        what: "npm verify vs @trigger.dev/sdk constructEvent, every size it accepts",
        goal: "faster at each",
        measured: format!("{sdk:.2}x faster at the closest"),
        met: sdk > 1.0,
    });
    targets.push(Target {
        what: "npm verify vs standardwebhooks (Standard), 1 KiB",
        goal: "≥ 2x faster",
        measured: format!("{standard:.2}x faster"),
        met: standard >= 2.0,
    });
    for (what, size) in [
        ("npm verify vs node:crypto by hand, 1 KiB", 1024),
        ("npm verify vs node:crypto by hand, 256 KiB", 262_144),
    ] {
        let ratio = by_hand(size);
        targets.push(Target {
            what,
            goal: "≤ 1.5x its time",
            measured: format!("{ratio:.2}x its time"),
            met: ratio <= 1.5,
        });
    }

    // Worker under load.
    let _ = writeln!(
        md,
        "## Worker under load (local workerd, 1 KiB events)\n\nBoth workers side by side, {} rounds of {} s each per traffic, taking turns in alternating order; each row is the median of its rounds (errors and non-2xx summed). Each worker runs in a workerd of its own; its CPU time per request is what that process used (user and system) over the round, divided by the requests answered: Miniflare's local KV, Durable Objects and rate limiter run there too.\n",
        load["rounds"], load["seconds"]
    );
    let _ = writeln!(
        md,
        "| worker | traffic | requests/s | workerd CPU per request | p50 | p99 | errors | non-2xx |\n|---|---|---|---|---|---|---|---|"
    );
    let mut rps = std::collections::HashMap::new();
    for r in load["runs"].as_array().into_iter().flatten() {
        let worker = r["worker"].as_str().unwrap_or("?");
        let traffic = r["traffic"].as_str().unwrap_or("?");
        let _ = writeln!(
            md,
            "| {worker} | {traffic} | {:.0} | {} | {} ms | {} ms | {} | {} |",
            r["rps"].as_f64().unwrap_or(0.0),
            r["cpu_us"].as_f64().map_or("n/a".to_string(), |us| format!("{us:.0} µs")),
            r["p50"],
            r["p99"],
            r["errors"],
            r["non2xx"]
        );
        rps.insert((worker.to_string(), traffic.to_string()), r);
    }
    let _ = writeln!(md, "\nRecorded exactly once afterwards: {}\n", load["exactly_once"]);
    for traffic in ["valid", "invalid", "duplicate"] {
        let ours = rps.get(&("hookguard (Rust)".to_string(), traffic.to_string()));
        let theirs = rps.get(&("JavaScript + WebCrypto".to_string(), traffic.to_string()));
        let number = |r: Option<&&Value>, field: &str| r.and_then(|r| r[field].as_f64()).unwrap_or(f64::NAN);
        let ratio = number(ours, "rps") / number(theirs, "rps");
        // Invalid requests are refused by design: only errors count against them.
        let refused = if traffic == "invalid" { 0.0 } else { number(ours, "non2xx") };
        let failures = number(ours, "errors") + refused;
        targets.push(Target {
            what: match traffic {
                "valid" => "worker throughput, 1 KiB valid events",
                "invalid" => "worker throughput, invalid signatures",
                _ => "worker throughput, one event repeated",
            },
            goal: "≥ 1.0x the JS + WebCrypto worker, no errors, all 2xx (401 for invalid)",
            measured: format!("{ratio:.2}x, {failures} errors"),
            met: ratio >= 1.0 && failures == 0.0,
        });
    }

    // Live fan-out.
    let fanout = &load["fanout"];
    let _ = writeln!(
        md,
        "## Live run updates (local workerd)\n\n{} watchers of one run on `/api/v2/runs/{{runId}}/live`, then one signed event for it: {} received it. From sending the webhook: its 200 after {} ms; each watcher's message p50 {} ms, p99 {} ms, the last {} ms ({} ms after the 200: the worker pushes within the request, before it answers).\n",
        fanout["watchers"],
        fanout["received"],
        fanout["answered_ms"],
        fanout["p50_ms"],
        fanout["p99_ms"],
        fanout["last_ms"],
        fanout["last_after_200_ms"]
    );

    // Cost per event.
    let _ = writeln!(
        md,
        "## Cost per event\n\nStorage operations per request, averaged over the load run's log lines (the worker logs \
         what each request did). The old design (KV only, before the ledger) is counted from its code: a first \
         delivery read the done and in-flight marks and wrote the in-flight mark, the event summary, the done \
         mark and, for a run, its status; a duplicate read the done mark. Not in the table: the `Stats` object, \
         which each isolate sends its counts and delivered attempts to at most every `STATS_FLUSH_SECONDS`, and \
         a failed attempt (or a delivered one that ends failures it reported) at once.\n"
    );
    let _ = writeln!(
        md,
        "| request | requests | KV reads | KV writes | ledger requests | run-object requests | SQLite rows written |\n|---|---|---|---|---|---|---|"
    );
    let costs = &load["costs"];
    for (name, kind) in [
        ("first delivery", "first"),
        ("duplicate, answered from KV", "duplicate_from_kv"),
        ("duplicate, answered by the ledger", "duplicate_from_ledger"),
    ] {
        let c = &costs[kind];
        let _ = writeln!(
            md,
            "| {name} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            c["requests"],
            c["kv_reads"].as_f64().unwrap_or(f64::NAN),
            c["kv_writes"].as_f64().unwrap_or(f64::NAN),
            c["ledger_requests"].as_f64().unwrap_or(f64::NAN),
            c["run_requests"].as_f64().unwrap_or(f64::NAN),
            c["sql_rows_written"].as_f64().unwrap_or(f64::NAN),
        );
    }
    let _ = writeln!(md, "| old design: first delivery | | 2 | 3 (4 for a run) | 0 | 0 | 0 |");
    let _ = writeln!(md, "| old design: duplicate | | 1 | 0 | 0 | 0 | 0 |\n");
    let writes = |kind: &str| costs[kind]["kv_writes"].as_f64().unwrap_or(f64::NAN);
    targets.push(Target {
        what: "KV writes per accepted event / per duplicate from KV",
        goal: "≤ 1 / 0",
        measured: format!("{:.2} / {:.2}", writes("first"), writes("duplicate_from_kv")),
        met: writes("first") <= 1.0 && writes("duplicate_from_kv") == 0.0,
    });

    // Sizes.
    let _ = writeln!(md, "## Sizes\n\n| artifact | raw | gzipped |\n|---|---|---|");
    let _ = writeln!(md, "| edge worker `.wasm` | {} B | {} B |", worker_wasm.0, worker_wasm.1);
    let _ = writeln!(md, "| npm `.wasm` | {} B | {} B |", npm_wasm.0, npm_wasm.1);
    let _ = writeln!(md, "| npm tarball | {tarball} B | |");
    for ((_, what), bytes) in elf::FIRMWARE.iter().zip(flash) {
        let _ = writeln!(md, "| no_std firmware ({what}, thumbv7em) | {bytes} B of flash | |");
    }
    md.push('\n');
    // The HMAC-SHA256-only images (the first two): what a device that needs no SHA-1 or
    // Ed25519 provider flashes.
    let flash = flash.iter().take(2).copied().max().unwrap_or(u64::MAX);
    targets.push(Target {
        what: "worker .wasm",
        goal: "≤ 250 KB raw, 90 KB gzipped",
        measured: format!("{} KB, {} KB", worker_wasm.0 / 1000, worker_wasm.1 / 1000),
        met: worker_wasm.0 <= 250_000 && worker_wasm.1 <= 90_000,
    });
    targets.push(Target {
        what: "npm .wasm",
        goal: "≤ 60 KB raw, 25 KB gzipped",
        measured: format!("{} KB, {} KB", npm_wasm.0 / 1000, npm_wasm.1 / 1000),
        met: npm_wasm.0 <= 60_000 && npm_wasm.1 <= 25_000,
    });
    targets.push(Target {
        what: "no_std firmware flash, HMAC-SHA256 providers only (the larger image)",
        goal: "≤ 32 KiB",
        measured: format!("{:.1} KiB", flash as f64 / 1024.0),
        met: flash <= 32 * 1024,
    });

    let mut head = String::from("## Targets\n\n| what | target | measured | |\n|---|---|---|---|\n");
    for t in &targets {
        let _ = writeln!(
            head,
            "| {} | {} | {} | {} |",
            t.what,
            t.goal,
            t.measured,
            if t.met { "met" } else { "**missed**" }
        );
    }
    head.push('\n');
    let split = md.find("## Core").unwrap_or(md.len());
    md.insert_str(split, &head);
    Ok(md)
}

/// Replaces the README's Performance section with the report's targets table.
fn update_readme(report: &str) -> Result {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let (start, end) = ("<!-- performance:start -->", "<!-- performance:end -->");
    let (Some(a), Some(b)) = (readme.find(start), readme.find(end)) else {
        return Err("README.md has no performance markers".into());
    };
    let targets = report.split("## Targets").nth(1).and_then(|t| t.split("\n## ").next()).unwrap_or_default();
    let first_line = report.lines().nth(2).unwrap_or_default();
    let section =
        format!("{start}\n{first_line}\n{}\nThe full tables: `benches/RESULTS.md`.\n", targets.trim_end());
    let updated =
        format!("{}{section}{}", readme.get(..a).unwrap_or_default(), readme.get(b..).unwrap_or_default());
    std::fs::write(&path, updated).map_err(|e| e.to_string())
}
