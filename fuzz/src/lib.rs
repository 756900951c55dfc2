//! What the fuzz targets run. Each target in `fuzz_targets/` is one line calling one of these.
//!
//! Structured inputs share one layout, so that seeds can be written by hand:
//! `[scheme][flags][skew: i16 LE][secret length][secret][values...][body]`, where `flags & 3`
//! header values follow the secret, each as `[length][bytes]`, in the order of the scheme's
//! `header_names()`, and the rest is the body.

use hookguard::{Encoding, Error, Scheme, SecretFormat, Spec, Syntax, TimestampSource, Verifier};

mod oracle;

/// The clock the targets verify against.
pub const NOW: u64 = 1_767_225_600;
const STANDARD_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

struct Input<'a> {
    scheme: Scheme,
    flags: u8,
    now: u64,
    secret: &'a [u8],
    values: Vec<&'a [u8]>,
    body: &'a [u8],
}

fn take<'a>(data: &mut &'a [u8], n: usize) -> &'a [u8] {
    let n = n.min(data.len());
    let (head, rest) = data.split_at(n);
    *data = rest;
    head
}

impl<'a> Input<'a> {
    fn parse(mut data: &'a [u8]) -> Self {
        let head = take(&mut data, 4);
        let byte = |i: usize| head.get(i).copied().unwrap_or(0);
        // The schemes the independent oracle implements.
        let scheme = oracle::SCHEMES[usize::from(byte(0)) % oracle::SCHEMES.len()];
        let flags = byte(1);
        let skew = i16::from_le_bytes([byte(2), byte(3)]);
        let secret_len = usize::from(take(&mut data, 1).first().copied().unwrap_or(0));
        let secret = take(&mut data, secret_len);
        let mut values = Vec::new();
        for _ in 0..(flags & 3) {
            let len = usize::from(take(&mut data, 1).first().copied().unwrap_or(0));
            values.push(take(&mut data, len));
        }
        let now = NOW.saturating_add_signed(i64::from(skew));
        Input { scheme, flags, now, secret, values, body: data }
    }

    /// A usable secret: the input's, or a fixed one where the input's cannot be used.
    fn usable_secret(&self) -> Vec<u8> {
        match verifier_for(self.scheme, &[self.secret]) {
            Ok(_) => self.secret.to_vec(),
            Err(_) => fixed_secret(self.scheme).as_bytes().to_vec(),
        }
    }
}

fn pairs(headers: &[(String, Vec<u8>)]) -> Vec<(&str, &[u8])> {
    headers.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect()
}

fn signed(verifier: &Verifier, body: &[u8], now: u64) -> Vec<(String, Vec<u8>)> {
    let signed = verifier.sign(body, Some("msg_fuzz"), now).expect("signing with a usable secret works");
    signed.iter().map(|(n, v)| (n.to_string(), v.as_bytes().to_vec())).collect()
}

/// Verifies, and parses what verifies, into a scratch large enough for anything.
fn verify_and_parse(
    verifier: &Verifier,
    headers: &[(String, Vec<u8>)],
    body: &[u8],
    now: u64,
) -> Result<(), Error> {
    let pairs = pairs(headers);
    let verified = verifier.verify(pairs.as_slice(), body, now)?;
    let _ = verified.idempotency_key();
    let mut scratch = vec![0u8; body.len() * 3];
    verified.parse(&mut scratch).map(|_| ())
}

/// Any header value in the scheme's signature header (and any timestamp text): never panics.
fn header(scheme: Scheme, data: &[u8]) {
    let (value, timestamp) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b"1767225600"[..]),
    };
    let verifier = verifier_for(scheme, &[fixed_secret(scheme)]).expect("fixed secret is valid");
    let names: Vec<&str> = scheme.header_names().collect();
    let mut headers: Vec<(&str, &[u8])> = vec![(names[0], value)];
    for name in &names[1..] {
        let v: &[u8] = if name.contains("timestamp") { timestamp } else { b"msg_fuzz" };
        headers.push((name, v));
    }
    let _ = verifier.verify(headers.as_slice(), b"{}", NOW);
}

/// A verifier of `scheme` (with the URL that schemes signing one are given: [`oracle::URL`]).
fn verifier_for<S: AsRef<[u8]>>(scheme: Scheme, secrets: &[S]) -> Result<Verifier, Error> {
    Verifier::new(scheme, secrets).and_then(|v| v.with_url(oracle::URL))
}

