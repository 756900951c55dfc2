//! Sign-then-verify for every scheme, rotation, several signatures per header, the timestamp
//! window, secret checks at build time, and single-bit changes that must all be rejected.

use hookguard::{
    Algorithm, Error, EventKind, Headers, MAX_SECRETS, Scheme, SecretFormat, SignedHeaders, Verified,
    Verifier,
};
use proptest::prelude::*;

const NOW: u64 = 1_767_225_600;
/// Carries every body id and timestamp a provider reads: Trigger.dev's `created` and Linear's
/// `webhookTimestamp` (both `NOW`).
const BODY: &[u8] = br#"{"id":"evt_1","event_id":"ev_1","created":"2026-01-01T00:00:00Z","webhookTimestamp":1767225600000,"type":"alert.run.failed","object":{"run":{"id":"run_1"}}}"#;

const URL: &str = "https://example.com/hooks/in";

/// A valid secret for `scheme`, distinct per `n`: a `whsec_` key, an Ed25519 public key (of
/// [`signing_key`]), or text.
fn secret(scheme: Scheme, n: u8) -> String {
    match scheme.spec().secret {
        // base64 of 32 bytes of `n`, the size Svix issues.
        SecretFormat::Whsec => format!("whsec_{}", base64_of(&[n; 32])),
        SecretFormat::HexPublicKey => hex(signing_key(n).verifying_key().as_bytes()),
        SecretFormat::Text => format!("secret-{n}-for-{}", scheme.name()),
    }
}

/// The private key behind the public key `secret(scheme, n)` for Ed25519 schemes, signing
/// independently of hookguard (which only verifies Ed25519).
fn signing_key(n: u8) -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[n; 32])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

fn verifier<S: AsRef<[u8]>>(scheme: Scheme, secrets: &[S]) -> Verifier {
    Verifier::new(scheme, secrets).and_then(|v| v.with_url(URL)).expect("valid secrets")
}

/// The headers the provider sends with `body`, signed with `secret(scheme, n)`.
fn sign_as(scheme: Scheme, n: u8, body: &[u8], ts: u64) -> Vec<(String, String)> {
    if scheme.spec().algorithm == Algorithm::Ed25519 {
        // Discord: Ed25519 over `{timestamp}{body}`, hex, with the timestamp in its own header.
        use ed25519_dalek::Signer;
        let message = [ts.to_string().as_bytes(), body].concat();
        let signature = signing_key(n).sign(&message);
        let mut names = scheme.header_names();
        let (sig, stamp) = (names.next().expect("signature header"), names.next().expect("timestamp header"));
        return vec![(sig.into(), hex(&signature.to_bytes())), (stamp.into(), ts.to_string())];
    }
    owned(&verifier(scheme, &[secret(scheme, n)]).sign(body, Some("msg_2Kc1"), ts).expect("signs"))
}

fn sign(scheme: Scheme, secret: &str, body: &[u8], ts: u64) -> SignedHeaders {
    verifier(scheme, &[secret]).sign(body, Some("msg_2Kc1"), ts).expect("signs")
}

fn owned(headers: &SignedHeaders) -> Vec<(String, String)> {
    headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
}

fn verify(v: &Verifier, headers: &[(String, String)], body: &[u8], now: u64) -> Result<(), Error> {
    verify_owned(v, headers, body, now).map(|_| ())
}

fn verify_owned<'a>(
    v: &'a Verifier,
    headers: &'a [(String, String)],
    body: &'a [u8],
    now: u64,
) -> Result<Verified<'a>, Error> {
    // The headers are read during verify only; what is kept borrows the body and the verifier.
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let pairs: &'a [(&str, &str)] = Box::leak(pairs.into_boxed_slice());
    v.verify(pairs, body, now)
}

