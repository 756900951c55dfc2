//! Published known-answer vectors, loaded from `tests/data` as they were published.

use hookguard::{Error, Headers, Scheme, Verifier};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn header<'a>(headers: &'a impl Headers, name: &str) -> &'a str {
    core::str::from_utf8(headers.get(name).expect("header present")).expect("UTF-8")
}

#[test]
fn standard_webhooks_v1() {
    let vectors = load("webhook-vectors.json");
    for (i, v) in vectors["standard_webhooks_v1"].as_array().unwrap().iter().enumerate() {
        let ts = v["timestamp"].as_u64().unwrap();
        let ts_text = ts.to_string();
        let verifier = Verifier::new_with_short_secrets(Scheme::STANDARD, &[s(&v["secret"])]).unwrap();
        let signed = verifier.sign(s(&v["payload"]).as_bytes(), Some(s(&v["id"])), ts).unwrap();
        assert_eq!(header(&signed, "webhook-signature"), s(&v["expected_signature"]), "vector {i}");

        let headers = [
            ("webhook-id", s(&v["id"])),
            ("webhook-timestamp", ts_text.as_str()),
            ("webhook-signature", s(&v["expected_signature"])),
        ];
        let verified = verifier.verify(&headers, s(&v["payload"]).as_bytes(), ts);
        assert!(verified.is_ok(), "vector {i}: {verified:?}");
        // Svix is the same scheme under other header names.
        let svix = Verifier::new_with_short_secrets(Scheme::SVIX, &[s(&v["secret"])]).unwrap();
        let renamed = headers.map(|(n, v)| (n.replace("webhook-", "svix-"), v));
        let renamed: Vec<(&str, &str)> = renamed.iter().map(|(n, v)| (n.as_str(), *v)).collect();
        assert!(svix.verify(renamed.as_slice(), s(&v["payload"]).as_bytes(), ts).is_ok(), "vector {i}");
    }
}

#[test]
fn standard_webhooks_must_reject() {
    let vectors = load("webhook-vectors.json");
    let good = &vectors["standard_webhooks_v1"][0];
    let ts = good["timestamp"].as_u64().unwrap();
    let ts_text = ts.to_string();
    let verifier = Verifier::new_with_short_secrets(Scheme::STANDARD, &[s(&good["secret"])]).unwrap();
    let cases = vectors["standard_webhooks_must_reject"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    for (i, v) in cases.iter().enumerate() {
        let headers = [
            ("webhook-id", s(&good["id"])),
            ("webhook-timestamp", ts_text.as_str()),
            ("webhook-signature", s(&v["header"])),
        ];
        let err = verifier.verify(&headers, s(&good["payload"]).as_bytes(), ts).unwrap_err();
        // Well-formed tags that do not match are invalid; ones that cannot be a tag are malformed.
        let expected = match i {
            0 | 1 => Error::InvalidSignature,
            _ => Error::MalformedSignature,
        };
        assert_eq!(err, expected, "vector {i} ({})", s(&v["source"]));
    }
}

#[test]
fn github_x_hub_signature_256() {
    let v = &load("webhook-vectors.json")["github_x_hub_signature_256"];
    let verifier = Verifier::new_with_short_secrets(Scheme::GITHUB, &[s(&v["secret"])]).unwrap();
    let body = s(&v["payload"]).as_bytes();
    let signed = verifier.sign(body, None, 0).unwrap();
    assert_eq!(header(&signed, "x-hub-signature-256"), s(&v["expected_header"]));
    let headers = [("X-Hub-Signature-256", s(&v["expected_header"]))];
    assert!(verifier.verify(&headers, body, 0).is_ok());
}

#[test]
fn slack_v0() {
    let v = &load("webhook-vectors.json")["slack_v0"];
    let verifier = Verifier::new_with_short_secrets(Scheme::SLACK, &[s(&v["signing_secret"])]).unwrap();
    let ts: u64 = s(&v["timestamp"]).parse().unwrap();
    let body = s(&v["body"]).as_bytes();
    let signed = verifier.sign(body, None, ts).unwrap();
    assert_eq!(header(&signed, "x-slack-signature"), s(&v["expected_header"]));
    let headers =
        [("X-Slack-Signature", s(&v["expected_header"])), ("X-Slack-Request-Timestamp", s(&v["timestamp"]))];
    assert!(verifier.verify(&headers, body, ts + 299).is_ok());
    assert_eq!(verifier.verify(&headers, body, ts + 301).unwrap_err(), Error::TimestampOutOfTolerance);
}

/// RFC 4231 section 4, through the GitHub scheme (whose key is the secret's bytes and whose
/// header is the hex tag), so the vectors exercise the same path requests take.
#[test]
fn rfc4231() {
    let data = load("rfc4231.json");
    for v in data["cases"].as_array().unwrap() {
        let case = v["test_case"].as_u64().unwrap();
        let key = hex(s(&v["key"]));
        let body = hex(s(&v["data"]));
        let expected = s(&v["hmac_sha256"]);
        let verifier = Verifier::new_with_short_secrets(Scheme::GITHUB, &[key.as_slice()]).unwrap();
        let signed = verifier.sign(&body, None, 0).unwrap();
        let tag = header(&signed, "x-hub-signature-256").strip_prefix("sha256=").unwrap();
        // Case 5 publishes only the first 128 bits.
        assert!(tag.starts_with(expected), "RFC 4231 case {case}: {tag}");
        if expected.len() == 64 {
            let headers = [("x-hub-signature-256", format!("sha256={expected}"))];
            let headers = [(headers[0].0, headers[0].1.as_str())];
            assert!(verifier.verify(&headers, &body, 0).is_ok(), "RFC 4231 case {case}");
        }
    }
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex")).collect()
}

/// Square's published example: the notification URL and the body, keyed with the signature
/// key (8 bytes: a legacy-length secret, so the opt-out).
#[test]
fn square_published_example() {
    let data = load("provider-vectors.json");
    for v in data["square"].as_array().unwrap() {
        let verifier = Verifier::new_with_short_secrets(Scheme::SQUARE, &[s(&v["signature_key"])])
            .and_then(|v2| v2.with_url(s(&v["notification_url"])))
            .unwrap();
        let body = s(&v["body"]).as_bytes();
        let headers = [("X-Square-HmacSha256-Signature", s(&v["x-square-hmacsha256-signature"]))];
        assert!(verifier.verify(&headers, body, 0).is_ok(), "{}", v["source"]);
        let signed = verifier.sign(body, None, 0).unwrap();
        assert_eq!(header(&signed, "x-square-hmacsha256-signature"), s(&v["x-square-hmacsha256-signature"]));
        // The same signature under another URL is not Square's.
        let elsewhere = verifier.clone().with_url("https://example.com/other").unwrap();
        assert_eq!(elsewhere.verify(&headers, body, 0).unwrap_err(), Error::InvalidSignature);
        // And the key is refused as too short without the opt-out.
        assert_eq!(
            Verifier::new(Scheme::SQUARE, &[s(&v["signature_key"])]).unwrap_err(),
            Error::InvalidSecret
        );
    }
}
