//! Building a verifier from secrets, verifying requests, and signing them.

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

use crate::encoding::{base64_decode, base64_encode, hex_decode, hex_encode};
use crate::error::{Error, Result};
use crate::event::{self, Event};
use crate::headers::Headers;
use crate::key::IdempotencyKey;
use crate::scheme::Scheme;
use crate::signed::{Signed, Timestamp};
use crate::typed;

/// How many secrets one verifier holds (the current one and those being rotated out).
pub const MAX_SECRETS: usize = 4;
/// How many signatures one header may carry (Standard Webhooks, Stripe); more is malformed.
pub const MAX_SIGNATURES: usize = 8;
/// The default timestamp window, in seconds, for schemes that sign a timestamp.
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;
/// The default largest body accepted, in bytes.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;
/// The longest message id [`Verifier::sign`] puts in a header.
pub const MAX_MESSAGE_ID: usize = 128;
/// Standard Webhooks keys must decode to this many bytes.
const STANDARD_KEY_LEN: core::ops::RangeInclusive<usize> = 24..=64;

pub(crate) type HmacSha256 = Hmac<Sha256>;
pub(crate) type Tag = [u8; 32];

/// Verifies requests of one scheme against one or more secrets.
///
/// Building it checks every secret (empty secrets, bad `whsec_` base64 and Standard Webhooks
/// keys outside 24..=64 bytes are refused here, not at request time) and keys one HMAC state
/// per secret, so each request costs only the MAC over its own bytes.
#[derive(Clone)]
pub struct Verifier {
    scheme: Scheme,
    keys: heapless::Vec<HmacSha256, MAX_SECRETS>,
    tolerance: u64,
    max_body: usize,
}

impl fmt::Debug for Verifier {
    // Never prints key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("scheme", &self.scheme)
            .field("secrets", &self.keys.len())
            .field("tolerance", &self.tolerance)
            .field("max_body", &self.max_body)
            .finish()
    }
}

impl Verifier {
    /// A verifier for `scheme` that accepts a signature made with any of `secrets`; the first
    /// secret is the one [`Verifier::sign`] uses.
    ///
    /// Secrets are the strings the provider shows: for Standard Webhooks and Svix the
    /// `whsec_<base64>` key (the prefix may be left off), for every other scheme the secret
    /// itself, whose bytes are the key (Stripe's `whsec_...` included, as Stripe does).
    ///
    /// # Errors
    /// [`Error::InvalidSecret`] if there is no secret, one is empty, or a Standard Webhooks key
    /// is not strict base64 of 24 to 64 bytes; [`Error::TooManySecrets`] past [`MAX_SECRETS`].
    pub fn new<S: AsRef<[u8]>>(scheme: Scheme, secrets: &[S]) -> Result<Self> {
        if secrets.is_empty() {
            return Err(Error::InvalidSecret);
        }
        let mut keys = heapless::Vec::new();
        for secret in secrets {
            let mut decoded = [0u8; 64];
            let key = key_bytes(scheme, secret.as_ref(), &mut decoded)?;
            let mac = HmacSha256::new_from_slice(key).map_err(|_| Error::InvalidSecret)?;
            keys.push(mac).map_err(|_| Error::TooManySecrets)?;
        }
        Ok(Verifier { scheme, keys, tolerance: DEFAULT_TOLERANCE_SECS, max_body: DEFAULT_MAX_BODY })
    }

    /// Sets how far, in seconds, a signed timestamp may be from `now`, in the past or the
    /// future. Schemes without a timestamp ignore it.
    #[must_use]
    pub fn with_tolerance(mut self, seconds: u64) -> Self {
        self.tolerance = seconds;
        self
    }