/// One row per provider: whether a timestamp is read (from a header, a signature item or the
/// body), the idempotency key (`#` for one over the signed content) and whether a replay key
/// backs it (an unsigned delivery id).
const ROWS: &[(&str, bool, &str, bool)] = &[
    ("trigger", true, "trigger:evt_1", false),
    ("standard", true, "standard:msg_2Kc1", false),
    ("svix", true, "standard:msg_2Kc1", false),
    ("clerk", true, "standard:msg_2Kc1", false),
    ("resend", true, "standard:msg_2Kc1", false),
    ("openai", true, "standard:msg_2Kc1", false),
    ("replicate", true, "standard:msg_2Kc1", false),
    ("stripe", true, "stripe:evt_1", false),
    ("github", false, "github:msg_2Kc1", true),
    ("slack", true, "slack:ev_1", false),
    ("shopify", false, "shopify:msg_2Kc1", true),
    ("square", false, "square:ev_1", false),
    ("discord", true, "#", false),
    ("zoom", true, "#", false),
    ("calendly", true, "#", false),
    ("cal-com", false, "#", false),
    ("sentry", false, "sentry:msg_2Kc1", true),
    ("pagerduty", false, "#", false),
    ("vercel", false, "vercel:evt_1", false),
    ("linear", true, "linear:msg_2Kc1", true),
    ("notion", false, "notion:evt_1", false),
    ("typeform", false, "typeform:ev_1", false),
    ("docusign", false, "#", false),
    ("jira", false, "jira:msg_2Kc1", true),
    ("intercom", false, "intercom:evt_1", false),
    ("zendesk", true, "zendesk:msg_2Kc1", true),
    ("attio", false, "#", false),
    ("workos", true, "workos:evt_1", false),
    ("elevenlabs", true, "#", false),
    ("vapi", false, "#", false),
    ("retell", true, "#", false),
];

#[test]
fn every_scheme_round_trips() {
    assert_eq!(
        Scheme::ALL.iter().map(|s| s.name()).collect::<Vec<_>>(),
        ROWS.iter().map(|r| r.0).collect::<Vec<_>>(),
        "one row per provider, in the table's order"
    );
    assert!(Scheme::ALL.len() >= 30);
    for (&scheme, &(_, timestamped, key, replay)) in Scheme::ALL.iter().zip(ROWS) {
        let verifier = verifier(scheme, &[secret(scheme, 1)]);
        let headers = sign_as(scheme, 1, BODY, NOW);
        let verified =
            verify_owned(&verifier, &headers, BODY, NOW).unwrap_or_else(|e| panic!("{scheme:?}: {e}"));
        assert_eq!(verified.body(), BODY, "{scheme:?}");
        let mut scratch = [0u8; 64];
        let event = verified.parse(&mut scratch).unwrap();
        assert_eq!(event.run_id, Some("run_1"), "{scheme:?}");
        assert_eq!(Some(scheme.header_names().next().unwrap()), headers.first().map(|(n, _)| n.as_str()));
        assert_eq!(verified.timestamp(), timestamped.then_some(NOW), "{scheme:?}");
        let content_key = format!("{}:sha256-body:", scheme.spec().family.unwrap_or(scheme.name()));
        match key {
            "#" => assert!(event.idempotency_key.as_str().starts_with(&content_key), "{scheme:?}"),
            key => assert_eq!(event.idempotency_key.as_str(), key, "{scheme:?}"),
        }
        assert_eq!(event.idempotency_key, verified.idempotency_key(), "{scheme:?}");
        assert_eq!(event.replay_key.is_some(), replay, "{scheme:?}");
        if let Some(replay) = &event.replay_key {
            assert!(replay.as_str().starts_with(&content_key), "{scheme:?}");
        }
    }
}

