//! A dudect-style timing test of the verifier's tag comparison (`cargo run --release -p
//! hookguard-timing`, a step of `cargo xtask test`).
//!
//! Each case times `Verifier::verify` through the public API on two classes of requests that
//! differ only in the signature's tag: a tag whose first byte is wrong against one whose last
//! byte is wrong (an early-exit comparison returns sooner on the first), and a valid tag
//! against one whose last byte is wrong. The classes are interleaved at random, one per
//! measurement, and dudect's Welch t-test (with its percentile crops) says whether the two
//! timing distributions differ: |t| must stay below 5. Beside them, the same harness times a
//! deliberately leaky verifier (the expected signature compared byte by byte, returning at the
//! first difference, as many hand-written webhook handlers do), and must flag it: if it does
//! not, the harness could not see a leak and its passes would mean nothing.
//!
//! Prints one line per case (|t|, which dudect test gave it, measurements) and exits non-zero
//! if a leaky case stays below |t| 5, or a constant-time case reaches it in five
//! measurements in a row with the same class the slower each time (a case against
//! expectation is measured again, a second apart, so that noise on a busy machine, which has
//! no direction, does not fail the run; a leak is flagged every time, always in one
//! direction).

use core::hint::black_box;
use core::time::Duration;
use std::process::ExitCode;
use std::time::Instant;

use hookguard::{Error, Headers, Scheme, Verifier};
use subtle::ConstantTimeEq;

mod stats;

use stats::{Dudect, SplitMix, Verdict};

/// dudect's usual bound: |t| above it means the two classes' timings differ.
const THRESHOLD: f64 = 5.0;

/// Measurements per case (besides the warm-up and the batch that sets dudect's crops).
const SAMPLES: usize = 200_000;
const WARM_UP: usize = 20_000;
const FIRST_BATCH: usize = 20_000;

const BODY: &[u8] = br#"{"id":"evt_timing","type":"alert.run.failed","object":{"run":{"id":"run_1","status":"FAILED","number":3}}}"#;
const MESSAGE_ID: &str = "msg_timing_1";
const TIMESTAMP: u64 = 1_767_225_600;

/// How the tag is spelled at the end of the signature header value.
#[derive(Clone, Copy)]
enum Encoding {
    /// Lower-case hex.
    Hex,
    /// Padded standard base64.
    Base64,
}

/// The tag's spelling and its length in bytes.
#[derive(Clone, Copy)]
struct Tag {
    encoding: Encoding,
    bytes: usize,
}

impl Tag {
    const HEX_SHA256: Tag = Tag { encoding: Encoding::Hex, bytes: 32 };
    const BASE64_SHA256: Tag = Tag { encoding: Encoding::Base64, bytes: 32 };

    /// Characters of the tag as sent (base64 with its padding).
    fn text_chars(self) -> usize {
        match self.encoding {
            Encoding::Hex => 2 * self.bytes,
            Encoding::Base64 => 4 * self.bytes.div_ceil(3),
        }
    }
}

