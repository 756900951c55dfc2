//! The core beside the hardware limit (raw HMAC-SHA256 from `ring`) and the
//! `standardwebhooks` crate, in one run. `cargo xtask bench` runs it and writes RESULTS.md.

use core::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hookguard::{Scheme, Verifier};
use hookguard_benches::{
    NOW, SIZES, STANDARD_SECRET, schemes, secret, signed, structure_event, trigger_event, verifier,
};

fn verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    for scheme in schemes() {
        let verifier = verifier(scheme);
        for size in SIZES {
            let request = signed(scheme, trigger_event(size), NOW);
            let pairs = request.pairs();
            group.throughput(Throughput::Bytes(request.body.len() as u64));
            group.bench_with_input(BenchmarkId::new(scheme.name(), size), &request.body, |b, body| {
                assert!(verifier.verify(pairs.as_slice(), body, NOW).is_ok(), "{scheme:?}");
                b.iter(|| verifier.verify(black_box(pairs.as_slice()), black_box(body), NOW).is_ok());
            });
        }
    }
    group.finish();
}

fn verify_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify_parse");
    let verifier = Verifier::new(Scheme::TRIGGER, &[secret(Scheme::TRIGGER)]).expect("fixed secret");
    for size in SIZES {
        let request = signed(Scheme::TRIGGER, trigger_event(size), NOW);
        let pairs = request.pairs();
        let mut scratch = vec![0u8; request.body.len()];
        group.throughput(Throughput::Bytes(request.body.len() as u64));
        group.bench_with_input(BenchmarkId::new("trigger", size), &request.body, |b, body| {
            b.iter(|| {
                let verified =
                    verifier.verify(black_box(pairs.as_slice()), black_box(body), NOW).expect("valid");
                verified.parse(&mut scratch).map(|e| e.run_number).expect("parses")
            });
        });
    }
    group.finish();
}

/// The JSON reader alone: `parse` of a body verified beforehand, on string-heavy bodies (the
/// Trigger.dev event, its stack trace padded) and structure-heavy ones (many small objects).
fn scan(c: &mut Criterion) {
    let mut group = c.benchmark_group("scan");
    let verifier = Verifier::new(Scheme::TRIGGER, &[secret(Scheme::TRIGGER)]).expect("fixed secret");
    for size in SIZES {
        for (name, body) in [("strings", trigger_event(size)), ("structure", structure_event(size))] {
            let request = signed(Scheme::TRIGGER, body, NOW);
            let pairs = request.pairs();
            let verified = verifier.verify(pairs.as_slice(), &request.body, NOW).expect("valid");
            let mut scratch = vec![0u8; request.body.len()];
            group.throughput(Throughput::Bytes(request.body.len() as u64));
            group.bench_function(BenchmarkId::new(name, size), |b| {
                b.iter(|| black_box(verified).parse(&mut scratch).map(|e| e.run_number).expect("parses"));
            });
        }
    }
    group.finish();
}

/// HMAC-SHA256 of the same bytes with `ring` (SHA-NI where the CPU has it), key prepared
/// once, as the core prepares its keys once: the floor any verifier stands on.
fn ring_hmac(c: &mut Criterion) {
    let mut group = c.benchmark_group("ring_hmac");
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret(Scheme::TRIGGER).as_bytes());
    for size in SIZES {
        let body = trigger_event(size);
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::new("sign", size), &body, |b, body| {
            b.iter(|| ring::hmac::sign(&key, black_box(body)));
        });
    }
    group.finish();
}

/// The `standardwebhooks` crate verifying the same Standard Webhooks requests (it reads the
/// system clock, so these are signed now).
fn standardwebhooks_crate(c: &mut Criterion) {
    let mut group = c.benchmark_group("standardwebhooks_crate");
    let webhook = standardwebhooks::Webhook::new(STANDARD_SECRET).expect("valid secret");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(NOW, |d| d.as_secs());
    for size in SIZES {
        let request = signed(Scheme::STANDARD, trigger_event(size), now);
        let headers = request.header_map();
        assert!(webhook.verify(&request.body, &headers).is_ok());
        group.throughput(Throughput::Bytes(request.body.len() as u64));
        group.bench_with_input(BenchmarkId::new("verify", size), &request.body, |b, body| {
            b.iter(|| webhook.verify(black_box(body), black_box(&headers)).is_ok());
        });
    }
    group.finish();
}

criterion_group!(benches, verify, verify_parse, scan, ring_hmac, standardwebhooks_crate);
criterion_main!(benches);