#[test]
fn a_captured_delivery_under_a_new_unsigned_id_has_the_same_replay_key() {
    let with_id = |id: &str| {
        let mut headers = sign_as(Scheme::GITHUB, 1, BODY, NOW);
        headers.retain(|(n, _)| n != "x-github-delivery");
        headers.push(("x-github-delivery".into(), id.into()));
        headers
    };
    let verifier = verifier(Scheme::GITHUB, &[secret(Scheme::GITHUB, 1)]);
    let (first, second) = (with_id("d-1"), with_id("d-2"));
    let first = verify_owned(&verifier, &first, BODY, NOW).unwrap();
    let second = verify_owned(&verifier, &second, BODY, NOW).unwrap();
    assert_ne!(first.idempotency_key(), second.idempotency_key());
    assert_eq!(first.replay_key(), second.replay_key());
    assert!(first.replay_key().is_some());
}

#[test]
fn a_retry_signed_with_a_new_timestamp_keeps_its_key() {
    // The providers whose key is over the body: their retries are signed anew.
    for &(name, stamped, key, _) in ROWS.iter().filter(|(_, stamped, key, _)| *stamped && *key == "#") {
        let scheme = Scheme::from_name(name).expect("a built-in scheme");
        let verifier = verifier(scheme, &[secret(scheme, 1)]);
        let (first, retry) = (sign_as(scheme, 1, BODY, NOW), sign_as(scheme, 1, BODY, NOW + 60));
        assert_ne!(first, retry, "{name}: the retry's signature differs");
        let keys = [&first, &retry].map(|headers| {
            verify_owned(&verifier, headers, BODY, NOW + 60).expect("verifies").idempotency_key().clone()
        });
        assert_eq!(keys[0], keys[1], "{name} {key} (stamped: {stamped})");
    }
}

#[test]
fn docusign_during_a_rotation_is_checked_against_each_signature_header() {
    let (one, two) = (secret(Scheme::DOCUSIGN, 1), secret(Scheme::DOCUSIGN, 2));
    let signature = |secret: &str| owned(&sign(Scheme::DOCUSIGN, secret, BODY, NOW)).remove(0).1;
    let headers = vec![
        ("x-docusign-signature-1".to_string(), signature(&one)),
        ("x-docusign-signature-2".to_string(), signature(&two)),
    ];
    for secret in [&one, &two] {
        assert_eq!(verify(&verifier(Scheme::DOCUSIGN, &[secret]), &headers, BODY, NOW), Ok(()));
    }
    let other = secret(Scheme::DOCUSIGN, 3);
    assert_eq!(
        verify(&verifier(Scheme::DOCUSIGN, &[&other]), &headers, BODY, NOW),
        Err(Error::InvalidSignature)
    );
}

#[test]
fn standard_and_svix_deliveries_share_keys() {
    let keys: Vec<String> = [Scheme::STANDARD, Scheme::SVIX, Scheme::CLERK, Scheme::OPENAI]
        .into_iter()
        .map(|scheme| {
            let verifier = verifier(scheme, &[secret(scheme, 1)]);
            let body = br#"{"no":"id"}"#;
            let headers = sign_as(scheme, 1, body, NOW);
            verify_owned(&verifier, &headers, body, NOW).unwrap().idempotency_key().as_str().to_string()
        })
        .collect();
    assert!(keys.iter().all(|k| k == "standard:msg_2Kc1"), "{keys:?}");
}

#[test]
fn an_unsigned_type_header_never_names_a_trigger_kind() {
    let body = br#"{"action":"opened"}"#;
    let verifier = verifier(Scheme::GITHUB, &[secret(Scheme::GITHUB, 1)]);
    let mut headers = sign_as(Scheme::GITHUB, 1, body, NOW);
    headers.push(("x-github-event".into(), "alert.run.failed".into()));
    let verified = verify_owned(&verifier, &headers, body, NOW).unwrap();
    let mut scratch = [0u8; 64];
    let event = verified.parse(&mut scratch).unwrap();
    assert_eq!(event.event_type, Some("alert.run.failed"));
    assert_eq!(event.kind, EventKind::Other);
}