/// The two classes of inputs a case compares.
#[derive(Clone, Copy)]
enum Classes {
    /// A tag whose first byte is wrong against one whose last byte is wrong.
    FirstVsLast,
    /// The valid tag against one whose last byte is wrong.
    ValidVsInvalid,
    /// For a scheme that takes several signatures in its header: the valid signature, then
    /// this separator and a second tag, the valid one again against one whose last byte is
    /// wrong. Both requests verify, so only the second comparison's result differs, not the
    /// outcome (see `OUTCOME` below).
    ValidVsInvalidBeside(&'static str),
}

/// What is timed.
#[derive(Clone, Copy)]
enum Subject {
    /// `Verifier::verify` on a request of `scheme`, signed with `secret`.
    Verify { scheme: Scheme, secret: &'static str, tag: Tag },
    /// What a hand-written handler often does instead: sign the body again and compare the
    /// signatures byte by byte, returning at the first difference.
    LeakyVerify { scheme: Scheme, secret: &'static str, tag: Tag },
    /// `subtle::ConstantTimeEq::ct_eq`, as the verifier calls it, on tags of this many bytes.
    CtEq(usize),
    /// An early-exit byte loop on tags of this many bytes.
    LeakyEq(usize),
    /// Slice equality (`==`, a `bcmp` that compares a word at a time and returns at the first
    /// differing word) on tags of this many bytes: a far smaller leak than the byte loop's.
    LeakyWords(usize),
}

impl Subject {
    /// Leaky subjects must be flagged, the others must not.
    fn leaky(self) -> bool {
        matches!(self, Subject::LeakyVerify { .. } | Subject::LeakyEq(_) | Subject::LeakyWords(_))
    }
}

/// One row: a name, what is timed and the two classes. Adding an algorithm is a row per
/// class pair.
struct Case {
    name: &'static str,
    subject: Subject,
    classes: Classes,
}

const STANDARD_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

const fn verify(scheme: Scheme, secret: &'static str, tag: Tag) -> Subject {
    Subject::Verify { scheme, secret, tag }
}

const TRIGGER: Subject = verify(Scheme::TRIGGER, "tr_whsec_timing_0123456789", Tag::HEX_SHA256);
const STRIPE: Subject = verify(Scheme::STRIPE, "whsec_timing_0123456789", Tag::HEX_SHA256);
const GITHUB: Subject = verify(Scheme::GITHUB, "gh_timing_0123456789", Tag::HEX_SHA256);
const SLACK: Subject = verify(Scheme::SLACK, "slack_timing_0123456789", Tag::HEX_SHA256);
const STANDARD: Subject = verify(Scheme::STANDARD, STANDARD_SECRET, Tag::BASE64_SHA256);
const SVIX: Subject = verify(Scheme::SVIX, STANDARD_SECRET, Tag::BASE64_SHA256);
const SHOPIFY: Subject = verify(Scheme::SHOPIFY, "shpss_timing_0123456789", Tag::BASE64_SHA256);
const HEX_SHA1: Tag = Tag { encoding: Encoding::Hex, bytes: 20 };
const VERCEL: Subject = verify(Scheme::VERCEL, "vercel_timing_0123456789", HEX_SHA1);
const INTERCOM: Subject = verify(Scheme::INTERCOM, "intercom_timing_0123456789", HEX_SHA1);

// OUTCOME: a valid request against an invalid one through `verify` differs by its outcome:
// `Ok(Verified)` against `Err`, about 3 ns here (|t| 11 to 66 at 100,000 to 200,000
// measurements), the same whether the wrong byte is the first or the last, so it is the
// result's cost, not the comparison's, and a caller sees the outcome anyway. So
// valid-vs-invalid is timed where the outcome is the same: through `verify` with a second
// signature in the header (the schemes that take several), and on `ct_eq` itself, on every
// tag size, for the schemes that take one.
#[rustfmt::skip]
const CASES: &[Case] = &[
    // Every HMAC-SHA256 scheme through `verify`: hex tags (Trigger, Stripe, GitHub, Slack),
    // base64 tags (Standard Webhooks, Svix, Shopify).
    Case { name: "trigger first-vs-last", subject: TRIGGER, classes: Classes::FirstVsLast },
    Case { name: "stripe first-vs-last", subject: STRIPE, classes: Classes::FirstVsLast },
    Case { name: "github first-vs-last", subject: GITHUB, classes: Classes::FirstVsLast },
    Case { name: "slack first-vs-last", subject: SLACK, classes: Classes::FirstVsLast },
    Case { name: "standard first-vs-last", subject: STANDARD, classes: Classes::FirstVsLast },
    Case { name: "svix first-vs-last", subject: SVIX, classes: Classes::FirstVsLast },
    Case { name: "shopify first-vs-last", subject: SHOPIFY, classes: Classes::FirstVsLast },
    Case { name: "stripe valid-vs-invalid", subject: STRIPE, classes: Classes::ValidVsInvalidBeside(",v1=") },
    Case { name: "standard valid-vs-invalid", subject: STANDARD, classes: Classes::ValidVsInvalidBeside(" v1,") },
    Case { name: "svix valid-vs-invalid", subject: SVIX, classes: Classes::ValidVsInvalidBeside(" v1,") },
    // The comparison itself, on every tag size: SHA-1 (20), SHA-256 (32), Ed25519 (64).
    Case { name: "ct_eq 20 B valid-vs-invalid", subject: Subject::CtEq(20), classes: Classes::ValidVsInvalid },
    Case { name: "ct_eq 32 B valid-vs-invalid", subject: Subject::CtEq(32), classes: Classes::ValidVsInvalid },
    Case { name: "ct_eq 64 B valid-vs-invalid", subject: Subject::CtEq(64), classes: Classes::ValidVsInvalid },
    Case { name: "ct_eq 32 B first-vs-last", subject: Subject::CtEq(32), classes: Classes::FirstVsLast },
    // HMAC-SHA1 through `verify`: bare hex (Vercel) and after `sha1=` (Intercom).
    Case { name: "vercel first-vs-last", subject: VERCEL, classes: Classes::FirstVsLast },
    Case { name: "intercom first-vs-last", subject: INTERCOM, classes: Classes::FirstVsLast },
    // No Ed25519 row (Discord): its check uses only public values (the key, the signature,
    // the signed content), so its time reveals nothing secret; the 64-byte `ct_eq` row above
    // covers a comparison of that size.
    // The leaks the harness must see: through a verifier, on a hex and a base64 scheme, and
    // on the comparison alone.
    Case { name: "LEAKY trigger first-vs-last", subject: Subject::LeakyVerify { scheme: Scheme::TRIGGER, secret: "tr_whsec_timing_0123456789", tag: Tag::HEX_SHA256 }, classes: Classes::FirstVsLast },
    Case { name: "LEAKY shopify first-vs-last", subject: Subject::LeakyVerify { scheme: Scheme::SHOPIFY, secret: "shpss_timing_0123456789", tag: Tag::BASE64_SHA256 }, classes: Classes::FirstVsLast },
    Case { name: "LEAKY eq 32 B first-vs-last", subject: Subject::LeakyEq(32), classes: Classes::FirstVsLast },
    Case { name: "LEAKY == 64 B first-vs-last", subject: Subject::LeakyWords(64), classes: Classes::FirstVsLast },
];

fn main() -> ExitCode {
    let samples = match std::env::args().nth(1).map(|a| a.parse::<usize>()) {
        None => SAMPLES,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("timing: usage: timing [SAMPLES per case] ({e})");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    let mut failures = Vec::new();
    for case in CASES {
        // A result against expectation is measured again, up to five times, a second apart,
        // with new class draws: a burst of noise (another process on a busy machine) rarely
        // lasts or comes every time, and has no direction, while a leak is flagged every time
        // with one class always the slower. So a constant-time case fails only if every
        // measurement flags it with the same sign of difference; a leaky one must be flagged.
        // (Three measurements, under a second in all, once failed a CI run this way: the
        // Intercom case at |t| 6.0 to 8.5 with 0.4 ns between the classes, and 1.8 to 2.6
        // with either class the slower in 13 runs of this program alone.)
        let mut pass = false;
        let mut signs = Vec::new();
        for attempt in 1..=5 {
            if attempt > 1 {
                std::thread::sleep(Duration::from_secs(1));
            }
            match run(case, samples) {
                Ok(verdict) => {
                    let flagged = verdict.t >= THRESHOLD;
                    let expected = if case.subject.leaky() { "must be flagged" } else { "constant time" };
                    pass = flagged == case.subject.leaky();
                    signs.push(verdict.difference > 0.0);
                    let directionless =
                        !case.subject.leaky() && attempt > 1 && signs.iter().any(|s| *s != signs[0]);
                    pass |= directionless;
                    println!(
                        "timing: {:<28} |t| = {:>7.2}  ({} samples, largest in {:?}, means differ by {:.2} ns; {expected}: {}{}{})",
                        case.name,
                        verdict.t,
                        verdict.samples,
                        verdict.test,
                        verdict.difference,
                        if pass { "ok" } else { "FAIL" },
                        if attempt > 1 { ", measured again" } else { "" },
                        if directionless && flagged { ", noise: the slower class changed" } else { "" },
                    );
                }
                Err(message) => {
                    println!("timing: {:<28} FAIL: {message}", case.name);
                    break;
                }
            }
            if pass {
                break;
            }
        }
        if !pass {
            failures.push(case.name);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    if failures.is_empty() {
        println!(
            "timing: every case as expected (|t| < {THRESHOLD} constant time, >= {THRESHOLD} leaky) in {elapsed:.1} s"
        );
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "timing: FAILED: {} (a constant-time case reached |t| >= {THRESHOLD}, or the leaky comparison was not flagged) in {elapsed:.1} s",
            failures.join(", ")
        );
        ExitCode::FAILURE
    }
}

/// Builds the case's two classes, checks that each is answered as it should be, and times them.
fn run(case: &Case, samples: usize) -> Result<Verdict, String> {
    match case.subject {
        Subject::Verify { scheme, secret, tag } => {
            run_verify(scheme, secret, tag, case.classes, false, samples)
        }
        Subject::LeakyVerify { scheme, secret, tag } => {
            run_verify(scheme, secret, tag, case.classes, true, samples)
        }
        Subject::CtEq(bytes) => {
            Ok(run_eq(bytes, case.classes, samples, |a, b| bool::from(black_box(a.ct_eq(b)))))
        }
        Subject::LeakyEq(bytes) => Ok(run_eq(bytes, case.classes, samples, leaky_eq)),
        Subject::LeakyWords(bytes) => Ok(run_eq(bytes, case.classes, samples, |a, b| a == b)),
    }
}

/// Times two tags against a third, random one. The comparison's result is only read after
/// the clock stops.
fn run_eq(bytes: usize, classes: Classes, samples: usize, eq: fn(&[u8], &[u8]) -> bool) -> Verdict {
    let mut rng = SplitMix::new(seed());
    let expected: Vec<u8> = (0..bytes).map(|_| rng.next() as u8).collect();
    let wrong = |byte: usize| {
        let mut tag = expected.clone();
        if let Some(b) = tag.get_mut(byte) {
            *b ^= 1;
        }
        tag
    };
    let inputs = match classes {
        Classes::FirstVsLast => [wrong(0), wrong(bytes - 1)],
        Classes::ValidVsInvalid | Classes::ValidVsInvalidBeside(_) => [expected.clone(), wrong(bytes - 1)],
    };
    let patch = Patch::between(&inputs);
    let mut buffer = inputs[0].clone();
    let expected = black_box(expected);
    measure(samples, |class| {
        patch.apply(&mut buffer, class);
        let received = black_box(buffer.as_slice());
        let start = Instant::now();
        let result = black_box(eq(&expected, received));
        (start.elapsed(), result)
    })
}

/// Where two equal-length inputs differ, and each one's bytes there. Applying it to a buffer
/// makes that buffer one input or the other through the same stores (same addresses, only
/// the values differ), so that the two classes do not differ by where they are read from.
struct Patch {
    positions: Vec<usize>,
    values: [Vec<u8>; 2],
}

impl Patch {
    fn between(inputs: &[Vec<u8>; 2]) -> Patch {
        let positions: Vec<usize> =
            (0..inputs[0].len()).filter(|&i| inputs[0].get(i) != inputs[1].get(i)).collect();
        let values =
            inputs.each_ref().map(|input| positions.iter().filter_map(|&i| input.get(i).copied()).collect());
        Patch { positions, values }
    }

    fn apply(&self, buffer: &mut [u8], class: usize) {
        let values = if class == 0 { &self.values[0] } else { &self.values[1] };
        for (&position, &value) in self.positions.iter().zip(values) {
            if let Some(b) = buffer.get_mut(position) {
                *b = value;
            }
        }
    }
}

/// Times `verify` (or the leaky verifier) on the case's two classes of requests.
fn run_verify(
    scheme: Scheme,
    secret: &str,
    tag: Tag,
    classes: Classes,
    leaky: bool,
    samples: usize,
) -> Result<Verdict, String> {
    let verifier = Verifier::new(scheme, &[secret]).map_err(|e| format!("Verifier::new: {e:?}"))?;
    let signed = verifier.sign(BODY, Some(MESSAGE_ID), TIMESTAMP).map_err(|e| format!("sign: {e:?}"))?;
    // The signature comes first; the other signed headers (id, timestamp) stay as they are.
    let mut pairs = signed.iter();
    let (name, signature) = pairs.next().ok_or("sign gave no header")?;
    let others: Vec<(&str, &str)> = pairs.collect();
    let last = tag.bytes - 1;
    let tag_text = signature.get(signature.len().saturating_sub(tag.text_chars())..).unwrap_or_default();
    let (inputs, expected) = match classes {
        Classes::FirstVsLast => (
            [flip(signature, tag, 0)?, flip(signature, tag, last)?],
            [Err(Error::InvalidSignature), Err(Error::InvalidSignature)],
        ),
        Classes::ValidVsInvalid => {
            ([signature.to_string(), flip(signature, tag, last)?], [Ok(()), Err(Error::InvalidSignature)])
        }
        Classes::ValidVsInvalidBeside(separator) => {
            let twice = format!("{signature}{separator}{tag_text}");
            ([twice.clone(), flip(&twice, tag, last)?], [Ok(()), Ok(())])
        }
    };
    // Every request has the same three headers: the signature, then the scheme's others,
    // then an unread one where the scheme has fewer.
    let headers = |value: &str| -> Result<[(&'static str, String); 3], String> {
        let mut rest = others.iter().map(|&(n, v)| (n, v.to_string()));
        let mut next = || rest.next().unwrap_or(("x-timing-unused", String::new()));
        let array = [(name, value.to_string()), next(), next()];
        if rest.next().is_some() { Err("sign gave more than 3 headers".to_string()) } else { Ok(array) }
    };
    for (input, expected) in inputs.iter().zip(&expected) {
        let owned = headers(input)?;
        let array = owned.each_ref().map(|(n, v)| (*n, v.as_str()));
        let got = verifier.verify(&array, BODY, TIMESTAMP).map(|_| ());
        if got != *expected {
            return Err(format!("verify({input}) gave {got:?}, not {expected:?}"));
        }
        if leaky && leaky_verify(&verifier, &array, name) != expected.is_ok() {
            return Err(format!("the leaky check of {input} disagrees with verify"));
        }
    }
    // The signature's value is made one class or the other in place (see `Patch`); the other
    // headers stay as they are.
    let patch = Patch::between(&inputs.each_ref().map(|i| i.clone().into_bytes()));
    let mut value = inputs[0].clone().into_bytes();
    let owned = headers(&inputs[0])?;
    Ok(measure(samples, |class| {
        patch.apply(&mut value, class);
        let signature = core::str::from_utf8(&value).unwrap_or("");
        let headers =
            [(name, signature), (owned[1].0, owned[1].1.as_str()), (owned[2].0, owned[2].1.as_str())];
        let headers = black_box(&headers);
        let start = Instant::now();
        let result = if leaky {
            leaky_verify(&verifier, headers, name)
        } else {
            verifier.verify(headers, BODY, TIMESTAMP).is_ok()
        };
        (start.elapsed(), result)
    }))
}

/// `signature` with one bit of the tag's byte `byte` flipped, by changing one character of its
/// spelling into another of the same kind (digit, lower or upper case letter, symbol), so that
/// both classes decode along the same path and differ only in the tag's value.
fn flip(signature: &str, tag: Tag, byte: usize) -> Result<String, String> {
    let start = signature.len().checked_sub(tag.text_chars()).ok_or("signature shorter than its tag")?;
    // (character index, bit of its value) pairs whose flip changes only the byte `byte`.
    let candidates: Vec<(usize, u32)> = match tag.encoding {
        // Two digits per byte: the low bit of the byte's last digit.
        Encoding::Hex => vec![(2 * byte + 1, 0)],
        // Six bits per character, most significant first: the bits of the characters holding
        // the byte that belong to it (so none of the bits past the data in the last
        // character, which strict decoding wants zero).
        Encoding::Base64 => {
            let first = 8 * byte / 6;
            let last = (8 * byte + 7) / 6;
            let bits = 8 * byte..8 * byte + 8;
            (first..=last)
                .flat_map(|index| (0..6).map(move |bit| (index, bit)))
                .filter(|&(index, bit)| bits.contains(&(6 * index + 5 - bit as usize)))
                .collect()
        }
    };
    let mut bytes = signature.as_bytes().to_vec();
    let (alphabet, class): (&[u8], fn(u8) -> u8) = match tag.encoding {
        Encoding::Hex => (b"0123456789abcdef", |c| u8::from(c.is_ascii_digit())),
        Encoding::Base64 => (b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", |c| {
            if c.is_ascii_uppercase() {
                0
            } else if c.is_ascii_lowercase() {
                1
            } else if c.is_ascii_digit() {
                2
            } else {
                3
            }
        }),
    };
    let tag_text = bytes.get_mut(start..).ok_or("tag past the signature")?;
    let (index, flipped) = candidates
        .into_iter()
        .find_map(|(index, bit)| {
            let at = *tag_text.get(index)?;
            let value = alphabet.iter().position(|&c| c == at)?;
            let flipped = *alphabet.get(value ^ (1 << bit))?;
            (class(flipped) == class(at)).then_some((index, flipped))
        })
        .ok_or("no same-kind character to flip to")?;
    if let Some(at) = tag_text.get_mut(index) {
        *at = flipped;
    }
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// What a hand-written handler often does: sign the body again and compare the signatures
/// byte by byte, returning at the first difference. Leaks where the first wrong byte is.
fn leaky_verify(verifier: &Verifier, headers: &[(&str, &str); 3], name: &str) -> bool {
    let Ok(signed) = verifier.sign(BODY, Some(MESSAGE_ID), TIMESTAMP) else { return false };
    let (Some((_, expected)), Some(received)) = (signed.iter().next(), headers.get(name)) else {
        return false;
    };
    leaky_eq(expected.as_bytes(), received)
}

#[inline(never)]
fn leaky_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return false;
        }
    }
    true
}

fn seed() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0x5eed, |d| d.as_nanos() as u64)
}

/// dudect's loop: `one(class)` prepares an input of `class` (0 or 1, drawn at random for
/// each measurement), times the check on it and gives the time and the check's result.
/// After a warm-up and a first batch that sets the percentile crops, `samples` measurements
/// go to the t-tests.
fn measure(samples: usize, mut one: impl FnMut(usize) -> (Duration, bool)) -> Verdict {
    let mut rng = SplitMix::new(seed());
    let mut next = || {
        let class = (rng.next() & 1) as usize;
        let (elapsed, result) = one(class);
        black_box(result);
        (elapsed.as_nanos() as u64, class)
    };
    for _ in 0..WARM_UP {
        next();
    }
    let first: Vec<u64> = (0..FIRST_BATCH).map(|_| next().0).collect();
    let mut dudect = Dudect::new(&first);
    for _ in 0..samples {
        let (nanos, class) = next();
        dudect.push(nanos, class);
    }
    dudect.verdict()
}