/// `verifier` without its tolerance where the timestamp is inside the body (Trigger.dev's
/// `created`): the corpus's bodies were created on other days than `NOW`.
fn body_clock_off(verifier: Verifier) -> Verifier {
    if stamps_body(verifier.scheme()) { verifier.with_tolerance(u64::MAX) } else { verifier }
}

/// Whether `scheme`'s timestamp is inside the signed body.
fn stamps_body(scheme: Scheme) -> bool {
    scheme.spec().timestamp.is_some_and(|t| matches!(t.source, TimestampSource::Body(_)))
}

/// A valid secret of `scheme`'s kind.
fn fixed_secret(scheme: Scheme) -> &'static str {
    match scheme.spec().secret {
        SecretFormat::Whsec => STANDARD_SECRET,
        // RFC 8032's test 1 public key.
        SecretFormat::HexPublicKey => "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        SecretFormat::Text => "fuzz-secret-0123456789",
    }
}

/// Every provider's spec whose tag sits as `matches` says, through [`header`].
fn header_each(data: &[u8], matches: impl Fn(&Spec) -> bool) {
    for &scheme in Scheme::ALL.iter().filter(|s| matches(s.spec())) {
        header(scheme, data);
    }
}

/// Hex tags, bare or after a prefix (Trigger.dev, GitHub's `sha256=`, Slack's `v0=`, ...).
pub fn header_hex(data: &[u8]) {
    header_each(data, |s| {
        s.encoding == Encoding::Hex && matches!(s.syntax, Syntax::Bare | Syntax::Prefix(_))
    });
}

/// Base64 tags, bare or after a prefix (Shopify, Square, Typeform, ...).
pub fn header_base64(data: &[u8]) {
    header_each(data, |s| {
        s.encoding == Encoding::Base64 && matches!(s.syntax, Syntax::Bare | Syntax::Prefix(_))
    });
}

/// Space-separated `v1,<base64>` lists (Standard Webhooks, Svix and their senders).
pub fn header_standard(data: &[u8]) {
    header_each(data, |s| matches!(s.syntax, Syntax::Versioned(_)));
}

/// `name=value` item lists (Stripe's `t=..,v1=..`, PagerDuty, Calendly, WorkOS, Retell, ...).
pub fn header_stripe(data: &[u8]) {
    header_each(data, |s| matches!(s.syntax, Syntax::Items(_)));
}

/// Any body, correctly signed, through the event parser: never panics, and agrees with
/// serde_json on whether UTF-8 text is JSON at all.
pub fn event(body: &[u8]) {
    // Trigger.dev's `created` is checked against a max age: off here, so that every body
    // reaches the parser, except one whose `created` is not a date (refused, and said so).
    let verifier =
        body_clock_off(Verifier::new(Scheme::TRIGGER, &[fixed_secret(Scheme::TRIGGER)]).expect("fixed secret is valid"));
    let headers = signed(&verifier, body, NOW);
    let pairs = pairs(&headers);
    let verified = match verifier.verify(pairs.as_slice(), body, NOW) {
        Err(Error::MalformedTimestamp) => return,
        other => other.expect("a signed body verifies"),
    };
    let mut scratch = vec![0u8; body.len() * 3];
    let result = verified.parse(&mut scratch).map(|_| ());
    let key = verified.idempotency_key();
    assert!(key.as_str().len() <= hookguard::IDEMPOTENCY_KEY_MAX);
    // serde_json refuses lone surrogate escapes that hookguard turns into U+FFFD, and nests
    // deeper; hookguard stops reading at a duplicate key or at its depth bound, so it has not
    // seen the rest. Compare only where both read the same language to the end.
    let lone_surrogates =
        body.windows(3).any(|w| w[0] == b'\\' && w[1] == b'u' && matches!(w[2], b'd' | b'D'));
    let stopped_early = matches!(result, Err(Error::NestingTooDeep | Error::DuplicateKey));
    if std::str::from_utf8(body).is_err() || lone_surrogates || stopped_early {
        return;
    }
    let theirs = serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok();
    let ours = !matches!(result, Err(Error::InvalidJson | Error::TrailingCharacters));
    assert_eq!(ours, theirs, "JSON validity differs: hookguard {result:?}, serde_json {theirs}");
}