    /// Sets the largest body accepted, in bytes.
    #[must_use]
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The scheme this verifier checks.
    #[must_use]
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Checks that `body`, as received, was signed with one of the secrets, and that a signed
    /// timestamp is within the tolerance of `now` (Unix seconds). Only the result can be parsed.
    ///
    /// # Errors
    /// [`Error::PayloadTooLarge`]; a missing or malformed signature, timestamp or message id;
    /// [`Error::TimestampOutOfTolerance`]; [`Error::InvalidSignature`] when no signature matches.
    pub fn verify<'a, H: Headers + ?Sized>(
        &self,
        headers: &'a H,
        body: &'a [u8],
        now: u64,
    ) -> Result<Verified<'a>> {
        self.check(headers, body, now, |_, key, verified| Some(mac(&verified.signed, key)))
    }

    /// [`Verifier::verify`] with the MAC under each key (by index, and its keyed state) from
    /// `mac`; `None` counts as a mismatch.
    pub(crate) fn check<'a, H: Headers + ?Sized>(
        &self,
        headers: &'a H,
        body: &'a [u8],
        now: u64,
        mut mac: impl FnMut(usize, &HmacSha256, &Verified<'a>) -> Option<Tag>,
    ) -> Result<Verified<'a>> {
        if body.len() > self.max_body {
            return Err(Error::PayloadTooLarge);
        }
        let request = Request::read(self.scheme, headers)?;
        if let Some(timestamp) = request.timestamp
            && timestamp.value.abs_diff(now) > self.tolerance
        {
            return Err(Error::TimestampOutOfTolerance);
        }
        let verified = Verified {
            signed: Signed {
                scheme: self.scheme,
                body,
                timestamp: request.timestamp,
                message_id: request.message_id,
                topic: request.topic,
            },
        };
        let mut matched = Choice::from(0);
        for (index, key) in self.keys.iter().enumerate() {
            let Some(tag) = mac(index, key, &verified) else { continue };
            for signature in &request.signatures {
                matched |= tag.ct_eq(signature);
            }
        }
        if bool::from(matched) { Ok(verified) } else { Err(Error::InvalidSignature) }
    }

    /// The headers a provider would send with `body`, signed with the first secret: for tests,
    /// local development and relays. `id` is the message id (required by Standard Webhooks and
    /// Svix; sent as the delivery header by GitHub and Shopify; unused otherwise); `timestamp`
    /// is Unix seconds (unused by schemes that sign none).
    ///
    /// # Errors
    /// [`Error::InvalidMessageId`] if Standard Webhooks or Svix get no id, or an id is empty,
    /// longer than [`MAX_MESSAGE_ID`] or not visible ASCII.
    pub fn sign(&self, body: &[u8], id: Option<&str>, timestamp: u64) -> Result<SignedHeaders> {
        let names = self.scheme.headers();
        if let Some(id) = id {
            let visible = id.bytes().all(|b| b.is_ascii_graphic());
            if id.is_empty() || id.len() > MAX_MESSAGE_ID || !visible {
                return Err(Error::InvalidMessageId);
            }
        }
        let id = id.filter(|_| names.id.is_some());
        if names.timestamp.is_some() && names.id.is_some() && id.is_none() {
            return Err(Error::InvalidMessageId);
        }
        let mut ts_text = heapless::String::<20>::new();
        push_display(&mut ts_text, timestamp);
        let uses_timestamp = names.timestamp.is_some() || self.scheme == Scheme::Stripe;
        let signed = Signed {
            scheme: self.scheme,
            body,
            timestamp: uses_timestamp.then_some(Timestamp { value: timestamp, text: ts_text.as_bytes() }),
            message_id: id.map(str::as_bytes),
            topic: None,
        };
        let key = self.keys.first().ok_or(Error::InvalidSecret)?;
        let tag = mac(&signed, key);

        let mut out = SignedHeaders::default();
        let mut signature = HeaderValue::new();
        let mut push = |c: char| {
            // Cannot overflow: the longest value is Stripe's 20-digit stamp plus 68 characters.
            let _ = signature.push(c);
        };
        match self.scheme {
            Scheme::Trigger | Scheme::GitHub | Scheme::Slack => {
                let prefix = match self.scheme {
                    Scheme::GitHub => "sha256=",
                    Scheme::Slack => "v0=",
                    _ => "",
                };
                prefix.chars().for_each(&mut push);
                hex_encode(&tag, push);
            }
            Scheme::Standard | Scheme::Svix => {
                "v1,".chars().for_each(&mut push);
                base64_encode(&tag, push);
            }
            Scheme::Shopify => base64_encode(&tag, push),
            Scheme::Stripe => {
                "t=".chars().chain(ts_text.chars()).chain(",v1=".chars()).for_each(&mut push);
                hex_encode(&tag, push);
            }
        }
        out.push(names.signature, &signature);
        if let (Some(name), Some(id)) = (names.id, id) {
            out.push(name, id);
        }
        if let Some(name) = names.timestamp {
            out.push(name, &ts_text);
        }
        Ok(out)
    }
}

fn push_display<const N: usize>(out: &mut heapless::String<N>, value: impl fmt::Display) {
    use core::fmt::Write;
    // Callers size `N` for the value; a too-small buffer would only truncate.
    let _ = write!(out, "{value}");
}

