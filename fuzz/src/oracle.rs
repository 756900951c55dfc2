//! An independent statement of what each scheme accepts, written from PROTOCOLS.md and
//! hookguard's documented strictness, sharing no code with the core: HMAC from the `hmac`
//! crate called directly, decoding by the `hex` and `base64` crates.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{KeyInit, Mac};
use hookguard::Scheme;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

const TOLERANCE: u64 = 300;
const MAX_SIGNATURES: usize = 8;

/// The schemes this oracle implements, independently of hookguard's provider table.
/// One of each way of signing besides the first seven: HMAC-SHA1, a signed URL, an item list
/// without a timestamp, a `v0=` prefix over a timestamp.
pub const SCHEMES: [Scheme; 11] = [
    Scheme::TRIGGER,
    Scheme::STANDARD,
    Scheme::SVIX,
    Scheme::STRIPE,
    Scheme::GITHUB,
    Scheme::SLACK,
    Scheme::SHOPIFY,
    Scheme::VERCEL,
    Scheme::SQUARE,
    Scheme::ZOOM,
    Scheme::PAGERDUTY,
];

/// The notification URL the differential target's Square verifier is given.
pub const URL: &str = "https://example.com/hook";

/// The HMAC key for a secret, or `None` where the secret must be refused: empty, only spaces,
/// tabs and line breaks, or (a text secret) shorter than 16 bytes.
pub fn key(scheme: Scheme, secret: &[u8]) -> Option<Vec<u8>> {
    if secret.iter().all(|b| b" \t\r\n".contains(b)) {
        return None;
    }
    match scheme {
        Scheme::STANDARD | Scheme::SVIX => {
            let text = secret.strip_prefix(b"whsec_").unwrap_or(secret);
            let key = STANDARD.decode(text).ok()?;
            (24..=64).contains(&key.len()).then_some(key)
        }
        _ => (secret.len() >= 16).then(|| secret.to_vec()),
    }
}

fn mac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// The first non-empty value (trimmed as HTTP does) of any of `names`.
fn header<'h>(headers: &'h [(String, Vec<u8>)], names: &[&str]) -> Option<&'h [u8]> {
    names.iter().find_map(|name| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim_ascii())
            .filter(|v| !v.is_empty())
    })
}

fn timestamp(text: &[u8], now: u64) -> Option<bool> {
    if text.is_empty() || text.len() > 19 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value: u64 = std::str::from_utf8(text).ok()?.parse().ok()?;
    Some(value.abs_diff(now) <= TOLERANCE)
}

/// Lower-case hex of exactly 32 bytes, decoded.
fn hex32(text: &[u8]) -> Option<Vec<u8>> {
    if text.iter().any(u8::is_ascii_uppercase) {
        return None;
    }
    hex::decode(text).ok().filter(|t| t.len() == 32)
}

fn base64_32(text: &[u8]) -> Option<Vec<u8>> {
    STANDARD.decode(text).ok().filter(|t| t.len() == 32)
}

/// Whether the request must be accepted.
pub fn accepts(scheme: Scheme, key: &[u8], headers: &[(String, Vec<u8>)], body: &[u8], now: u64) -> bool {
    decide(scheme, key, headers, body, now).unwrap_or(false)
}

