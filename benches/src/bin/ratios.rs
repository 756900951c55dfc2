//! The core's 1 KiB targets as ratios to ring's HMAC-SHA256 of the same bytes, measured in
//! alternation: short rounds of each, taking turns, so that the machine's noise falls on both
//! alike (criterion measures one benchmark after another, minutes apart, and a noisy minute
//! shows up as a ratio). Prints JSON: per comparison, the median time per call of each and the
//! median of the rounds' ratios. `--quick`: three rounds (the tests).

use core::hint::black_box;
use core::time::Duration;
use std::time::Instant;

use hookguard::{Scheme, Verifier};
use hookguard_benches::{NOW, secret, signed, trigger_event};
use serde_json::{Value, json};

/// How long one round of one side lasts.
const ROUND: Duration = Duration::from_millis(20);

/// Nanoseconds per call of `f`, over `calls` calls.
fn time(f: &mut dyn FnMut(), calls: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        f();
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(calls)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// `ours` and `ring` in `rounds` alternating rounds (which goes first alternates too).
fn compare(ours: &mut dyn FnMut(), ring: &mut dyn FnMut(), rounds: usize) -> Value {
    // Calls per round: as many as ring makes in one round, after a warm-up of both (a few
    // rounds' worth: the first calls of a process run slower).
    let calls = (ROUND.as_secs_f64() * 1e9 / time(ring, 1000)).max(1.0) as u32;
    for _ in 0..5 {
        time(ours, calls);
        time(ring, calls);
    }
    let (mut ours_ns, mut ring_ns, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (o, r) = if round % 2 == 0 {
            let o = time(ours, calls);
            (o, time(ring, calls))
        } else {
            let r = time(ring, calls);
            (time(ours, calls), r)
        };
        ours_ns.push(o);
        ring_ns.push(r);
        ratios.push(o / r);
    }
    json!({ "ours_ns": median(ours_ns), "ring_ns": median(ring_ns), "ratio": median(ratios), "rounds": rounds })
}

fn main() {
    let rounds = if std::env::args().any(|a| a == "--quick") { 3 } else { 41 };
    let verifier = Verifier::new(Scheme::TRIGGER, &[secret(Scheme::TRIGGER)]).expect("fixed secret");
    let request = signed(Scheme::TRIGGER, trigger_event(1024), NOW);
    let pairs = request.pairs();
    let body = request.body.as_slice();
    let mut scratch = vec![0u8; body.len()];
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret(Scheme::TRIGGER).as_bytes());
    let mut ring = || {
        black_box(ring::hmac::sign(&key, black_box(body)));
    };
    let mut verify = || {
        black_box(verifier.verify(black_box(pairs.as_slice()), black_box(body), NOW).is_ok());
    };
    let verify_result = compare(&mut verify, &mut ring, rounds);
    let mut verify_parse = || {
        let verified = verifier.verify(black_box(pairs.as_slice()), black_box(body), NOW).expect("valid");
        black_box(verified.parse(&mut scratch).map(|e| e.run_number).expect("parses"));
    };
    let parse_result = compare(&mut verify_parse, &mut ring, rounds);
    println!(
        "{}",
        json!({ "body_bytes": body.len(), "verify": verify_result, "verify_parse": parse_result })
    );
}