#[test]
fn every_header_name_is_read_case_insensitively() {
    for &scheme in Scheme::ALL {
        let verifier = verifier(scheme, &[secret(scheme, 1)]);
        let shouted: Vec<(String, String)> =
            sign_as(scheme, 1, BODY, NOW).into_iter().map(|(n, v)| (n.to_ascii_uppercase(), v)).collect();
        assert_eq!(verify(&verifier, &shouted, BODY, NOW), Ok(()), "{scheme:?}");
    }
}

#[test]
fn trigger_accepts_the_old_header_name() {
    let verifier = verifier(Scheme::TRIGGER, &[secret(Scheme::TRIGGER, 1)]);
    let sig = sign_as(Scheme::TRIGGER, 1, BODY, 0).remove(0).1;
    let headers = vec![("x-trigger-signature".to_string(), sig)];
    assert_eq!(verify(&verifier, &headers, BODY, NOW), Ok(()));
}

#[test]
fn rotation_accepts_every_configured_secret_and_no_other() {
    for &scheme in Scheme::ALL {
        let verifier = verifier(scheme, &[secret(scheme, 1), secret(scheme, 2)]);
        for n in [1, 2] {
            let headers = sign_as(scheme, n, BODY, NOW);
            assert_eq!(verify(&verifier, &headers, BODY, NOW), Ok(()), "{scheme:?}");
        }
        let headers = sign_as(scheme, 3, BODY, NOW);
        assert_eq!(verify(&verifier, &headers, BODY, NOW), Err(Error::InvalidSignature), "{scheme:?}");
    }
}

#[test]
fn several_signatures_in_one_header() {
    // Standard Webhooks: space-separated, unknown versions skipped.
    let (new, old) = (secret(Scheme::STANDARD, 1), secret(Scheme::STANDARD, 2));
    let standard = verifier(Scheme::STANDARD, &[&old]);
    let mut headers = owned(&sign(Scheme::STANDARD, &old, BODY, NOW));
    let good = headers[0].1.clone();
    let other = owned(&sign(Scheme::STANDARD, &new, BODY, NOW))[0].1.clone();
    headers[0].1 = format!("v1a,ignored {other} {good}");
    assert_eq!(verify(&standard, &headers, BODY, NOW), Ok(()));

    // Stripe: several v1 during a secret roll, v0 ignored.
    let (new, old) = (secret(Scheme::STRIPE, 1), secret(Scheme::STRIPE, 2));
    let stripe = verifier(Scheme::STRIPE, &[&old]);
    let good = owned(&sign(Scheme::STRIPE, &old, BODY, NOW))[0].1.clone();
    let other = owned(&sign(Scheme::STRIPE, &new, BODY, NOW))[0].1.clone();
    let v1 = |h: &str| h.split(",v1=").nth(1).unwrap().to_string();
    let header = format!("t={NOW},v1={},v0=00, v1={}", v1(&other), v1(&good));
    let headers = vec![("Stripe-Signature".to_string(), header)];
    assert_eq!(verify(&stripe, &headers, BODY, NOW), Ok(()));
}

