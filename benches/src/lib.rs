//! Inputs shared by the benchmarks and the allocation report: signed requests of a given
//! size for every scheme, and the peers' equivalents.

use hookguard::{Algorithm, Scheme, SecretFormat, TimestampSource, Verifier};

/// Body sizes measured, in bytes.
pub const SIZES: [usize; 5] = [256, 1024, 16 * 1024, 256 * 1024, 1024 * 1024];
/// The clock every request is signed and verified at (the events' `created`).
pub const NOW: u64 = 1_767_225_600;
/// A Standard Webhooks secret (also the standardwebhooks crate's).
pub const STANDARD_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// Every other scheme's secret.
pub const SECRET: &str = "bench-secret-4f1d8a";

/// The URL Square-like schemes sign.
pub const URL: &str = "https://example.com/webhooks/square";

/// The secret for `scheme`.
#[must_use]
pub fn secret(scheme: Scheme) -> &'static str {
    if scheme.spec().secret == SecretFormat::Whsec { STANDARD_SECRET } else { SECRET }
}

/// The schemes measured: from the providers' table, the first of each way of signing
/// (algorithm, encoding, tag syntax, signed content), among those hookguard can sign for
/// (Ed25519 only verifies) and whose body needs nothing of its own (Linear's timestamp).
#[must_use]
pub fn schemes() -> Vec<Scheme> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for &scheme in Scheme::ALL {
        let spec = scheme.spec();
        let body_stamp =
            spec.timestamp.is_some_and(|t| t.required && matches!(t.source, TimestampSource::Body(_)));
        let shape = (spec.algorithm, spec.encoding, core::mem::discriminant(&spec.syntax), spec.content);
        if spec.algorithm != Algorithm::Ed25519 && !body_stamp && !seen.contains(&shape) {
            seen.push(shape);
            out.push(scheme);
        }
    }
    out
}

/// A Trigger.dev event of exactly `size` bytes: `alert.run.failed` with its stack trace
/// padded, or below that event's own size a `run.completed` with a padded output.
#[must_use]
pub fn trigger_event(size: usize) -> Vec<u8> {
    const SMALL: &str = r#"{"id":"evt_01jq8m6xk2c3v4b5n6m7p8q9r0","type":"run.completed","run":{"id":"run_cm3x9a0b1c2d3e4f5g6h7i8j","status":"COMPLETED","output":"PAD"}}"#;
    let large = r#"{"id":"evt_01jq8m6xk2c3v4b5n6m7p8q9r0","created":"2026-01-01T00:00:00.000Z","webhookVersion":"2025-07-01","type":"alert.run.failed","object":{"task":{"id":"generate-track","filePath":"src/trigger/music.ts","version":"20261120.3","sdkVersion":"4.1.0","cliVersion":"4.1.0"},"run":{"id":"run_cm3x9a0b1c2d3e4f5g6h7i8j","number":1842,"status":"FAILED","createdAt":"2026-11-20T14:01:02.000Z","isTest":false,"tags":[],"error":{"type":"BUILT_IN_ERROR","name":"Error","message":"Render failed","stackTrace":"PAD"},"isOutOfMemoryError":false,"machine":"small-2x","dashboardUrl":"https://cloud.trigger.dev/runs/run_cm3x9a0b1c2d3e4f5g6h7i8j"},"environment":{"id":"env_1","type":"PRODUCTION","slug":"prod"},"organization":{"id":"org_1","slug":"acme","name":"Acme"},"project":{"id":"proj_1","ref":"proj_abcdefghijklmnop","slug":"music","name":"Music"}}}"#;
    let template = if size < large.len() { SMALL } else { large };
    let fixed = template.len() - "PAD".len();
    let pad = size.saturating_sub(fixed);
    let line = "    at render (src/trigger/music.ts:88:11)\\n";
    let padding: String = line.chars().cycle().take(pad).collect();
    // Do not end the padding inside an escape.
    let mut padding = padding.trim_end_matches('\\').to_string();
    padding.push_str(&" ".repeat(pad - padding.len()));
    template.replace("PAD", &padding).into_bytes()
}

/// A structure-heavy JSON object of about `size` bytes: many small objects of short keys,
/// numbers, literals and arrays, the opposite of [`trigger_event`]'s long strings.
#[must_use]
pub fn structure_event(size: usize) -> Vec<u8> {
    let item = r#"{"id":1842,"ok":true,"tags":["a","b"],"score":-1.5e3,"meta":{"k":null,"n":[0,1]}}"#;
    let mut body = String::from(r#"{"id":"evt_1","type":"alert.error","items":["#);
    while body.len() + item.len() + 2 < size {
        body.push_str(item);
        body.push(',');
    }
    body.push_str("0]}");
    body.into_bytes()
}

/// A signed request: header pairs and the body.
pub struct Request {
    /// `(name, value)`.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
}

impl Request {
    /// The headers as the core takes them.
    #[must_use]
    pub fn pairs(&self) -> Vec<(&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
    }

    /// The headers as the standardwebhooks crate takes them.
    ///
    /// # Panics
    /// If a header is not a valid HTTP header (they are made by `sign`, so they are).
    #[must_use]
    pub fn header_map(&self) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (name, value) in &self.headers {
            let name = http::HeaderName::from_bytes(name.as_bytes()).expect("valid name");
            map.insert(name, http::HeaderValue::from_str(value).expect("valid value"));
        }
        map
    }
}

/// A verifier for `scheme` with its fixed secret (and URL).
///
/// # Panics
/// Never for the fixed secrets above.
#[must_use]
pub fn verifier(scheme: Scheme) -> Verifier {
    Verifier::new(scheme, &[secret(scheme)]).and_then(|v| v.with_url(URL)).expect("fixed secret")
}

/// `body` signed as `scheme` would sign it at `now`.
///
/// # Panics
/// Never for the fixed secrets above.
#[must_use]
pub fn signed(scheme: Scheme, body: Vec<u8>, now: u64) -> Request {
    let verifier = verifier(scheme);
    let headers = verifier.sign(&body, Some("msg_2Kc1Y8"), now).expect("signs");
    let headers = headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
    Request { headers, body }
}
