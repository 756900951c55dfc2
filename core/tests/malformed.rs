//! A table of malformed requests and payloads, each with the exact error it must give.

use hookguard::{Error, Scheme, SecretFormat, Verifier};

const NOW: u64 = 1_767_225_600;
const BODY: &[u8] = br#"{"id":"evt_1","type":"alert.run.failed"}"#;
const STANDARD_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn secret(scheme: Scheme) -> &'static str {
    match scheme.spec().secret {
        SecretFormat::Whsec => STANDARD_SECRET,
        _ => "It's a Secret to Everybody",
    }
}

/// A request: the headers a correct signer sends, changed by the case.
struct Case {
    name: &'static str,
    scheme: Scheme,
    body: Vec<u8>,
    /// Header edits: `(name, Some(value))` sets, `(name, None)` removes.
    edits: Vec<(&'static str, Option<String>)>,
    now: u64,
    max_body: usize,
    expect: Error,
}

fn case(name: &'static str, scheme: Scheme, expect: Error) -> Case {
    Case { name, scheme, body: BODY.to_vec(), edits: Vec::new(), now: NOW, max_body: 1 << 20, expect }
}

impl Case {
    fn set(mut self, header: &'static str, value: impl Into<String>) -> Self {
        self.edits.push((header, Some(value.into())));
        self
    }
    fn remove(mut self, header: &'static str) -> Self {
        self.edits.push((header, None));
        self
    }
    fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }
    fn now(mut self, now: u64) -> Self {
        self.now = now;
        self
    }

    /// Verifies, and parses what verifies; the first error.
    fn run(&self) -> Result<(), Error> {
        let verifier = Verifier::new(self.scheme, &[secret(self.scheme)])?
            .with_max_body(self.max_body)
            .with_url("https://example.com/hook")?;
        let signed = verifier.sign(&self.body, Some("msg_1"), NOW)?;
        let mut headers: Vec<(String, String)> =
            signed.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        for (name, value) in &self.edits {
            headers.retain(|(n, _)| n != name);
            if let Some(v) = value {
                headers.push((name.to_string(), v.clone()));
            }
        }
        let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let verified = verifier.verify(pairs.as_slice(), &self.body, self.now)?;
        let mut scratch = [0u8; 1024];
        verified.parse(&mut scratch).map(|_| ())
    }
}

const HEX64: &str = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
const B64_32: &str = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

fn deep(depth: usize) -> Vec<u8> {
    let mut body = String::from("{\"a\":");
    body.push_str(&"[".repeat(depth - 1));
    body.push_str(&"]".repeat(depth - 1));
    body.push('}');
    body.into_bytes()
}