#[test]
fn timestamp_window_applies_to_old_and_future_stamps() {
    let signed_stamps = Scheme::ALL.iter().filter(|s| {
        s.spec().timestamp.is_some_and(|t| !matches!(t.source, hookguard::TimestampSource::Body(_)))
    });
    for &scheme in signed_stamps {
        let tolerance = scheme.spec().timestamp.unwrap().tolerance;
        let verifier = verifier(scheme, &[secret(scheme, 1)]);
        let headers = sign_as(scheme, 1, BODY, NOW);
        for (now, expected) in [
            (NOW + tolerance, Ok(())),
            (NOW - tolerance, Ok(())),
            (NOW + tolerance + 1, Err(Error::TimestampOutOfTolerance)),
            (NOW - tolerance - 1, Err(Error::TimestampOutOfTolerance)),
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
    let github = verifier(Scheme::GITHUB, &[secret(Scheme::GITHUB, 1)]);
    let headers = sign_as(Scheme::GITHUB, 1, BODY, 0);
    assert_eq!(verify(&github, &headers, BODY, u64::MAX), Ok(()));
}

#[test]
fn trigger_created_is_a_max_age_that_can_be_changed_or_turned_off() {
    let trigger = verifier(Scheme::TRIGGER, &[secret(Scheme::TRIGGER, 1)]);
    let headers = sign_as(Scheme::TRIGGER, 1, BODY, 0);
    assert_eq!(verify(&trigger, &headers, BODY, NOW + 3600), Ok(()));
    assert_eq!(verify(&trigger, &headers, BODY, NOW + 3601), Err(Error::TimestampOutOfTolerance));
    let day = trigger.clone().with_tolerance(86_400);
    assert_eq!(verify(&day, &headers, BODY, NOW + 86_400), Ok(()));
    let off = trigger.clone().with_tolerance(u64::MAX);
    assert_eq!(verify(&off, &headers, BODY, u64::MAX), Ok(()));
    // The flat "v1" body has no `created`, and passes.
    let flat = br#"{"runId":"run_1"}"#;
    let headers = sign_as(Scheme::TRIGGER, 1, flat, 0);
    assert_eq!(verify(&trigger, &headers, flat, u64::MAX), Ok(()));
}

#[test]
fn secrets_are_checked_when_the_verifier_is_built() {
    let none: [&str; 0] = [];
    for &scheme in Scheme::ALL {
        for bad in ["", " ", "\t\n"] {
            assert_eq!(
                Verifier::new(scheme, &[bad]).unwrap_err(),
                Error::InvalidSecret,
                "{scheme:?} {bad:?}"
            );
            let short = Verifier::new_with_short_secrets(scheme, &[bad]);
            assert_eq!(short.unwrap_err(), Error::InvalidSecret, "{scheme:?} {bad:?}");
        }
        assert_eq!(Verifier::new(scheme, &none).unwrap_err(), Error::InvalidSecret, "{scheme:?}");
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
    // Text secrets: 16 bytes at least, unless the caller opts out for a legacy secret.
    let fifteen = "x".repeat(hookguard::MIN_SECRET_LEN - 1);
    assert_eq!(Verifier::new(Scheme::TRIGGER, &[&fifteen]).unwrap_err(), Error::InvalidSecret);
    assert!(Verifier::new(Scheme::TRIGGER, &[format!("{fifteen}x")]).is_ok());
    assert!(Verifier::new_with_short_secrets(Scheme::TRIGGER, &["s3cret"]).is_ok());
    // `is_usable_secret` (the rule for tokens the worker and run tokens take) is the same rule.
    let blank = " \t\r\n".repeat(4);
    for (text, usable) in
        [("", false), (fifteen.as_str(), false), (blank.as_str(), false), ("x".repeat(16).as_str(), true)]
    {
        assert_eq!(hookguard::is_usable_secret(text.as_bytes()), usable, "{text:?}");
        assert_eq!(Verifier::new(Scheme::TRIGGER, &[text]).is_ok(), usable, "{text:?}");
    }
    for scheme in [Scheme::STANDARD, Scheme::SVIX] {
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
    // Ed25519: 64 lower-case hex digits of a public key.
    let key = secret(Scheme::DISCORD, 1);
    assert!(Verifier::new(Scheme::DISCORD, &[&key]).is_ok());
    for bad in [&key[2..], &key.to_uppercase(), "not a key at all, not a key at all"] {
        assert_eq!(Verifier::new(Scheme::DISCORD, &[bad]).unwrap_err(), Error::InvalidSecret, "{bad:?}");
    }
    // Ed25519 verifies with a public key: it cannot sign.
    let discord = verifier(Scheme::DISCORD, &[&key]);
    assert_eq!(discord.sign(BODY, None, NOW).unwrap_err(), Error::UnsupportedAlgorithm);
}

#[test]
fn square_signs_the_url_it_was_given() {
    let secret = secret(Scheme::SQUARE, 1);
    let headers = sign_as(Scheme::SQUARE, 1, BODY, NOW);
    let bare = Verifier::new(Scheme::SQUARE, &[&secret]).unwrap();
    assert_eq!(verify(&bare, &headers, BODY, NOW), Err(Error::MissingUrl));
    let other = bare.clone().with_url("https://example.com/hooks/other").unwrap();
    assert_eq!(verify(&other, &headers, BODY, NOW), Err(Error::InvalidSignature));
    assert_eq!(bare.with_url(&"u".repeat(hookguard::MAX_URL + 1)).unwrap_err(), Error::UrlTooLong);
}

#[test]
fn debug_output_never_shows_secrets() {
    let trigger = verifier(Scheme::TRIGGER, &["hunter2-super-secret"]);
    let shown = format!("{trigger:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("trigger"), "{shown}");
}

#[test]
fn sign_refuses_bad_message_ids() {
    let standard = verifier(Scheme::STANDARD, &[secret(Scheme::STANDARD, 1)]);
    assert_eq!(standard.sign(BODY, None, NOW).unwrap_err(), Error::InvalidMessageId);
    let long = "m".repeat(hookguard::MAX_MESSAGE_ID + 1);
    for bad in ["", "has space", "new\nline", "msg.1", long.as_str()] {
        assert_eq!(standard.sign(BODY, Some(bad), NOW).unwrap_err(), Error::InvalidMessageId, "{bad:?}");
    }
    let github = verifier(Scheme::GITHUB, &[secret(Scheme::GITHUB, 1)]);
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
        let verifier = verifier(scheme, &[secret(scheme, 1)]);
        let headers = sign_as(scheme, 1, &body, NOW);
        // Bodies whose timestamp is inside them (Linear) need one: these are not JSON.
        let expected = if scheme == Scheme::LINEAR { Err(Error::MissingTimestamp) } else { Ok(()) };
        prop_assert_eq!(verify(&verifier, &headers, &body, NOW), expected);
        flip(&mut body, bit);
        prop_assert_eq!(verify(&verifier, &headers, &body, NOW), Err(Error::InvalidSignature));
    }

    #[test]
    fn any_bit_flip_in_the_signature_header_is_rejected(
        scheme in scheme_strategy(),
        bit in any::<usize>(),
    ) {
        let verifier = verifier(scheme, &[secret(scheme, 1)]);
        let mut headers = sign_as(scheme, 1, BODY, NOW);
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
        let headers = sign_as(scheme, 1, BODY, NOW);
        let mut flipped = secret(scheme, 1).into_bytes();
        flip(&mut flipped, bit);
        // A flip that makes the secret unusable is refused when the verifier is built.
        if let Ok(verifier) = Verifier::new(scheme, &[flipped.as_slice()]).and_then(|v| v.with_url(URL)) {
            prop_assert_eq!(verify(&verifier, &headers, BODY, NOW), Err(Error::InvalidSignature));
        }
    }

    #[test]
    fn any_bit_flip_in_the_timestamp_is_rejected(
        scheme in prop::sample::select(
            Scheme::ALL.iter().copied().filter(|s| {
                s.spec().timestamp.is_some_and(|t| !matches!(t.source, hookguard::TimestampSource::Body(_)))
                    && s.spec().timestamp.is_some_and(|t| t.unit != hookguard::Unit::Rfc3339)
            }).collect::<Vec<_>>()
        ),
        bit in any::<usize>(),
    ) {
        let verifier = verifier(scheme, &[secret(scheme, 1)]);
        let mut headers = sign_as(scheme, 1, BODY, NOW);
        // Stamps in the signature header (Stripe's t=) or in one of their own: the seconds'
        // digits (a millisecond stamp starts with them).
        let ts_text = NOW.to_string();
        let index = headers.iter().position(|(_, v)| v.contains(&ts_text)).unwrap();
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
