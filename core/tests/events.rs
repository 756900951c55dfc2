//! Parsing verified payloads into events, and the idempotency key of each scheme.

use hookguard::{Error, Event, EventKind, KeySource, Scheme, Verifier};

const NOW: u64 = 1_767_225_600;

fn sample(name: &str) -> Vec<u8> {
    let path = format!("{}/samples/trigger/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Signs `body` as `scheme` would, verifies it, parses it into `scratch` and hands the event
/// to `check` (the event borrows the request's headers, which live only in here).
fn parse_with<R>(
    scheme: Scheme,
    body: &[u8],
    extra: &[(&str, &str)],
    scratch: &mut [u8],
    check: impl FnOnce(Event<'_>) -> R,
) -> Result<R, Error> {
    let secret = if scheme.spec().secret == hookguard::SecretFormat::Whsec {
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    } else {
        "s3cret"
    };
    // The samples were created on fixed days: Trigger.dev's max age is tested in roundtrip.rs.
    let verifier = Verifier::new_with_short_secrets(scheme, &[secret])?.with_tolerance(u64::MAX);
    let signed = verifier.sign(body, Some("msg_2Kc1"), NOW)?;
    let mut headers: Vec<(&str, &str)> = signed.iter().collect();
    headers.extend_from_slice(extra);
    let verified = verifier.verify(headers.as_slice(), body, NOW)?;
    Ok(check(verified.parse(scratch)?))
}

/// The parsed event's fields, owned, for tests that compare several.
#[derive(Debug)]
struct Owned {
    kind: EventKind,
    event_type: Option<String>,
    id: Option<String>,
    created: Option<String>,
    webhook_version: Option<String>,
    run_id: Option<String>,
    run_status: Option<String>,
    run_number: Option<u64>,
    task_id: Option<String>,
    deployment_id: Option<String>,
    deployment_status: Option<String>,
    deployment_version: Option<String>,
    environment_type: Option<String>,
    environment_slug: Option<String>,
    project_ref: Option<String>,
    error_message: Option<String>,
    key: String,
    source: KeySource,
}

fn parse(scheme: Scheme, body: &[u8], extra: &[(&str, &str)], scratch: &mut [u8]) -> Result<Owned, Error> {
    let o = |s: Option<&str>| s.map(str::to_string);
    parse_with(scheme, body, extra, scratch, |e| Owned {
        kind: e.kind,
        event_type: o(e.event_type),
        id: o(e.id),
        created: o(e.created),
        webhook_version: o(e.webhook_version),
        run_id: o(e.run_id),
        run_status: o(e.run_status),
        run_number: e.run_number,
        task_id: o(e.task_id),
        deployment_id: o(e.deployment_id),
        deployment_status: o(e.deployment_status),
        deployment_version: o(e.deployment_version),
        environment_type: o(e.environment_type),
        environment_slug: o(e.environment_slug),
        project_ref: o(e.project_ref),
        error_message: o(e.error_message),
        key: e.idempotency_key.as_str().to_string(),
        source: e.idempotency_key.source(),
    })
}

#[test]
fn alert_run_failed() {
    let body = sample("alert.run.failed");
    let mut scratch = [0u8; 2048];
    let e = parse(Scheme::TRIGGER, &body, &[], &mut scratch).unwrap();
    assert_eq!(e.kind, EventKind::AlertRunFailed);
    assert_eq!(e.event_type.as_deref(), Some("alert.run.failed"));
    assert_eq!(e.id.as_deref(), Some("evt_01jq8m6xk2c3v4b5n6m7p8q9r0"));
    assert_eq!(e.created.as_deref(), Some("2026-11-20T14:03:11.482Z"));
    assert_eq!(e.webhook_version.as_deref(), Some("2025-07-01"));
    assert_eq!(e.run_id.as_deref(), Some("run_cm3x9a0b1c2d3e4f5g6h7i8j"));
    assert_eq!(e.run_status.as_deref(), Some("FAILED"));
    assert_eq!(e.run_number, Some(1842));
    assert_eq!(e.task_id.as_deref(), Some("generate-track"));
    assert_eq!(e.environment_type.as_deref(), Some("PRODUCTION"));
    assert_eq!(e.environment_slug.as_deref(), Some("prod"));
    assert_eq!(e.project_ref.as_deref(), Some("proj_abcdefghijklmnop"));
    // Escaped quote, \u00e9 and a surrogate pair come out unescaped.
    assert_eq!(e.error_message.as_deref(), Some("Render failed: \"vocals\" stem missing for café track 🎵"));
    assert_eq!(e.deployment_id.as_deref(), None);
    assert_eq!(e.key.as_str(), "trigger:evt_01jq8m6xk2c3v4b5n6m7p8q9r0");
    assert_eq!(e.source, KeySource::BodyId);
}

#[test]
fn alert_deployment_success_and_failed() {
    let body = sample("alert.deployment.success");
    let mut scratch = [0u8; 2048];
    let e = parse(Scheme::TRIGGER, &body, &[], &mut scratch).unwrap();
    assert_eq!(e.kind, EventKind::AlertDeploymentSuccess);
    assert_eq!(
        (e.deployment_id.as_deref(), e.deployment_status.as_deref(), e.deployment_version.as_deref()),
        (Some("deployment_cm3y1"), Some("DEPLOYED"), Some("20261120.4"))
    );
    assert_eq!(e.task_id.as_deref(), None, "tasks[] is a list, not the task");
    assert_eq!(e.error_message.as_deref(), None);

    let body = sample("alert.deployment.failed");
    let mut scratch = [0u8; 2048];
    let e = parse(Scheme::TRIGGER, &body, &[], &mut scratch).unwrap();
    assert_eq!(e.kind, EventKind::AlertDeploymentFailed);
    assert_eq!(e.deployment_status.as_deref(), Some("FAILED"));
    assert_eq!(e.error_message.as_deref(), Some("Cannot find module './mixer'"));
    assert_eq!(e.environment_type.as_deref(), Some("STAGING"));
}

#[test]
fn alert_error_is_keyed_by_content_not_by_its_changing_id() {
    let body = sample("alert.error");
    let mut scratch = [0u8; 2048];
    let e = parse(Scheme::TRIGGER, &body, &[], &mut scratch).unwrap();
    assert_eq!(e.kind, EventKind::AlertError);
    assert_eq!(e.error_message.as_deref(), Some("Cannot read properties of undefined (reading 'bpm')"));
    assert_eq!(e.source, KeySource::ContentHash);
    let key = e.key.as_str();
    assert!(key.starts_with("trigger:sha256-object:") && key.len() == 86, "{key}");
    // A retry: Trigger.dev sends a new envelope id and created time, the same object.
    let text = String::from_utf8(body.clone()).unwrap();
    let retry = text
        .replace("evt_01jq8m9c4d5e6f7g8h9j0k1m2n", "evt_01jq8zzzzzzzzzzzzzzzzzzzzz")
        .replace("\"created\":\"2026-11-20T16:00:00.000Z\"", "\"created\":\"2026-11-20T16:00:05.000Z\"");
    assert_ne!(retry, text);
    let mut scratch2 = [0u8; 2048];
    let again = parse(Scheme::TRIGGER, retry.as_bytes(), &[], &mut scratch2).unwrap();
    assert_eq!(again.key, key, "a retry of the same alert.error is the same delivery");
    // A different error is a different delivery.
    let other = text.replace("\"occurrenceCount\":3", "\"occurrenceCount\":4");
    let mut scratch3 = [0u8; 2048];
    assert_ne!(parse(Scheme::TRIGGER, other.as_bytes(), &[], &mut scratch3).unwrap().key, key);
}

#[test]
fn dotted_keys_are_keys_not_paths() {
    let mut scratch = [0u8; 256];
    let body = br#"{"id":"e1","type":"run.completed","run.id":"run_FAKE","object.run.status":"COMPLETED"}"#;
    let e = parse(Scheme::TRIGGER, body, &[], &mut scratch).unwrap();
    assert_eq!((e.run_id, e.run_status), (None, None));
    let mut scratch = [0u8; 256];
    let body = br#"{"id":"e1","run":{"id":"run_1","error.message":"not a message"},"run.id":"x"}"#;
    let e = parse(Scheme::TRIGGER, body, &[], &mut scratch).unwrap();
    assert_eq!((e.run_id.as_deref(), e.error_message), (Some("run_1"), None));
}

#[test]
fn run_number_falls_back_when_the_envelope_number_is_unusable() {
    let mut scratch = [0u8; 256];
    let body = br#"{"object":{"run":{"number":18446744073709551616}},"run":{"number":5}}"#;
    assert_eq!(parse(Scheme::TRIGGER, body, &[], &mut scratch).unwrap().run_number, Some(5));
}

#[test]
fn run_lifecycle_events() {
    for (name, kind, status) in [
        ("run.completed", EventKind::RunCompleted, "COMPLETED"),
        ("run.failed", EventKind::RunFailed, "FAILED"),
        ("run.canceled", EventKind::RunCanceled, "CANCELED"),
        ("run.started", EventKind::RunStarted, "EXECUTING"),
        ("run.reattempting", EventKind::RunReattempting, "WAITING"),
    ] {
        let body = sample(name);
        let mut scratch = [0u8; 512];
        let e = parse(Scheme::TRIGGER, &body, &[], &mut scratch).unwrap();
        assert_eq!((e.kind, e.kind.as_str()), (kind, Some(name)));
        assert_eq!(e.run_id.as_deref(), Some("run_cm4a1b2c3d4e5f6g7h8i9j0k"), "{name}");
        assert_eq!((e.run_status.as_deref(), e.run_number), (Some(status), Some(77)), "{name}");
        assert_eq!(e.task_id.as_deref(), Some("generate-track"), "{name}");
    }
    let body = sample("run.failed");
    let mut scratch = [0u8; 512];
    let e = parse(Scheme::TRIGGER, &body, &[], &mut scratch).unwrap();
    assert_eq!(e.error_message.as_deref(), Some("out of GPU credits"), "STRING_ERROR raw");
}

#[test]
fn legacy_flat_body_without_type() {
    let body = sample("legacy");
    let mut scratch = [0u8; 512];
    let e = parse(Scheme::TRIGGER, &body, &[], &mut scratch).unwrap();
    assert_eq!((e.kind, e.event_type.as_deref()), (EventKind::Legacy, None));
    assert_eq!(
        (e.run_id.as_deref(), e.run_status.as_deref(), e.run_number),
        (Some("run_legacy_1"), Some("FAILED"), Some(3))
    );
    assert_eq!(e.error_message.as_deref(), Some("Task timed out"));
    assert_eq!(e.key.as_str(), "trigger:alert_legacy_1");
}

#[test]
fn unknown_types_and_odd_shapes_are_events_not_errors() {
    let cases: [(&[u8], Option<&str>); 6] = [
        (br#"{"type":"alert.something.new","object":{"x":1}}"#, Some("alert.something.new")),
        (br#"{"type":42,"id":7,"run":"not an object","object":[1,2]}"#, None),
        (br#"{"type":"run.completed","run":{"id":null,"number":"5"}}"#, Some("run.completed")),
        (br#"{}"#, None),
        (b" \r\n\t{\"type\" : \"x\" } \n", Some("x")),
        (br#"{"type":"run.completed","run":{"number":1.5e3}}"#, Some("run.completed")),
    ];
    for (body, event_type) in cases {
        let mut scratch = [0u8; 256];
        let e = parse(Scheme::STANDARD, body, &[], &mut scratch).unwrap();
        assert_eq!(e.event_type.as_deref(), event_type, "{}", String::from_utf8_lossy(body));
        assert_eq!((e.id.as_deref(), e.run_id.as_deref(), e.run_number), (None, None, None));
    }
    let mut scratch = [0u8; 256];
    let e = parse(Scheme::STANDARD, br#"{"type":"alert.something.new"}"#, &[], &mut scratch).unwrap();
    assert_eq!(e.kind, EventKind::Other);
    let mut scratch = [0u8; 256];
    let e = parse(Scheme::STANDARD, br#"{"type":"run.completed"}"#, &[], &mut scratch).unwrap();
    assert_eq!(e.kind, EventKind::RunCompleted, "relayed run events are recognised under any scheme");
}

#[test]
fn escapes_emoji_and_invalid_utf8() {
    let mut scratch = [0u8; 256];
    let body = "{\"type\":\"caf\\u00e9 \\ud83c\\udfb5 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t 🎶\"}";
    let e = parse(Scheme::TRIGGER, body.as_bytes(), &[], &mut scratch).unwrap();
    assert_eq!(e.event_type.as_deref(), Some("café 🎵 \"q\" \\ / \u{8}\u{c}\n\r\t 🎶"));

    // Lone surrogates and invalid UTF-8 bytes become U+FFFD, as TextDecoder does.
    let mut scratch = [0u8; 256];
    let body = b"{\"type\":\"a\\ud800b\\udc00c\xff\xfed\xe2\x82\"}";
    let e = parse(Scheme::TRIGGER, body, &[], &mut scratch).unwrap();
    assert_eq!(e.event_type.as_deref(), Some("a\u{FFFD}b\u{FFFD}c\u{FFFD}\u{FFFD}d\u{FFFD}"));
    assert_eq!(
        e.event_type.clone(),
        Some(String::from_utf8_lossy(b"a\xffb\xffc\xff\xfed\xe2\x82").into_owned())
    );

    // Plain strings are borrowed from the body, so an empty scratch is enough.
    let body = br#"{"type":"run.completed","run":{"id":"run_1"}}"#;
    let e = parse(Scheme::TRIGGER, body, &[], &mut []).unwrap();
    assert_eq!(e.run_id.as_deref(), Some("run_1"));
}

#[test]
fn too_small_a_scratch_says_how_much_is_needed_and_is_left_untouched() {
    let body = br#"{"type":"caf\u00e9","id":"a\nb"}"#;
    let mut scratch = [0xAAu8; 4];
    let err = parse(Scheme::TRIGGER, body, &[], &mut scratch).unwrap_err();
    assert_eq!(err, Error::ScratchTooSmall { needed: 8 });
    assert_eq!(scratch, [0xAA; 4]);
    let mut scratch = [0u8; 8];
    let e = parse(Scheme::TRIGGER, body, &[], &mut scratch).unwrap();
    assert_eq!((e.event_type.as_deref(), e.id.as_deref()), (Some("café"), Some("a\nb")));
}

#[test]
fn idempotency_key_per_scheme() {
    let body = br#"{"id":"evt_1Nq","event_id":"Ev0PV52K25","type":"charge.succeeded"}"#;
    let github_extra =
        [("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"), ("X-GitHub-Event", "push")];
    let shopify_extra = [
        ("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"),
        ("X-Shopify-Topic", "orders/create"),
    ];
    for (scheme, extra, key, source) in [
        (Scheme::TRIGGER, &[][..], "trigger:evt_1Nq", KeySource::BodyId),
        (Scheme::STANDARD, &[][..], "standard:msg_2Kc1", KeySource::DeliveryHeader),
        // One delivery on both routes is one key.
        (Scheme::SVIX, &[][..], "standard:msg_2Kc1", KeySource::DeliveryHeader),
        (Scheme::STRIPE, &[][..], "stripe:evt_1Nq", KeySource::BodyId),
        (Scheme::SLACK, &[][..], "slack:Ev0PV52K25", KeySource::BodyId),
        (
            Scheme::GITHUB,
            &github_extra[..],
            "github:72d3162e-cc78-11e3-81ab-4c9367dc0958",
            KeySource::DeliveryHeader,
        ),
        (
            Scheme::SHOPIFY,
            &shopify_extra[..],
            "shopify:b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
            KeySource::DeliveryHeader,
        ),
    ] {
        let mut scratch = [0u8; 64];
        // `sign` adds its own delivery header for GitHub and Shopify; the explicit one is
        // checked on a request without it below.
        let e = parse(scheme, body, extra, &mut scratch).unwrap();
        if matches!(scheme, Scheme::GITHUB | Scheme::SHOPIFY) {
            assert_eq!(e.key.as_str(), format!("{}:msg_2Kc1", scheme.name()));
        } else {
            assert_eq!((e.key.as_str(), e.source), (key, source), "{scheme:?}");
        }
        // The key is the same without parsing.
        let verifier = Verifier::new_with_short_secrets(
            scheme,
            &[if scheme.spec().secret == hookguard::SecretFormat::Whsec {
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
            } else {
                "s3cret"
            }],
        )
        .unwrap()
        .with_tolerance(u64::MAX);
        let signed = verifier.sign(body, Some("msg_2Kc1"), NOW).unwrap();
        let mut headers: Vec<(&str, &str)> =
            signed.iter().filter(|(n, _)| !n.contains("delivery") && !n.contains("webhook-id")).collect();
        headers.extend_from_slice(extra);
        if scheme.spec().secret == hookguard::SecretFormat::Whsec {
            headers = signed.iter().collect();
        }
        let verified = verifier.verify(headers.as_slice(), body, NOW).unwrap();
        assert_eq!(
            (verified.idempotency_key().as_str(), verified.idempotency_key().source()),
            (key, source),
            "{scheme:?}"
        );
        let mut scratch = [0u8; 64];
        let event = verified.parse(&mut scratch).unwrap();
        if let Some((_, topic)) = extra.iter().find(|(n, _)| n.ends_with("Event") || n.ends_with("Topic")) {
            assert_eq!(event.event_type, Some("charge.succeeded"), "the body's type wins over the header");
            assert_eq!(verified.topic(), Some(*topic));
        }
    }
    // Stripe's numeric `created` is kept as its digits.
    let mut scratch = [0u8; 64];
    let body = br#"{"id":"evt_1Nq","created":1700000000}"#;
    assert_eq!(
        parse(Scheme::STRIPE, body, &[], &mut scratch).unwrap().created.as_deref(),
        Some("1700000000")
    );
}

#[test]
fn ids_that_are_long_or_unusual_are_hashed_and_bodies_without_ids_use_the_content() {
    let long = format!(r#"{{"id":"{}"}}"#, "x".repeat(65));
    let spaced = r#"{"id":"has space"}"#;
    for body in [long.as_str(), spaced] {
        let mut scratch = [0u8; 128];
        let e = parse(Scheme::STRIPE, body.as_bytes(), &[], &mut scratch).unwrap();
        assert!(e.key.as_str().starts_with("stripe:sha256-id:"), "{body}");
        assert_eq!(e.source, KeySource::BodyId);
    }
    // No id: the SHA-256 of the signed content, which for Stripe includes the timestamp.
    let mut scratch = [0u8; 64];
    let e = parse(Scheme::STRIPE, b"{}", &[], &mut scratch).unwrap();
    assert_eq!(e.source, KeySource::ContentHash);
    // A verified body that is not JSON still has a key.
    let verifier = Verifier::new_with_short_secrets(Scheme::TRIGGER, &["s"]).unwrap();
    let signed = verifier.sign(b"not json", None, 0).unwrap();
    let key = verifier.verify(&signed, b"not json", 0).unwrap().idempotency_key();
    assert_eq!(key.source(), KeySource::ContentHash);
    // sha256("not json")
    assert_eq!(
        key.as_str(),
        "trigger:sha256-body:7ccfa1fbf3940e6f0c0375d87c0f9235a50514e14cb427bdfaf5077987b26ccf"
    );
}