/// The HMAC key for `secret` under `scheme`.
pub(crate) fn key_bytes<'k>(scheme: Scheme, secret: &'k [u8], decoded: &'k mut [u8; 64]) -> Result<&'k [u8]> {
    if secret.is_empty() {
        return Err(Error::InvalidSecret);
    }
    match scheme {
        Scheme::Standard | Scheme::Svix => {
            let text = secret.strip_prefix(b"whsec_").unwrap_or(secret);
            let len = base64_decode(text, decoded).ok_or(Error::InvalidSecret)?;
            if !STANDARD_KEY_LEN.contains(&len) {
                return Err(Error::InvalidSecret);
            }
            decoded.get(..len).ok_or(Error::InvalidSecret)
        }
        _ => Ok(secret),
    }
}

/// The MAC of what `signed` covers, under `key`.
fn mac(signed: &Signed<'_>, key: &HmacSha256) -> Tag {
    let mut mac = key.clone();
    signed.content(|part| mac.update(part));
    mac.finalize().into_bytes().into()
}

/// What a scheme's headers say, before any MAC is computed.
struct Request<'a> {
    signatures: heapless::Vec<Tag, MAX_SIGNATURES>,
    timestamp: Option<Timestamp<'a>>,
    message_id: Option<&'a [u8]>,
    topic: Option<&'a [u8]>,
}

impl<'a> Request<'a> {
    fn read<H: Headers + ?Sized>(scheme: Scheme, headers: &'a H) -> Result<Self> {
        let names = scheme.headers();
        let present = |name: &str| headers.get(name).filter(|v| !v.is_empty());
        let signature = present(names.signature)
            .or_else(|| names.signature_alias.and_then(present))
            .ok_or(Error::MissingSignature)?;
        let mut request = Request {
            signatures: heapless::Vec::new(),
            timestamp: None,
            message_id: names.id.and_then(present),
            topic: names.topic.and_then(present),
        };
        match scheme {
            Scheme::Trigger => request.add(hex_decode(signature))?,
            Scheme::GitHub => request.add(signature.strip_prefix(b"sha256=").and_then(hex_decode))?,
            Scheme::Slack => request.add(signature.strip_prefix(b"v0=").and_then(hex_decode))?,
            Scheme::Shopify => request.add(base64_tag(signature))?,
            Scheme::Standard | Scheme::Svix => {
                for entry in signature.split(|&b| b == b' ').filter(|e| !e.is_empty()) {
                    let mut parts = entry.splitn(2, |&b| b == b',');
                    let (Some(version), Some(tag)) = (parts.next(), parts.next()) else {
                        return Err(Error::MalformedSignature);
                    };
                    // Other versions (v1a, v2, ...) are not ours to check: skip them.
                    if version == b"v1" {
                        request.add(base64_tag(tag))?;
                    }
                }
                if request.message_id.is_none() {
                    return Err(Error::MissingMessageId);
                }
            }
            Scheme::Stripe => {
                for item in signature.split(|&b| b == b',') {
                    let mut parts = item.trim_ascii().splitn(2, |&b| b == b'=');
                    let (Some(key), Some(value)) = (parts.next(), parts.next()) else {
                        return Err(Error::MalformedSignature);
                    };
                    match key {
                        b"t" if request.timestamp.is_some() => {
                            return Err(Error::MalformedSignature);
                        }
                        b"t" => request.timestamp = Some(parse_timestamp(value)?),
                        b"v1" => request.add(hex_decode(value))?,
                        // v0 and future schemes are ignored, as Stripe's libraries do.
                        _ => {}
                    }
                }
                if request.timestamp.is_none() {
                    return Err(Error::MissingTimestamp);
                }
            }
        }
        if let Some(name) = names.timestamp {
            let text = present(name).ok_or(Error::MissingTimestamp)?;
            request.timestamp = Some(parse_timestamp(text)?);
        }
        Ok(request)
    }

    fn add(&mut self, tag: Option<Tag>) -> Result<()> {
        let tag = tag.ok_or(Error::MalformedSignature)?;
        self.signatures.push(tag).map_err(|_| Error::MalformedSignature)
    }
}

fn base64_tag(text: &[u8]) -> Option<Tag> {
    let mut tag = [0u8; 32];
    // One spare byte, so that a longer value fails on length rather than on space.
    let mut buf = [0u8; 33];
    let len = base64_decode(text, &mut buf)?;
    let decoded = buf.get(..len)?;
    (len == tag.len()).then(|| tag.copy_from_slice(decoded))?;
    Some(tag)
}

/// Unix seconds as plain decimal digits: no sign, no spaces, no fraction.
fn parse_timestamp(text: &[u8]) -> Result<Timestamp<'_>> {
    if text.is_empty() || text.len() > 19 {
        return Err(Error::MalformedTimestamp);
    }
    let mut value: u64 = 0;
    for &b in text {
        if !b.is_ascii_digit() {
            return Err(Error::MalformedTimestamp);
        }
        value = value * 10 + u64::from(b - b'0');
    }
    Ok(Timestamp { value, text })
}