fn cases() -> Vec<Case> {
    use Error::*;
    let [trigger, github, slack, shopify, standard, svix, stripe] = [
        Scheme::TRIGGER,
        Scheme::GITHUB,
        Scheme::SLACK,
        Scheme::SHOPIFY,
        Scheme::STANDARD,
        Scheme::SVIX,
        Scheme::STRIPE,
    ];
    let [calendly, workos, typeform, vercel, intercom, zendesk, linear, retell, pagerduty] = [
        Scheme::CALENDLY,
        Scheme::WORKOS,
        Scheme::TYPEFORM,
        Scheme::VERCEL,
        Scheme::INTERCOM,
        Scheme::ZENDESK,
        Scheme::LINEAR,
        Scheme::RETELL,
        Scheme::PAGERDUTY,
    ];
    let ts = NOW.to_string();
    let ms = format!("{NOW}000");
    vec![
        // Trigger.dev
        case("trigger: no signature header", trigger, MissingSignature)
            .remove("x-trigger-signature-hmacsha256"),
        case("trigger: empty signature", trigger, MissingSignature).set("x-trigger-signature-hmacsha256", ""),
        case("trigger: 63 hex digits", trigger, MalformedSignature)
            .set("x-trigger-signature-hmacsha256", &HEX64[1..]),
        case("trigger: 65 hex digits", trigger, MalformedSignature)
            .set("x-trigger-signature-hmacsha256", format!("{HEX64}0")),
        case("trigger: upper-case hex", trigger, MalformedSignature)
            .set("x-trigger-signature-hmacsha256", HEX64.to_uppercase()),
        case("trigger: sha256= prefix", trigger, MalformedSignature)
            .set("x-trigger-signature-hmacsha256", format!("sha256={HEX64}")),
        case("trigger: non-hex digit", trigger, MalformedSignature)
            .set("x-trigger-signature-hmacsha256", format!("g{}", &HEX64[1..])),
        case("trigger: space inside", trigger, MalformedSignature)
            .set("x-trigger-signature-hmacsha256", format!("{} {}", &HEX64[..32], &HEX64[32..])),
        case("trigger: base64 tag", trigger, MalformedSignature)
            .set("x-trigger-signature-hmacsha256", B64_32),
        case("trigger: wrong tag", trigger, InvalidSignature).set("x-trigger-signature-hmacsha256", HEX64),
        case("trigger: wrong tag in old header", trigger, InvalidSignature)
            .remove("x-trigger-signature-hmacsha256")
            .set("x-trigger-signature", HEX64),
        case("trigger: body over the limit", trigger, PayloadTooLarge).body(vec![b' '; (1 << 20) + 1]),
        // GitHub
        case("github: no signature header", github, MissingSignature).remove("x-hub-signature-256"),
        case("github: only the SHA-1 header", github, MissingSignature)
            .remove("x-hub-signature-256")
            .set("x-hub-signature", "sha1=0000000000000000000000000000000000000000"),
        case("github: sha1= prefix", github, MalformedSignature)
            .set("x-hub-signature-256", format!("sha1={HEX64}")),
        case("github: upper-case prefix", github, MalformedSignature)
            .set("x-hub-signature-256", format!("SHA256={HEX64}")),
        case("github: no prefix", github, MalformedSignature).set("x-hub-signature-256", HEX64),
        case("github: prefix only", github, MalformedSignature).set("x-hub-signature-256", "sha256="),
        case("github: wrong tag", github, InvalidSignature)
            .set("x-hub-signature-256", format!("sha256={HEX64}")),
        // Slack
        case("slack: no signature header", slack, MissingSignature).remove("x-slack-signature"),
        case("slack: no timestamp header", slack, MissingTimestamp).remove("x-slack-request-timestamp"),
        case("slack: timestamp not a number", slack, MalformedTimestamp)
            .set("x-slack-request-timestamp", "yesterday"),
        case("slack: negative timestamp", slack, MalformedTimestamp).set("x-slack-request-timestamp", "-1"),
        case("slack: fractional timestamp", slack, MalformedTimestamp)
            .set("x-slack-request-timestamp", format!("{ts}.5")),
        case("slack: 20-digit timestamp", slack, MalformedTimestamp)
            .set("x-slack-request-timestamp", "18446744073709551616"),
        case("slack: timestamp with plus sign", slack, MalformedTimestamp)
            .set("x-slack-request-timestamp", format!("+{ts}")),
        case("slack: stale by 301 s", slack, TimestampOutOfTolerance).now(NOW + 301),
        case("slack: 301 s in the future", slack, TimestampOutOfTolerance).now(NOW - 301),
        case("slack: v1= prefix", slack, MalformedSignature).set("x-slack-signature", format!("v1={HEX64}")),
        case("slack: wrong tag", slack, InvalidSignature).set("x-slack-signature", format!("v0={HEX64}")),
        // Shopify
        case("shopify: no signature header", shopify, MissingSignature).remove("x-shopify-hmac-sha256"),
        case("shopify: not base64", shopify, MalformedSignature).set("x-shopify-hmac-sha256", "!!!!"),
        case("shopify: 31-byte tag", shopify, MalformedSignature)
            .set("x-shopify-hmac-sha256", "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1A=="),
        case("shopify: unpadded", shopify, MalformedSignature)
            .set("x-shopify-hmac-sha256", B64_32.trim_end_matches('=')),
        case("shopify: hex tag", shopify, MalformedSignature).set("x-shopify-hmac-sha256", HEX64),
        case("shopify: url-safe alphabet", shopify, MalformedSignature)
            .set("x-shopify-hmac-sha256", B64_32.replace('+', "-").replace('/', "_")),
        case("shopify: wrong tag", shopify, InvalidSignature).set("x-shopify-hmac-sha256", B64_32),
        // Standard Webhooks and Svix
        case("standard: no signature header", standard, MissingSignature).remove("webhook-signature"),
        case("standard: no id header", standard, MissingMessageId).remove("webhook-id"),
        case("standard: no timestamp header", standard, MissingTimestamp).remove("webhook-timestamp"),
        case("standard: timestamp in milliseconds is stale", standard, TimestampOutOfTolerance)
            .set("webhook-timestamp", format!("{ts}000")),
        case("standard: ISO timestamp", standard, MalformedTimestamp)
            .set("webhook-timestamp", "2026-01-01T00:00:00Z"),
        case("standard: entry without comma", standard, MalformedSignature)
            .set("webhook-signature", format!("v1{B64_32}")),
        case("standard: empty v1 tag", standard, MalformedSignature).set("webhook-signature", "v1,"),
        case("standard: v1 tag not base64", standard, MalformedSignature).set("webhook-signature", "v1,!!!!"),
        case("standard: v1 tag of 48 bytes", standard, MalformedSignature)
            .set("webhook-signature", format!("v1,{HEX64}")),
        case("standard: nine v1 signatures", standard, MalformedSignature)
            .set("webhook-signature", vec![format!("v1,{B64_32}"); 9].join(" ")),
        case("standard: only v2 signatures", standard, InvalidSignature)
            .set("webhook-signature", format!("v2,{B64_32}")),
        case("standard: only v1a signatures", standard, InvalidSignature)
            .set("webhook-signature", "v1a,anything"),
        case("standard: wrong tag", standard, InvalidSignature)
            .set("webhook-signature", format!("v1,{B64_32}")),
        case("standard: stale", standard, TimestampOutOfTolerance).now(NOW + 3600),
        case("svix: webhook-* names are not svix-*", svix, MissingSignature)
            .remove("svix-signature")
            .set("webhook-signature", format!("v1,{B64_32}")),
        case("svix: no svix-id", svix, MissingMessageId).remove("svix-id"),
        // Stripe
        case("stripe: no signature header", stripe, MissingSignature).remove("stripe-signature"),
        case("stripe: no t=", stripe, MissingTimestamp).set("stripe-signature", format!("v1={HEX64}")),
        case("stripe: t not a number", stripe, MalformedTimestamp)
            .set("stripe-signature", format!("t=now,v1={HEX64}")),
        case("stripe: two t=", stripe, MalformedSignature)
            .set("stripe-signature", format!("t={ts},t={ts},v1={HEX64}")),
        case("stripe: item without =", stripe, MalformedSignature)
            .set("stripe-signature", format!("t={ts},{HEX64}")),
        case("stripe: v1 not hex", stripe, MalformedSignature)
            .set("stripe-signature", format!("t={ts},v1=zz")),
        case("stripe: no v1", stripe, InvalidSignature).set("stripe-signature", format!("t={ts},v0={HEX64}")),
        case("stripe: wrong v1", stripe, InvalidSignature)
            .set("stripe-signature", format!("t={ts},v1={HEX64}")),
        case("stripe: stale", stripe, TimestampOutOfTolerance).now(NOW + 301),
        // Standard Webhooks: an id with a dot would make `{id}.{timestamp}.{body}` ambiguous
        case("standard: id with a dot", standard, MalformedMessageId).set("webhook-id", "msg.1"),
        // Items with the timestamp among them (Calendly, WorkOS in ms, Retell's v=/d=)
        case("calendly: no t=", calendly, MissingTimestamp)
            .set("calendly-webhook-signature", format!("v1={HEX64}")),
        case("calendly: upper-case tag", calendly, MalformedSignature)
            .set("calendly-webhook-signature", format!("t={ts},v1={}", HEX64.to_uppercase())),
        case("calendly: stale by 181 s", calendly, TimestampOutOfTolerance).now(NOW + 181),
        case("calendly: wrong v1", calendly, InvalidSignature)
            .set("calendly-webhook-signature", format!("t={ts},v1={HEX64}")),
        case("workos: t in seconds reads as 1970", workos, TimestampOutOfTolerance)
            .set("workos-signature", format!("t={ts}, v1={HEX64}")),
        case("workos: wrong v1, spaces trimmed", workos, InvalidSignature)
            .set("workos-signature", format!("t={ms}, v1={HEX64}")),
        case("retell: d= only", retell, MissingTimestamp).set("x-retell-signature", format!("d={HEX64}")),
        case("retell: wrong d", retell, InvalidSignature)
            .set("x-retell-signature", format!("v={ms},d={HEX64}")),
        case("pagerduty: item without =", pagerduty, MalformedSignature)
            .set("x-pagerduty-signature", format!("v1={HEX64},{HEX64}")),
        case("pagerduty: two wrong v1", pagerduty, InvalidSignature)
            .set("x-pagerduty-signature", format!("v1={HEX64},v1={HEX64}")),
        // A prefixed base64 tag (Typeform)
        case("typeform: hex after sha256=", typeform, MalformedSignature)
            .set("typeform-signature", format!("sha256={HEX64}")),
        case("typeform: wrong tag", typeform, InvalidSignature)
            .set("typeform-signature", format!("sha256={B64_32}")),
        // HMAC-SHA1 (Vercel, Intercom): 20-byte tags
        case("vercel: a SHA-256-sized tag", vercel, MalformedSignature).set("x-vercel-signature", HEX64),
        case("vercel: wrong tag", vercel, InvalidSignature).set("x-vercel-signature", &HEX64[..40]),
        case("intercom: sha256= prefix", intercom, MalformedSignature)
            .set("x-hub-signature", format!("sha256={}", &HEX64[..40])),
        case("intercom: wrong tag", intercom, InvalidSignature)
            .set("x-hub-signature", format!("sha1={}", &HEX64[..40])),
        // An RFC 3339 timestamp header (Zendesk)
        case("zendesk: Unix seconds", zendesk, MalformedTimestamp)
            .set("x-zendesk-webhook-signature-timestamp", &ts),
        case("zendesk: no timestamp", zendesk, MissingTimestamp)
            .remove("x-zendesk-webhook-signature-timestamp"),
        case("zendesk: stale", zendesk, TimestampOutOfTolerance)
            .set("x-zendesk-webhook-signature-timestamp", "2025-12-31T23:00:00Z"),
        // Timestamps inside the signed body, read only after the signature (Linear, Trigger.dev)
        case("linear: no webhookTimestamp", linear, MissingTimestamp),
        case("linear: body not JSON", linear, MissingTimestamp).body("hello"),
        case("linear: webhookTimestamp in seconds", linear, TimestampOutOfTolerance)
            .body(format!("{{\"webhookTimestamp\":{ts}}}")),
        case("linear: webhookTimestamp a fraction", linear, MalformedTimestamp)
            .body(format!("{{\"webhookTimestamp\":{ms}.5}}")),
        case("linear: stale by 61 s", linear, TimestampOutOfTolerance)
            .body(format!("{{\"webhookTimestamp\":{ms}}}"))
            .now(NOW + 61),
        case("trigger: created an hour and a second ago", trigger, TimestampOutOfTolerance)
            .body(r#"{"id":"evt_1","created":"2025-12-31T22:59:59.000Z","type":"alert.run.failed"}"#),
        case("trigger: created not RFC 3339", trigger, MalformedTimestamp)
            .body(r#"{"id":"evt_1","created":"yesterday","type":"alert.run.failed"}"#),
        case("trigger: created twice (verify reads the first, parse refuses)", trigger, DuplicateKey)
            .body(r#"{"id":"evt_1","created":"2026-01-01T00:00:00Z","created":"2020-01-01T00:00:00Z"}"#),
        case("trigger: created in Unix seconds", trigger, MalformedTimestamp)
            .body(format!("{{\"created\":{ts}}}")),
        // Verified bodies that are not a usable JSON object
        case("json: empty body", trigger, InvalidJson).body(""),
        case("json: plain text", trigger, InvalidJson).body("hello"),
        case("json: form-encoded", trigger, InvalidJson).body("token=abc&team_id=T1"),
        case("json: array", trigger, NotAnObject).body("[1,2]"),
        case("json: string", trigger, NotAnObject).body("\"alert.run.failed\""),
        case("json: number", trigger, NotAnObject).body("42"),
        case("json: null", trigger, NotAnObject).body("null"),
        case("json: trailing garbage", trigger, TrailingCharacters).body("{}x"),
        case("json: two objects", trigger, TrailingCharacters).body("{} {}"),
        case("json: unclosed object", trigger, InvalidJson).body("{\"a\":1"),
        case("json: trailing comma in object", trigger, InvalidJson).body("{\"a\":1,}"),
        case("json: trailing comma in array", trigger, InvalidJson).body("{\"a\":[1,]}"),
        case("json: single quotes", trigger, InvalidJson).body("{'a':1}"),
        case("json: missing colon", trigger, InvalidJson).body("{\"a\" 1}"),
        case("json: unquoted key", trigger, InvalidJson).body("{a:1}"),
        case("json: leading zero", trigger, InvalidJson).body("{\"a\":01}"),
        case("json: bare minus", trigger, InvalidJson).body("{\"a\":-}"),
        case("json: dot without digits", trigger, InvalidJson).body("{\"a\":1.}"),
        case("json: exponent without digits", trigger, InvalidJson).body("{\"a\":1e+}"),
        case("json: NaN", trigger, InvalidJson).body("{\"a\":NaN}"),
        case("json: misspelt literal", trigger, InvalidJson).body("{\"a\":tru}"),
        case("json: raw control character in string", trigger, InvalidJson).body("{\"a\":\"x\ty\"}"),
        case("json: unknown escape", trigger, InvalidJson).body("{\"a\":\"\\x41\"}"),
        case("json: short unicode escape", trigger, InvalidJson).body("{\"a\":\"\\u12\"}"),
        case("json: unterminated string", trigger, InvalidJson).body("{\"a\":\"abc}"),
        case("json: nesting one past the bound", trigger, NestingTooDeep)
            .body(deep(hookguard::MAX_DEPTH + 1)),
        case("json: duplicate type", trigger, DuplicateKey)
            .body("{\"type\":\"run.completed\",\"type\":\"run.failed\"}"),
        case("json: duplicate id spelt with an escape", trigger, DuplicateKey)
            .body("{\"id\":\"a\",\"\\u0069d\":\"b\"}"),
        case("json: duplicate nested run id", trigger, DuplicateKey)
            .body("{\"object\":{\"run\":{\"id\":\"1\",\"id\":\"2\"}}}"),
        case("json: duplicate object", trigger, DuplicateKey).body("{\"object\":{},\"object\":{}}"),
    ]
}

#[test]
fn each_malformed_input_gives_its_exact_error() {
    let cases = cases();
    assert!(cases.len() >= 50, "{} cases", cases.len());
    let mut names = std::collections::HashSet::new();
    for (i, c) in cases.iter().enumerate() {
        assert!(names.insert(c.name), "duplicate case name {}", c.name);
        assert_eq!(c.run(), Err(c.expect), "case {i}: {}", c.name);
    }
}

#[test]
fn the_bounds_themselves_are_accepted() {
    // Each bound in the table above, one step inside it.
    let ok = [
        case("nesting at the bound", Scheme::TRIGGER, Error::InvalidJson).body(deep(hookguard::MAX_DEPTH)),
        case("body at the limit", Scheme::TRIGGER, Error::InvalidJson).body({
            let mut b = vec![b' '; 1 << 20];
            b[0] = b'{';
            b[1] = b'}';
            b
        }),
        case("eight signatures", Scheme::STANDARD, Error::InvalidJson).set("webhook-signature", {
            let signed = Verifier::new(Scheme::STANDARD, &[STANDARD_SECRET])
                .unwrap()
                .sign(BODY, Some("msg_1"), NOW)
                .unwrap();
            let good = signed.iter().next().unwrap().1.to_string();
            let mut all = vec![format!("v1,{B64_32}"); 7];
            all.push(good);
            all.join(" ")
        }),
        case("stale by exactly 300 s", Scheme::STRIPE, Error::InvalidJson).now(NOW + 300),
        case("created exactly an hour ago", Scheme::TRIGGER, Error::InvalidJson)
            .body(r#"{"created":"2025-12-31T23:00:00Z"}"#),
        case("webhookTimestamp 60 s ago", Scheme::LINEAR, Error::InvalidJson)
            .body(format!("{{\"webhookTimestamp\":{NOW}000}}"))
            .now(NOW + 60),
        case("duplicate keys nobody reads", Scheme::TRIGGER, Error::InvalidJson)
            .body("{\"x\":1,\"x\":2,\"object\":{\"y\":[],\"y\":{}}}"),
    ];
    for c in ok {
        assert_eq!(c.run(), Ok(()), "{}", c.name);
    }
}

#[test]
fn every_code_is_stable_and_has_a_status() {
    use Error::*;
    let table = [
        (MissingSignature, "missing_signature", 401),
        (MalformedSignature, "malformed_signature", 401),
        (InvalidSignature, "invalid_signature", 401),
        (MissingTimestamp, "missing_timestamp", 401),
        (MalformedTimestamp, "malformed_timestamp", 401),
        (TimestampOutOfTolerance, "timestamp_out_of_tolerance", 401),
        (MissingMessageId, "missing_message_id", 401),
        (MalformedMessageId, "malformed_message_id", 401),
        (PayloadTooLarge, "payload_too_large", 413),
        (InvalidJson, "invalid_json", 400),
        (NotAnObject, "not_an_object", 400),
        (TrailingCharacters, "trailing_characters", 400),
        (NestingTooDeep, "nesting_too_deep", 400),
        (DuplicateKey, "duplicate_key", 400),
        (ScratchTooSmall { needed: 3 }, "scratch_too_small", 500),
        (InvalidSecret, "invalid_secret", 500),
        (TooManySecrets, "too_many_secrets", 500),
        (InvalidMessageId, "invalid_message_id", 400),
        (PayloadMismatch, "payload_mismatch", 400),
        (UnsupportedAlgorithm, "unsupported_algorithm", 500),
        (MissingUrl, "missing_url", 500),
        (UrlTooLong, "url_too_long", 500),
    ];
    for (error, code, status) in table {
        assert_eq!((error.code(), error.status(), error.to_string()), (code, status, code.to_string()));
    }
}