fn decide(scheme: Scheme, key: &[u8], headers: &[(String, Vec<u8>)], body: &[u8], now: u64) -> Option<bool> {
    match scheme {
        Scheme::TRIGGER => {
            let given = hex32(header(headers, &["x-trigger-signature-hmacsha256", "x-trigger-signature"])?)?;
            Some(given == mac(key, &[body]))
        }
        Scheme::GITHUB => {
            let given = hex32(header(headers, &["x-hub-signature-256"])?.strip_prefix(b"sha256=")?)?;
            Some(given == mac(key, &[body]))
        }
        Scheme::VERCEL => {
            let text = header(headers, &["x-vercel-signature"])?;
            if text.len() != 40 || text.iter().any(u8::is_ascii_uppercase) {
                return None;
            }
            let given = hex::decode(text).ok()?;
            let mut mac = <hmac::Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key).ok()?;
            mac.update(body);
            Some(given == mac.finalize().into_bytes().to_vec())
        }
        Scheme::SQUARE => Some(
            base64_32(header(headers, &["x-square-hmacsha256-signature"])?)?
                == mac(key, &[URL.as_bytes(), body]),
        ),
        Scheme::ZOOM => {
            let given = hex32(header(headers, &["x-zm-signature"])?.strip_prefix(b"v0=")?)?;
            let ts = header(headers, &["x-zm-request-timestamp"])?;
            let fresh = timestamp(ts, now)?;
            Some(fresh && given == mac(key, &[b"v0:", ts, b":", body]))
        }
        Scheme::PAGERDUTY => {
            let mut tags = Vec::new();
            for item in header(headers, &["x-pagerduty-signature"])?.split(|&b| b == b',') {
                let item = item.trim_ascii();
                let eq = item.iter().position(|&b| b == b'=')?;
                if &item[..eq] == b"v1" {
                    tags.push(hex32(&item[eq + 1..])?);
                }
            }
            if tags.len() > MAX_SIGNATURES {
                return None;
            }
            Some(tags.contains(&mac(key, &[body])))
        }
        Scheme::SHOPIFY => {
            Some(base64_32(header(headers, &["x-shopify-hmac-sha256"])?)? == mac(key, &[body]))
        }
        Scheme::SLACK => {
            let given = hex32(header(headers, &["x-slack-signature"])?.strip_prefix(b"v0=")?)?;
            let ts = header(headers, &["x-slack-request-timestamp"])?;
            let fresh = timestamp(ts, now)?;
            Some(fresh && given == mac(key, &[b"v0:", ts, b":", body]))
        }
        Scheme::STANDARD | Scheme::SVIX => {
            let prefix = if scheme == Scheme::SVIX { "svix" } else { "webhook" };
            // A dot in the signed id would let `{id}.{timestamp}` split two ways.
            if header(headers, &[&format!("{prefix}-id")])?.contains(&b'.') {
                return Some(false);
            }
            let list = header(headers, &[&format!("{prefix}-signature")])?;
            let mut tags = Vec::new();
            for entry in list.split(|&b| b == b' ').filter(|e| !e.is_empty()) {
                let comma = entry.iter().position(|&b| b == b',')?;
                let (version, tag) = (&entry[..comma], &entry[comma + 1..]);
                if version == b"v1" {
                    tags.push(base64_32(tag)?);
                }
            }
            if tags.len() > MAX_SIGNATURES {
                return None;
            }
            let id = header(headers, &[&format!("{prefix}-id")])?;
            let ts = header(headers, &[&format!("{prefix}-timestamp")])?;
            let fresh = timestamp(ts, now)?;
            let expected = mac(key, &[id, b".", ts, b".", body]);
            Some(fresh && tags.contains(&expected))
        }
        Scheme::STRIPE => {
            let value = header(headers, &["stripe-signature"])?;
            let mut ts = None;
            let mut tags = Vec::new();
            for item in value.split(|&b| b == b',') {
                let item = item.trim_ascii();
                let eq = item.iter().position(|&b| b == b'=')?;
                let (name, text) = (&item[..eq], &item[eq + 1..]);
                match name {
                    b"t" if ts.is_some() => return None,
                    b"t" => ts = Some((text, timestamp(text, now)?)),
                    b"v1" => tags.push(hex32(text)?),
                    _ => {}
                }
            }
            if tags.len() > MAX_SIGNATURES {
                return None;
            }
            let (text, fresh) = ts?;
            let expected = mac(key, &[text, b".", body]);
            Some(fresh && tags.contains(&expected))
        }
        _ => None,
    }
}
