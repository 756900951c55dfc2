//! Sign-then-verify for every scheme, rotation, several signatures per header, the timestamp
//! window, secret checks at build time, and single-bit changes that must all be rejected.

use hookguard::{Error, Headers, MAX_SECRETS, Scheme, SignedHeaders, Verifier};
use proptest::prelude::*;

const NOW: u64 = 1_767_225_600;
const BODY: &[u8] = br#"{"id":"evt_1","type":"alert.run.failed","object":{"run":{"id":"run_1"}}}"#;

/// A valid secret for `scheme`, distinct per `n`.
fn secret(scheme: Scheme, n: u8) -> String {
    match scheme {
        Scheme::Standard | Scheme::Svix => {
            // base64 of 32 bytes of `n`, the size Svix issues.
            let mut s = String::from("whsec_");
            let b64 = base64_of(&[n; 32]);
            s.push_str(&b64);
            s
        }
        _ => format!("secret-{n}-for-{}", scheme.name()),
    }
}

fn base64_of(bytes: &[u8]) -> String {
    // Signing with the GitHub-style hex/base64 encoders is internal; this test builds its own.
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn sign(scheme: Scheme, secret: &str, body: &[u8], ts: u64) -> SignedHeaders {
    Verifier::new(scheme, &[secret]).expect("valid secret").sign(body, Some("msg_2Kc1"), ts).expect("signs")
}

fn owned(headers: &SignedHeaders) -> Vec<(String, String)> {
    headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
}

fn verify(v: &Verifier, headers: &[(String, String)], body: &[u8], now: u64) -> Result<(), Error> {
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    v.verify(pairs.as_slice(), body, now).map(|_| ())
}

#[test]
fn every_scheme_round_trips() {
    for scheme in Scheme::ALL {
        let secret = secret(scheme, 1);
        let verifier = Verifier::new(scheme, &[&secret]).unwrap();
        let headers = verifier.sign(BODY, Some("msg_2Kc1"), NOW).unwrap();
        let verified = verifier.verify(&headers, BODY, NOW).unwrap();
        assert_eq!(verified.body(), BODY, "{scheme:?}");
        let mut scratch = [0u8; 64];
        let event = verified.parse(&mut scratch).unwrap();
        assert_eq!(event.run_id, Some("run_1"), "{scheme:?}");
        assert_eq!(scheme.header_names().next(), headers.iter().next().map(|(n, _)| n));
        let timestamped = matches!(scheme, Scheme::Standard | Scheme::Svix | Scheme::Stripe | Scheme::Slack);
        assert_eq!(verified.timestamp(), timestamped.then_some(NOW), "{scheme:?}");
    }
}

#[test]
fn every_header_name_is_read_case_insensitively() {
    for scheme in Scheme::ALL {
        let secret = secret(scheme, 1);
        let verifier = Verifier::new(scheme, &[&secret]).unwrap();
        let shouted: Vec<(String, String)> = owned(&verifier.sign(BODY, Some("msg_2Kc1"), NOW).unwrap())
            .into_iter()
            .map(|(n, v)| (n.to_ascii_uppercase(), v))
            .collect();
        assert_eq!(verify(&verifier, &shouted, BODY, NOW), Ok(()), "{scheme:?}");
    }
}

#[test]
fn trigger_accepts_the_old_header_name() {
    let verifier = Verifier::new(Scheme::Trigger, &["s3cret"]).unwrap();
    let sig = owned(&verifier.sign(BODY, None, 0).unwrap()).remove(0).1;
    let headers = vec![("x-trigger-signature".to_string(), sig)];
    assert_eq!(verify(&verifier, &headers, BODY, 0), Ok(()));
}

#[test]
fn rotation_accepts_every_configured_secret_and_no_other() {
    for scheme in Scheme::ALL {
        let (new, old, stranger) = (secret(scheme, 1), secret(scheme, 2), secret(scheme, 3));
        let verifier = Verifier::new(scheme, &[new.as_str(), old.as_str()]).unwrap();
        for s in [&new, &old] {
            let headers = owned(&sign(scheme, s, BODY, NOW));
            assert_eq!(verify(&verifier, &headers, BODY, NOW), Ok(()), "{scheme:?}");
        }
        let headers = owned(&sign(scheme, &stranger, BODY, NOW));
        assert_eq!(verify(&verifier, &headers, BODY, NOW), Err(Error::InvalidSignature), "{scheme:?}");
    }
}

#[test]
fn several_signatures_in_one_header() {
    // Standard Webhooks: space-separated, unknown versions skipped.
    let (new, old) = (secret(Scheme::Standard, 1), secret(Scheme::Standard, 2));
    let verifier = Verifier::new(Scheme::Standard, &[&old]).unwrap();
    let mut headers = owned(&sign(Scheme::Standard, &old, BODY, NOW));
    let good = headers[0].1.clone();
    let other = owned(&sign(Scheme::Standard, &new, BODY, NOW))[0].1.clone();
    headers[0].1 = format!("v1a,ignored {other} {good}");
    assert_eq!(verify(&verifier, &headers, BODY, NOW), Ok(()));

    // Stripe: several v1 during a secret roll, v0 ignored.
    let (new, old) = (secret(Scheme::Stripe, 1), secret(Scheme::Stripe, 2));
    let verifier = Verifier::new(Scheme::Stripe, &[&old]).unwrap();
    let good = owned(&sign(Scheme::Stripe, &old, BODY, NOW))[0].1.clone();
    let other = owned(&sign(Scheme::Stripe, &new, BODY, NOW))[0].1.clone();
    let v1 = |h: &str| h.split(",v1=").nth(1).unwrap().to_string();
    let header = format!("t={NOW},v1={},v0=00, v1={}", v1(&other), v1(&good));
    let headers = vec![("Stripe-Signature".to_string(), header)];
    assert_eq!(verify(&verifier, &headers, BODY, NOW), Ok(()));
}

#[test]
fn timestamp_window_applies_to_old_and_future_stamps() {
    for scheme in [Scheme::Standard, Scheme::Svix, Scheme::Stripe, Scheme::Slack] {
        let secret = secret(scheme, 1);
        let verifier = Verifier::new(scheme, &[&secret]).unwrap();
        let headers = owned(&sign(scheme, &secret, BODY, NOW));
        for (now, expected) in [
            (NOW + 300, Ok(())),
            (NOW - 300, Ok(())),
            (NOW + 301, Err(Error::TimestampOutOfTolerance)),
            (NOW - 301, Err(Error::TimestampOutOfTolerance)),
            (0, Err(Error::TimestampOutOfTolerance)),
            (u64::MAX, Err(Error::TimestampOutOfTolerance)),
        ] {
            assert_eq!(verify(&verifier, &headers, BODY, now), expected, "{scheme:?} now={now}");
        }
        let strict = verifier.clone().with_tolerance(10);
        assert_eq!(verify(&strict, &headers, BODY, NOW + 10), Ok(()), "{scheme:?}");
        assert_eq!(verify(&strict, &headers, BODY, NOW + 11), Err(Error::TimestampOutOfTolerance));
    }
    // Schemes that sign no timestamp ignore the clock.
    let verifier = Verifier::new(Scheme::Trigger, &["s"]).unwrap();
    let headers = owned(&verifier.sign(BODY, None, 0).unwrap());
    assert_eq!(verify(&verifier, &headers, BODY, u64::MAX), Ok(()));
}

#[test]
fn secrets_are_checked_when_the_verifier_is_built() {
    let none: [&str; 0] = [];
    for scheme in Scheme::ALL {
        assert_eq!(Verifier::new(scheme, &none).unwrap_err(), Error::InvalidSecret, "{scheme:?}");
        assert_eq!(Verifier::new(scheme, &[""]).unwrap_err(), Error::InvalidSecret, "{scheme:?}");
        let good = secret(scheme, 1);
        assert_eq!(
            Verifier::new(scheme, &[good.as_str(), ""]).unwrap_err(),
            Error::InvalidSecret,
            "{scheme:?}: an empty secret among good ones"
        );
        let many = vec![good.as_str(); MAX_SECRETS + 1];
        assert_eq!(Verifier::new(scheme, &many).unwrap_err(), Error::TooManySecrets, "{scheme:?}");
        assert!(Verifier::new(scheme, &many[..MAX_SECRETS]).is_ok(), "{scheme:?}");
    }
    for scheme in [Scheme::Standard, Scheme::Svix] {
        let key = |n: usize| format!("whsec_{}", base64_of(&vec![7u8; n]));
        assert!(Verifier::new(scheme, &[key(24)]).is_ok());
        assert!(Verifier::new(scheme, &[key(64)]).is_ok());
        // The prefix is optional, as in the reference libraries.
        assert!(Verifier::new(scheme, &[&key(32)["whsec_".len()..]]).is_ok());
        for bad in [
            key(23),
            key(65),
            "whsec_".to_string(),
            "whsec_not base64!".to_string(),
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".trim_end_matches('w').to_string(),
            format!("{} ", key(32)),
        ] {
            assert_eq!(Verifier::new(scheme, &[&bad]).unwrap_err(), Error::InvalidSecret, "{bad:?}");
        }
    }
}

#[test]
fn debug_output_never_shows_secrets() {
    let verifier = Verifier::new(Scheme::Trigger, &["hunter2-super-secret"]).unwrap();
    let shown = format!("{verifier:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("Trigger"), "{shown}");
}

#[test]
fn sign_refuses_bad_message_ids() {
    let standard = Verifier::new(Scheme::Standard, &[secret(Scheme::Standard, 1)]).unwrap();
    assert_eq!(standard.sign(BODY, None, NOW).unwrap_err(), Error::InvalidMessageId);
    let long = "m".repeat(hookguard::MAX_MESSAGE_ID + 1);
    for bad in ["", "has space", "new\nline", long.as_str()] {
        assert_eq!(standard.sign(BODY, Some(bad), NOW).unwrap_err(), Error::InvalidMessageId, "{bad:?}");
    }
    let github = Verifier::new(Scheme::GitHub, &["s"]).unwrap();
    let headers = github.sign(BODY, Some("d-1"), 0).unwrap();
    assert_eq!(headers.get("x-github-delivery"), Some(&b"d-1"[..]));
}

fn flip(bytes: &mut [u8], bit: usize) {
    let bit = bit % (bytes.len() * 8);
    bytes[bit / 8] ^= 1 << (bit % 8);
}

fn scheme_strategy() -> impl Strategy<Value = Scheme> {
    prop::sample::select(Scheme::ALL.to_vec())
}

proptest! {
    #[test]
    fn any_bit_flip_in_the_body_is_rejected(
        scheme in scheme_strategy(),
        mut body in prop::collection::vec(any::<u8>(), 1..300),
        bit in any::<usize>(),
    ) {
        let secret = secret(scheme, 1);
        let verifier = Verifier::new(scheme, &[&secret]).unwrap();
        let headers = owned(&verifier.sign(&body, Some("msg_1"), NOW).unwrap());
        prop_assert_eq!(verify(&verifier, &headers, &body, NOW), Ok(()));
        flip(&mut body, bit);
        prop_assert_eq!(verify(&verifier, &headers, &body, NOW), Err(Error::InvalidSignature));
    }

    #[test]
    fn any_bit_flip_in_the_signature_header_is_rejected(
        scheme in scheme_strategy(),
        bit in any::<usize>(),
    ) {
        let secret = secret(scheme, 1);
        let verifier = Verifier::new(scheme, &[&secret]).unwrap();
        let mut headers = owned(&verifier.sign(BODY, Some("msg_1"), NOW).unwrap());
        let mut value = headers[0].1.clone().into_bytes();
        flip(&mut value, bit);
        headers[0].1 = String::from_utf8_lossy(&value).into_owned();
        prop_assert!(verify(&verifier, &headers, BODY, NOW).is_err());
    }

    #[test]
    fn any_bit_flip_in_the_secret_is_rejected(
        scheme in scheme_strategy(),
        bit in any::<usize>(),
    ) {
        let secret = secret(scheme, 1);
        let headers = owned(&sign(scheme, &secret, BODY, NOW));
        let mut flipped = secret.into_bytes();
        flip(&mut flipped, bit);
        // A flip that makes the secret unusable is refused when the verifier is built.
        if let Ok(verifier) = Verifier::new(scheme, &[flipped.as_slice()]) {
            prop_assert_eq!(verify(&verifier, &headers, BODY, NOW), Err(Error::InvalidSignature));
        }
    }

    #[test]
    fn any_bit_flip_in_the_timestamp_is_rejected(
        scheme in prop::sample::select(vec![Scheme::Standard, Scheme::Svix, Scheme::Stripe, Scheme::Slack]),
        bit in any::<usize>(),
    ) {
        let secret = secret(scheme, 1);
        let verifier = Verifier::new(scheme, &[&secret]).unwrap();
        let mut headers = owned(&verifier.sign(BODY, Some("msg_1"), NOW).unwrap());
        // Stripe carries the stamp in its signature header; the others in a header of its own.
        let index = if scheme == Scheme::Stripe { 0 } else { headers.len() - 1 };
        let ts_text = NOW.to_string();
        let start = headers[index].1.find(&ts_text).unwrap();
        let mut value = headers[index].1.clone().into_bytes();
        flip(&mut value[start..start + ts_text.len()], bit);
        headers[index].1 = String::from_utf8_lossy(&value).into_owned();
        // Even a verifier whose clock agrees with the altered stamp must refuse it.
        let altered: Option<u64> = core::str::from_utf8(&value[start..start + ts_text.len()]).ok().and_then(|t| t.parse().ok());
        let now = altered.unwrap_or(NOW);
        prop_assert!(verify(&verifier, &headers, BODY, now).is_err());
    }
}