/// Any request: never panics.
pub fn verify_any(data: &[u8]) {
    let input = Input::parse(data);
    let Ok(verifier) = verifier_for(input.scheme, &[input.secret]) else { return };
    let headers: Vec<(String, Vec<u8>)> =
        input.scheme.header_names().zip(&input.values).map(|(n, v)| (n.to_string(), v.to_vec())).collect();
    let _ = verify_and_parse(&verifier, &headers, input.body, input.now);
}

/// Sign, verify: accepted. Then change one byte of the body, a header or the secret:
/// refused.
pub fn roundtrip(data: &[u8]) {
    let input = Input::parse(data);
    let secret = input.usable_secret();
    let verifier = body_clock_off(verifier_for(input.scheme, &[secret.as_slice()]).expect("usable secret"));
    let mut headers = signed(&verifier, input.body, NOW);
    let mut body = input.body.to_vec();
    match verifier.verify(pairs(&headers).as_slice(), &body, NOW) {
        // A body timestamp that is not one (Trigger.dev's `created`) is refused, signed or not.
        Err(Error::MalformedTimestamp) => return,
        other => assert!(other.is_ok(), "a signed request must verify: {other:?}"),
    }

    let position = usize::from(input.values.first().and_then(|v| v.first()).copied().unwrap_or(0));
    let change = input.flags | 1; // never zero: the byte really changes
    let mut secret = secret;
    // GitHub's and Shopify's delivery ids are not signed: only signed headers must refuse.
    let signed_headers: Vec<usize> = (0..headers.len())
        .filter(|&i| !matches!(headers[i].0.as_str(), "x-github-delivery" | "x-shopify-webhook-id"))
        .collect();
    let chosen = signed_headers[position % signed_headers.len()];
    let target: &mut Vec<u8> = match (input.flags >> 2) % 3 {
        0 if !body.is_empty() => &mut body,
        1 => &mut headers[chosen].1,
        _ => &mut secret,
    };
    let len = target.len();
    if len == 0 {
        return;
    }
    target[position % len] ^= change;
    let Ok(changed) = verifier_for(input.scheme, &[secret.as_slice()]).map(body_clock_off) else { return };
    let pairs = pairs(&headers);
    let result = changed.verify(pairs.as_slice(), &body, NOW);
    assert!(result.is_err(), "a changed request was accepted");
}

/// Accept or refuse, as an independent computation decides (the `hmac` crate called directly,
/// the `hex` and `base64` crates for decoding).
pub fn differential(data: &[u8]) {
    let input = Input::parse(data);
    let ours = verifier_for(input.scheme, &[input.secret]);
    let key = oracle::key(input.scheme, input.secret);
    assert_eq!(ours.is_ok(), key.is_some(), "secret validity differs for {:?}", input.scheme);
    let (Ok(verifier), Some(key)) = (ours, key) else { return };
    // Trigger.dev's only timestamp is the body's `created` (its max age is tested in
    // core/tests/roundtrip.rs): the oracle reads no JSON dates, so that check is off here.
    let verifier = body_clock_off(verifier);
    let names: Vec<&str> = input.scheme.header_names().collect();
    let headers: Vec<(String, Vec<u8>)> = if input.flags & 4 != 0 {
        // A correctly signed request, one byte changed where the input says.
        let mut headers = signed(&verifier, input.body, NOW);
        if let (Some(&at), Some(&xor)) =
            (input.values.first().and_then(|v| v.first()), input.values.first().and_then(|v| v.get(1)))
        {
            let count = names.len().min(headers.len());
            let header = &mut headers[usize::from(at) % count].1;
            if !header.is_empty() {
                let i = usize::from(xor) % header.len();
                header[i] ^= input.flags >> 3;
            }
        }
        headers
    } else {
        names.iter().zip(&input.values).map(|(n, v)| (n.to_string(), v.to_vec())).collect()
    };
    let pairs = pairs(&headers);
    let result = verifier.verify(pairs.as_slice(), input.body, input.now);
    // A signed `created` that is not a date is refused after the signature; the oracle does
    // not read dates.
    if result.is_err_and(|e| e == Error::MalformedTimestamp) && stamps_body(input.scheme) {
        return;
    }
    let accepted = result.is_ok();
    let expected = oracle::accepts(input.scheme, &key, &headers, input.body, input.now);
    assert_eq!(accepted, expected, "{:?}: hookguard says {accepted}, the oracle {expected}", input.scheme);
}