/// A request whose signature has been checked. Only this type can be parsed, so unverified
/// bytes never reach the JSON parser.
#[derive(Clone, Copy)]
pub struct Verified<'a> {
    pub(crate) signed: Signed<'a>,
}

impl fmt::Debug for Verified<'_> {
    // The body stays out of logs; its length is enough to identify a request.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("scheme", &self.signed.scheme)
            .field("body_len", &self.signed.body.len())
            .field("timestamp", &self.timestamp())
            .finish_non_exhaustive()
    }
}

impl<'a> Verified<'a> {
    /// The scheme that verified it.
    #[must_use]
    pub fn scheme(&self) -> Scheme {
        self.signed.scheme
    }

    /// The raw body, exactly as signed.
    #[must_use]
    pub fn body(&self) -> &'a [u8] {
        self.signed.body
    }

    /// The signed timestamp (Unix seconds), for schemes that sign one.
    #[must_use]
    pub fn timestamp(&self) -> Option<u64> {
        self.signed.timestamp.map(|t| t.value)
    }

    /// The provider's delivery id header (`webhook-id`, `X-GitHub-Delivery`,
    /// `X-Shopify-Webhook-Id`), if present and UTF-8.
    #[must_use]
    pub fn delivery_id(&self) -> Option<&'a str> {
        self.signed.delivery_id()
    }

    /// The event type the provider sends as a header (`X-GitHub-Event`, `X-Shopify-Topic`).
    #[must_use]
    pub fn topic(&self) -> Option<&'a str> {
        self.signed.topic()
    }

    /// The key to deduplicate this delivery by; see [`IdempotencyKey`] for its source per scheme.
    #[must_use]
    pub fn idempotency_key(&self) -> IdempotencyKey {
        event::idempotency_key(&self.signed)
    }

    /// Parses the verified body into an [`Event`], unescaping strings into `scratch`.
    ///
    /// A scratch as long as the body is always enough for UTF-8 bodies; invalid UTF-8 inside a
    /// string becomes U+FFFD (three bytes), so three times the body covers any bytes.
    ///
    /// # Errors
    /// [`Error::InvalidJson`], [`Error::NotAnObject`], [`Error::TrailingCharacters`],
    /// [`Error::NestingTooDeep`], [`Error::DuplicateKey`]; [`Error::ScratchTooSmall`] with the
    /// size needed, leaving `scratch` untouched.
    pub fn parse<'s>(&self, scratch: &'s mut [u8]) -> Result<Event<'s>>
    where
        'a: 's,
    {
        Event::parse(&self.signed, scratch)
    }

    /// Deserializes the verified body into your own type through `serde-json-core`, after
    /// hookguard's strict reader has accepted it; `scratch` holds one unescaped string at a
    /// time. `T` may borrow strings from the body (`&'a str`) where they have no escapes.
    /// The crate docs list what serde-json-core cannot read.
    ///
    /// # Errors
    /// The strict reader's [`Error::InvalidJson`], [`Error::NotAnObject`],
    /// [`Error::TrailingCharacters`], [`Error::NestingTooDeep`]; [`Error::DuplicateKey`] for a
    /// field of `T` given twice; [`Error::ScratchTooSmall`] with the size needed (the longest
    /// escaped string, decoded), leaving `scratch` untouched; [`Error::PayloadMismatch`] when
    /// the body does not fit `T` or needs what serde-json-core cannot read.
    pub fn deserialize<T: serde::Deserialize<'a>>(&self, scratch: &mut [u8]) -> Result<T> {
        typed::deserialize(self.signed.body, scratch)
    }
}

/// The most headers [`Verifier::sign`] returns.
const MAX_SIGNED_HEADERS: usize = 3;
type HeaderValue = heapless::String<160>;

/// Headers made by [`Verifier::sign`]: `(lower-case name, value)` pairs. They implement
/// [`Headers`], so they can be verified directly.
#[derive(Clone, Debug, Default)]
pub struct SignedHeaders {
    pairs: heapless::Vec<(&'static str, HeaderValue), MAX_SIGNED_HEADERS>,
}

impl SignedHeaders {
    fn push(&mut self, name: &'static str, value: &str) {
        let mut v = HeaderValue::new();
        // Values are bounded by construction (ids by MAX_MESSAGE_ID, tags by their encoding).
        let _ = v.push_str(value);
        let _ = self.pairs.push((name, v));
    }

    /// The `(name, value)` pairs, signature first.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.pairs.iter().map(|(n, v)| (*n, v.as_str()))
    }
}

impl Headers for SignedHeaders {
    fn get(&self, name: &str) -> Option<&[u8]> {
        self.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_bytes())
    }
}
