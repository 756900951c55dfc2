//! Heap allocations per verify (and per verify + parse), for the core and the
//! `standardwebhooks` crate, counted by a global allocator wrapper. Prints JSON.

use std::alloc::System;

use hookguard::Scheme;
use hookguard_benches::{NOW, STANDARD_SECRET, schemes, signed, trigger_event, verifier};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const ROUNDS: usize = 100;

/// Allocations per call of `f`, over `ROUNDS` calls (one warm-up call first).
fn per_call(mut f: impl FnMut()) -> f64 {
    f();
    let region = Region::new(GLOBAL);
    for _ in 0..ROUNDS {
        f();
    }
    let stats = region.change();
    (stats.allocations + stats.reallocations) as f64 / ROUNDS as f64
}

fn main() {
    // hookguard at the events' clock; the standardwebhooks crate reads the system clock.
    let now = NOW;
    let wall = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut rows = Vec::new();
    for scheme in schemes() {
        let verifier = verifier(scheme);
        let request = signed(scheme, trigger_event(1024), now);
        let pairs = request.pairs();
        let mut scratch = vec![0u8; request.body.len()];
        let verify = per_call(|| assert!(verifier.verify(pairs.as_slice(), &request.body, now).is_ok()));
        let parse = per_call(|| {
            let verified = verifier.verify(pairs.as_slice(), &request.body, now).expect("valid");
            assert!(verified.parse(&mut scratch).is_ok());
        });
        rows.push(serde_json::json!({ "library": "hookguard", "scheme": scheme.name(), "verify": verify, "verify_parse": parse }));
    }
    let webhook = standardwebhooks::Webhook::new(STANDARD_SECRET).expect("valid secret");
    let request = signed(Scheme::STANDARD, trigger_event(1024), wall);
    let headers = request.header_map();
    let verify = per_call(|| assert!(webhook.verify(&request.body, &headers).is_ok()));
    let parse = per_call(|| {
        assert!(webhook.verify(&request.body, &headers).is_ok());
        assert!(serde_json::from_slice::<serde_json::Value>(&request.body).is_ok());
    });
    rows.push(serde_json::json!({ "library": "standardwebhooks crate + serde_json::Value", "scheme": "standard", "verify": verify, "verify_parse": parse }));
    println!("{}", serde_json::Value::Array(rows));
}
