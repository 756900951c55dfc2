//! Times `Verified::parse` (the JSON scan) on each body file named on the command line and
//! prints one JSON array: per file, its size and the median nanoseconds of one parse over
//! several timed batches. Built for `wasm32-wasip1` and run by `benches/wasm-scan.mjs` in
//! Node, it measures the reader as the npm package's WebAssembly runs it; it builds and runs
//! on the host too.
//!
//!   scan quick|full FILE...

use std::time::Instant;

use hookguard::{Scheme, Verifier};

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (samples, sample_ns) = match args.next().as_deref() {
        Some("quick") => (3, 2_000_000),
        Some("full") => (15, 50_000_000),
        _ => return Err("usage: scan quick|full FILE...".into()),
    };
    // Only the scan is timed: Trigger.dev's max age on the inputs' signed `created` is off.
    let verifier = Verifier::new(Scheme::TRIGGER, &["wasm-scan-secret-0123"])
        .map_err(|e| e.to_string())?
        .with_tolerance(u64::MAX);
    let mut rows = Vec::new();
    for path in args {
        let body = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
        let headers = verifier.sign(&body, None, 0).map_err(|e| e.to_string())?;
        let verified = verifier.verify(&headers, &body, 0).map_err(|e| e.to_string())?;
        let mut scratch = vec![0u8; body.len()];
        let mut parse = || verified.parse(&mut scratch).map(|e| e.run_number).is_ok();
        if !parse() {
            return Err(format!("{path}: does not parse"));
        }
        // A batch of about `sample_ns`, then `samples` timed batches.
        let mut batch = 1u32;
        loop {
            let start = Instant::now();
            (0..batch).for_each(|_| assert!(core::hint::black_box(parse())));
            if start.elapsed().as_nanos() >= sample_ns || batch >= 1 << 24 {
                break;
            }
            batch *= 2;
        }
        let mut times: Vec<f64> = (0..samples)
            .map(|_| {
                let start = Instant::now();
                (0..batch).for_each(|_| assert!(core::hint::black_box(parse())));
                start.elapsed().as_nanos() as f64 / f64::from(batch)
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
        rows.push(format!("{{\"size\":{},\"median_ns\":{median:.1}}}", body.len()));
    }
    println!("[{}]", rows.join(","));
    Ok(())
}
