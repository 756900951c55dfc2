//! Verifying and parsing allocate nothing: counted by a global allocator wrapper.

use std::alloc::System;

use hookguard::{EventKind, Scheme, Verifier};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[test]
fn verify_and_parse_allocate_nothing() {
    let body =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/trigger/alert.run.failed.json")).unwrap();
    let standard_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    // Every scheme hookguard can sign for (Ed25519 only verifies) and whose body this sample
    // can be (Linear's must carry its own timestamp).
    let signable = |s: &&Scheme| s.spec().algorithm != hookguard::Algorithm::Ed25519 && **s != Scheme::LINEAR;
    for &scheme in Scheme::ALL.iter().filter(signable) {
        let secret =
            if scheme.spec().secret == hookguard::SecretFormat::Whsec { standard_secret } else { "s3cret" };
        let verifier = Verifier::new_with_short_secrets(scheme, &[secret, secret])
            .and_then(|v| v.with_url("https://example.com/hooks"))
            .map(|v| v.with_tolerance(u64::MAX)) // the sample was created long before the clock here
            .unwrap();
        let headers = verifier.sign(&body, Some("msg_1"), 1_767_225_600).unwrap();
        let mut scratch = [0u8; 4096];

        // The counter is process-wide, and the test harness's own threads may allocate at any
        // moment; the code under test is deterministic, so the quietest of a few runs is its count.
        let counts = (0..5).map(|_| {
            let region = Region::new(GLOBAL);
            let verified = verifier.verify(&headers, &body, 1_767_225_600).unwrap();
            let key = verified.idempotency_key();
            let event = verified.parse(&mut scratch).unwrap();
            let stats = region.change();
            assert_eq!(event.kind, EventKind::AlertRunFailed);
            assert!(!key.as_str().is_empty());
            (stats.allocations, stats.reallocations, stats.bytes_allocated)
        });
        assert_eq!(counts.min(), Some((0, 0, 0)), "{scheme:?}");
    }
    // The counter does count: a control allocation shows up.
    let region = Region::new(GLOBAL);
    let v = core::hint::black_box(vec![1u8; 10]);
    assert_eq!(region.change().allocations, 1);
    drop(v);
}
