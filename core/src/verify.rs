//! Building a verifier from secrets, verifying requests, and signing them: one engine, driven
//! by the scheme's [`Spec`](crate::Spec).

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::{Choice, ConstantTimeEq};

use crate::encoding::{self, MAX_BYTES};
use crate::error::{Error, Result};
use crate::event::{self, Event};
use crate::headers::Headers;
use crate::json;
use crate::key::IdempotencyKey;
use crate::signed::{Signed, SignedParts};
use crate::spec::{Algorithm, Part, Scheme, SecretFormat, Syntax, TimestampSource, Unit};
use crate::timestamp::{self, Timestamp};
use crate::typed;

/// How many secrets one verifier holds (the current one and those being rotated out).
pub const MAX_SECRETS: usize = 4;
/// How many signatures one header may carry (Standard Webhooks, Stripe); more is malformed.
pub const MAX_SIGNATURES: usize = 8;
/// The timestamp window, in seconds, of a custom scheme that names none, and of most
/// providers.
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;
/// The default largest body accepted, in bytes.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;
/// The longest message id [`Verifier::sign`] puts in a header.
pub const MAX_MESSAGE_ID: usize = 128;
/// The shortest secret [`Verifier::new`] accepts, in bytes
/// ([`Verifier::new_with_short_secrets`] takes shorter ones).
pub const MIN_SECRET_LEN: usize = 16;
/// The longest URL [`Verifier::with_url`] takes, in bytes.
pub const MAX_URL: usize = 512;
/// `whsec_` keys must decode to this many bytes.
const WHSEC_KEY_LEN: core::ops::RangeInclusive<usize> = 24..=64;

pub(crate) type HmacSha256 = Hmac<Sha256>;
#[cfg(feature = "sha1")]
type HmacSha1 = Hmac<sha1::Sha1>;
/// HMAC-SHA256 over the signed parts, computed outside this crate.
type ExternalMac<'m> = dyn FnMut(&SignedParts<'_>) -> Option<[u8; 32]> + 'm;
/// [`ExternalMac`] under the key of the secret at an index.
type IndexedMac<'m> = dyn FnMut(usize, &SignedParts<'_>) -> Option<[u8; 32]> + 'm;
/// A tag or signature, in the first `tag_len` bytes.
type Tag = [u8; MAX_BYTES];

/// One secret, keyed for its algorithm.
#[derive(Clone)]
enum Key {
    HmacSha256(HmacSha256),
    #[cfg(feature = "sha1")]
    HmacSha1(HmacSha1),
    #[cfg(feature = "ed25519")]
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl Key {
    fn new(algorithm: Algorithm, key: &[u8]) -> Result<Key> {
        match algorithm {
            Algorithm::HmacSha256 => {
                HmacSha256::new_from_slice(key).map(Key::HmacSha256).map_err(|_| Error::InvalidSecret)
            }
            #[cfg(feature = "sha1")]
            Algorithm::HmacSha1 => {
                HmacSha1::new_from_slice(key).map(Key::HmacSha1).map_err(|_| Error::InvalidSecret)
            }
            #[cfg(feature = "ed25519")]
            Algorithm::Ed25519 => {
                let bytes: [u8; 32] = key.try_into().map_err(|_| Error::InvalidSecret)?;
                ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                    .map(Key::Ed25519)
                    .map_err(|_| Error::InvalidSecret)
            }
            #[allow(unreachable_patterns)] // with every feature on
            _ => Err(Error::UnsupportedAlgorithm),
        }
    }

    /// Whether any of `signatures` is this key's over `signed`, in constant time for MACs;
    /// `external` computes HMAC-SHA256 instead of this crate.
    fn matches(
        &self,
        signed: &Signed<'_>,
        signatures: &[Tag],
        external: Option<&mut ExternalMac<'_>>,
    ) -> Choice {
        let tag = match (self, external) {
            (Key::HmacSha256(_), Some(mac)) => mac(&signed.parts()).map(|tag| widen(&tag)),
            (Key::HmacSha256(key), None) => Some(hmac(key, signed)),
            #[cfg(feature = "sha1")]
            (Key::HmacSha1(key), _) => Some(hmac(key, signed)),
            #[cfg(feature = "ed25519")]
            (Key::Ed25519(key), _) => {
                return signatures.iter().fold(Choice::from(0), |m, s| m | ed25519(key, signed, s));
            }
        };
        let Some(tag) = tag else { return Choice::from(0) };
        signatures.iter().fold(Choice::from(0), |m, s| m | tags_equal(&tag, s))
    }

    /// The MAC of what `signed` covers (for [`Verifier::sign`]); `None` for a public key.
    fn tag(&self, signed: &Signed<'_>) -> Option<Tag> {
        match self {
            Key::HmacSha256(key) => Some(hmac(key, signed)),
            #[cfg(feature = "sha1")]
            Key::HmacSha1(key) => Some(hmac(key, signed)),
            #[cfg(feature = "ed25519")]
            Key::Ed25519(_) => None,
        }
    }
}

/// Whether two tags are equal, in constant time: every word of both is read, their
/// differences folded into one word, and that word compared once. Tags are zero past their
/// length (as [`widen`] and decoding leave them), so whole tags compare as their first bytes.
fn tags_equal(a: &Tag, b: &Tag) -> Choice {
    let word = |w: &[u8]| w.first_chunk().map_or(0, |w| u64::from_le_bytes(*w));
    let diff = a.chunks_exact(8).zip(b.chunks_exact(8)).fold(0, |diff, (x, y)| diff | (word(x) ^ word(y)));
    diff.ct_eq(&0)
}

fn widen(tag: &[u8]) -> Tag {
    let mut out = [0u8; MAX_BYTES];
    if let Some(slot) = out.get_mut(..tag.len()) {
        slot.copy_from_slice(tag);
    }
    out
}

/// The MAC of what `signed` covers, under `key`.
fn hmac<M: Mac + Clone>(key: &M, signed: &Signed<'_>) -> Tag {
    let mut mac = key.clone();
    signed.content(|part| mac.update(part));
    widen(&mac.finalize().into_bytes())
}

#[cfg(feature = "ed25519")]
fn ed25519(key: &ed25519_dalek::VerifyingKey, signed: &Signed<'_>, signature: &Tag) -> Choice {
    let signature = ed25519_dalek::Signature::from_bytes(signature);
    let Ok(mut stream) = key.verify_stream(&signature) else { return Choice::from(0) };
    signed.content(|part| stream.update(part));
    Choice::from(u8::from(stream.finalize_and_verify().is_ok()))
}

/// Verifies requests of one scheme against one or more secrets.
///
/// Building it checks every secret (empty, whitespace-only or shorter than
/// [`MIN_SECRET_LEN`] secrets, bad `whsec_` base64, keys outside 24..=64 bytes and bad public
/// keys are refused here, not at request time) and keys one state per secret, so each
/// request costs only the MAC over its own bytes.
#[derive(Clone)]
pub struct Verifier {
    scheme: Scheme,
    keys: heapless::Vec<Key, MAX_SECRETS>,
    tolerance: u64,
    max_body: usize,
    url: heapless::Vec<u8, MAX_URL>,
}

impl fmt::Debug for Verifier {
    // Never prints key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("scheme", &self.scheme)
            .field("secrets", &self.keys.len())
            .field("tolerance", &self.tolerance)
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for `scheme` that accepts a signature made with any of `secrets`; the first
    /// secret is the one [`Verifier::sign`] uses.
    ///
    /// Secrets are the strings the provider shows: `whsec_<base64>` keys for Standard Webhooks
    /// and Svix (the prefix may be left off), the public key in hex for Ed25519 (Discord), and
    /// for every other scheme the secret itself, whose bytes are the key (Stripe's `whsec_...`
    /// included, as Stripe does). A secret under [`MIN_SECRET_LEN`] bytes is refused: it can
    /// be guessed. For a provider that issued a shorter one, use
    /// [`Verifier::new_with_short_secrets`].
    ///
    /// # Errors
    /// [`Error::InvalidSecret`] if there is no secret, one is empty, whitespace, too short, or
    /// not valid for the scheme; [`Error::TooManySecrets`] past [`MAX_SECRETS`];
    /// [`Error::UnsupportedAlgorithm`] if this build lacks the scheme's algorithm (features
    /// `sha1`, `ed25519`).
    pub fn new<S: AsRef<[u8]>>(scheme: Scheme, secrets: &[S]) -> Result<Self> {
        Self::build(scheme, secrets, MIN_SECRET_LEN)
    }

    /// [`Verifier::new`], accepting secrets shorter than [`MIN_SECRET_LEN`] (never an empty or
    /// whitespace-only one): only for a provider that issued a short secret you cannot replace,
    /// since a short secret can be guessed offline from one signed delivery.
    ///
    /// # Errors
    /// As [`Verifier::new`], but for the length.
    pub fn new_with_short_secrets<S: AsRef<[u8]>>(scheme: Scheme, secrets: &[S]) -> Result<Self> {
        Self::build(scheme, secrets, 1)
    }

    fn build<S: AsRef<[u8]>>(scheme: Scheme, secrets: &[S], min_len: usize) -> Result<Self> {
        let spec = scheme.spec();
        if !spec.algorithm.is_available() {
            return Err(Error::UnsupportedAlgorithm);
        }
        if secrets.is_empty() {
            return Err(Error::InvalidSecret);
        }
        let mut keys = heapless::Vec::new();
        for secret in secrets {
            let secret = secret.as_ref();
            if secret.len() < min_len && spec.secret == SecretFormat::Text {
                return Err(Error::InvalidSecret);
            }
            let mut decoded = [0u8; MAX_BYTES];
            let key = Key::new(spec.algorithm, key_bytes(scheme, secret, &mut decoded)?)?;
            keys.push(key).map_err(|_| Error::TooManySecrets)?;
        }
        let tolerance = spec.timestamp.map_or(DEFAULT_TOLERANCE_SECS, |t| t.tolerance);
        Ok(Verifier { scheme, keys, tolerance, max_body: DEFAULT_MAX_BODY, url: heapless::Vec::new() })
    }

    /// Sets how far, in seconds, a signed timestamp may be from `now`, in the past or the
    /// future (each scheme has its default: 300 s for most, Trigger.dev's `created` 3600 s).
    /// `u64::MAX` turns the check off. Schemes without a timestamp ignore it.
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

    /// Sets the URL the provider was given, for schemes that sign it (Square signs its
    /// notification URL): exactly as registered with the provider.
    ///
    /// # Errors
    /// [`Error::UrlTooLong`] if it is longer than [`MAX_URL`].
    pub fn with_url(mut self, url: &str) -> Result<Self> {
        self.url = heapless::Vec::from_slice(url.as_bytes()).map_err(|_| Error::UrlTooLong)?;
        Ok(self)
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
    /// [`Error::TimestampOutOfTolerance`]; [`Error::InvalidSignature`] when no signature matches;
    /// [`Error::MissingUrl`] for a scheme that signs a URL the verifier was not given.
    pub fn verify<'a, H: Headers + ?Sized>(
        &self,
        headers: &'a H,
        body: &'a [u8],
        now: u64,
    ) -> Result<Verified<'a>> {
        self.check(headers, body, now, None)
    }

    /// [`Verifier::verify`] with HMAC-SHA256 under the `index`-th key computed by `mac` (see
    /// [`Verifier::verify_with_mac`]); `None` counts as a mismatch.
    pub(crate) fn check<'a, H: Headers + ?Sized>(
        &self,
        headers: &'a H,
        body: &'a [u8],
        now: u64,
        mut mac: Option<&mut IndexedMac<'_>>,
    ) -> Result<Verified<'a>> {
        if body.len() > self.max_body {
            return Err(Error::PayloadTooLarge);
        }
        let spec = self.scheme.spec();
        let request = Request::read(self.scheme, headers)?;
        if let Some(timestamp) = &request.timestamp {
            self.within_tolerance(timestamp, now)?;
        }
        if spec.signs(Part::Url) && self.url.is_empty() {
            return Err(Error::MissingUrl);
        }
        let mut signed = Signed {
            scheme: self.scheme,
            body,
            timestamp: request.timestamp,
            message_id: request.message_id,
            topic: request.topic,
            url: &[],
        };
        // The URL is signed but not kept: it is the same for every delivery to this endpoint.
        let with_url = Signed { url: &self.url, ..signed };
        let mut matched = Choice::from(0);
        for (index, key) in self.keys.iter().enumerate() {
            let mut external = mac.as_mut().map(|mac| move |parts: &SignedParts<'_>| mac(index, parts));
            let external =
                external.as_mut().map(|f| f as &mut dyn FnMut(&SignedParts<'_>) -> Option<[u8; 32]>);
            matched |= key.matches(&with_url, &request.signatures, external);
        }
        if !bool::from(matched) {
            return Err(Error::InvalidSignature);
        }
        // A timestamp inside the body is read only now that the body is known to be signed.
        if let Some(ts) = spec.timestamp
            && let TimestampSource::Body(field) = ts.source
        {
            match json::field(body, field) {
                Ok(Some(text)) => {
                    let timestamp = Timestamp::read(text, ts.unit)?;
                    self.within_tolerance(&timestamp, now)?;
                    signed.timestamp = Some(timestamp);
                }
                _ if ts.required => return Err(Error::MissingTimestamp),
                _ => {}
            }
        }
        Ok(Verified { signed })
    }

    fn within_tolerance(&self, timestamp: &Timestamp<'_>, now: u64) -> Result<()> {
        if timestamp.value.abs_diff(now) > self.tolerance {
            return Err(Error::TimestampOutOfTolerance);
        }
        Ok(())
    }

    /// The headers a provider would send with `body`, signed with the first secret: for tests,
    /// local development and relays. `id` is the delivery id (required where the scheme signs
    /// it, as Standard Webhooks and Svix do; sent where the scheme has an id header; unused
    /// otherwise); `timestamp` is Unix seconds (unused by schemes that sign none in a header).
    ///
    /// # Errors
    /// [`Error::InvalidMessageId`] if a scheme that signs an id gets none, or an id is empty,
    /// longer than [`MAX_MESSAGE_ID`], not visible ASCII, or (where it is signed) has a `.`;
    /// [`Error::UnsupportedAlgorithm`] for Ed25519, which verifies with a public key and so
    /// cannot sign; [`Error::MissingUrl`] as for [`Verifier::verify`].
    pub fn sign(&self, body: &[u8], id: Option<&str>, timestamp: u64) -> Result<SignedHeaders> {
        let spec = self.scheme.spec();
        let id_header = spec.id_header();
        if let Some(id) = id {
            let visible = id.bytes().all(|b| b.is_ascii_graphic());
            if id.is_empty() || id.len() > MAX_MESSAGE_ID || !visible {
                return Err(Error::InvalidMessageId);
            }
        }
        let id = id.filter(|_| id_header.is_some());
        if spec.signs(Part::Id) && id.is_none_or(|id| id.contains('.')) {
            return Err(Error::InvalidMessageId);
        }
        if spec.signs(Part::Url) && self.url.is_empty() {
            return Err(Error::MissingUrl);
        }
        let mut ts_text = [0u8; timestamp::MAX_TEXT];
        let stamp = match spec.timestamp {
            Some(ts) if !matches!(ts.source, TimestampSource::Body(_)) => {
                let text = timestamp::write(timestamp, ts.unit, &mut ts_text);
                Some((ts, Timestamp { value: timestamp, text }))
            }
            _ => None,
        };
        let signed = Signed {
            scheme: self.scheme,
            body,
            timestamp: stamp.map(|(_, t)| t),
            message_id: id.map(str::as_bytes),
            topic: None,
            url: &self.url,
        };
        let key = self.keys.first().ok_or(Error::InvalidSecret)?;
        let tag = key.tag(&signed).ok_or(Error::UnsupportedAlgorithm)?;
        let tag = tag.get(..spec.algorithm.tag_len()).unwrap_or_default();
        let mut encoded = [0u8; 2 * MAX_BYTES];
        let tag = encoding::encode(spec.encoding, tag, &mut encoded).unwrap_or_default();
        let ts = signed.timestamp.map_or("", |t| core::str::from_utf8(t.text).unwrap_or_default());

        let mut signature = HeaderValue::new();
        // Cannot overflow: the longest value is a timestamp item and a 128-digit tag.
        let _ = match spec.syntax {
            Syntax::Bare => signature.push_str(tag),
            Syntax::Prefix(prefix) => [prefix, tag].iter().try_for_each(|s| signature.push_str(s)),
            Syntax::Versioned(version) => [version, ",", tag].iter().try_for_each(|s| signature.push_str(s)),
            Syntax::Items(name) => {
                let stamp_item = match stamp {
                    Some((crate::spec::Timestamp { source: TimestampSource::Item(item), .. }, _)) => {
                        [item, "=", ts, ","]
                    }
                    _ => [""; 4],
                };
                stamp_item.iter().chain(&[name, "=", tag]).try_for_each(|s| signature.push_str(s))
            }
        };
        let mut out = SignedHeaders::default();
        out.push(spec.header, &signature);
        if let (Some(name), Some(id)) = (id_header, id) {
            out.push(name, id);
        }
        if let Some(name) = spec.timestamp_header() {
            out.push(name, ts);
        }
        Ok(out)
    }
}

/// The key bytes of `secret` under `scheme`: the decoded `whsec_` key, the decoded public
/// key, or the secret's own bytes.
pub(crate) fn key_bytes<'k>(
    scheme: Scheme,
    secret: &'k [u8],
    decoded: &'k mut [u8; MAX_BYTES],
) -> Result<&'k [u8]> {
    if is_blank(secret) {
        return Err(Error::InvalidSecret);
    }
    let (text, encoding, lengths) = match scheme.spec().secret {
        SecretFormat::Text => return Ok(secret),
        SecretFormat::Whsec => {
            (secret.strip_prefix(b"whsec_").unwrap_or(secret), crate::spec::Encoding::Base64, WHSEC_KEY_LEN)
        }
        SecretFormat::HexPublicKey => (secret, crate::spec::Encoding::Hex, 32..=32),
    };
    let len = encoding::decode(encoding, text, decoded).ok_or(Error::InvalidSecret)?;
    if !lengths.contains(&len) {
        return Err(Error::InvalidSecret);
    }
    decoded.get(..len).ok_or(Error::InvalidSecret)
}

/// Whether `secret`, given as text (its bytes the key or token), is one the core takes: at
/// least [`MIN_SECRET_LEN`] bytes, not whitespace alone. A shorter one can be guessed.
#[must_use]
pub fn is_usable_secret(secret: &[u8]) -> bool {
    secret.len() >= MIN_SECRET_LEN && !is_blank(secret)
}

/// Nothing but spaces, tabs and line breaks: a paste gone wrong, never a secret. (Not every
/// Unicode space: RFC 4231's first key is twenty 0x0B bytes, a vertical tab.)
pub(crate) fn is_blank(secret: &[u8]) -> bool {
    secret.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
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
        let spec = scheme.spec();
        let present = |name: &str| headers.get(name).filter(|v| !v.is_empty());
        let (primary, alias) = (present(spec.header), spec.header_alias.and_then(present));
        let value = primary.or(alias).ok_or(Error::MissingSignature)?;
        let mut request = Request {
            signatures: heapless::Vec::new(),
            timestamp: None,
            message_id: spec.id_header().and_then(present),
            topic: spec.type_header.and_then(present),
        };
        let (stamp_item, unit) = match spec.timestamp {
            Some(crate::spec::Timestamp { source: TimestampSource::Item(item), unit, .. }) => {
                (Some(item), unit)
            }
            _ => (None, Unit::Seconds),
        };
        let tag_len = spec.algorithm.tag_len();
        let mut add = |text: Option<&[u8]>| {
            let tag = text.and_then(|text| encoding::decode_exact(spec.encoding, text, tag_len));
            request
                .signatures
                .push(tag.ok_or(Error::MalformedSignature)?)
                .map_err(|_| Error::MalformedSignature)
        };
        match spec.syntax {
            Syntax::Bare => {
                add(Some(value))?;
                // Both headers came (DocuSign signs with each active key, `-1` and `-2`, during
                // a rotation): the second one's tag is one more candidate, if it decodes.
                if let (Some(_), Some(second)) = (primary, alias) {
                    let tag = encoding::decode_exact(spec.encoding, second, tag_len);
                    let _ = tag.map(|tag| request.signatures.push(tag));
                }
            }
            Syntax::Prefix(prefix) => add(value.strip_prefix(prefix.as_bytes()))?,
            Syntax::Versioned(version) => {
                for entry in value.split(|&b| b == b' ').filter(|e| !e.is_empty()) {
                    let (v, tag) = split_once(entry, b',').ok_or(Error::MalformedSignature)?;
                    // Other versions (v1a, v2, ...) are not ours to check: skip them.
                    if v == version.as_bytes() {
                        add(Some(tag))?;
                    }
                }
            }
            Syntax::Items(name) => {
                for item in value.split(|&b| b == b',') {
                    let (key, text) = split_once(item.trim_ascii(), b'=').ok_or(Error::MalformedSignature)?;
                    if key == name.as_bytes() {
                        add(Some(text))?;
                    } else if stamp_item.is_some_and(|item| key == item.as_bytes()) {
                        if request.timestamp.is_some() {
                            return Err(Error::MalformedSignature);
                        }
                        request.timestamp = Some(Timestamp::read(text, unit)?);
                    }
                    // Other items (Stripe's v0, future schemes) are skipped, as providers' libraries do.
                }
            }
        }
        if let Some(ts) = spec.timestamp {
            match ts.source {
                TimestampSource::Header(name) => {
                    let text = present(name).ok_or(Error::MissingTimestamp)?;
                    request.timestamp = Some(Timestamp::read(text, ts.unit)?);
                }
                TimestampSource::Item(_) if request.timestamp.is_none() => {
                    return Err(Error::MissingTimestamp);
                }
                _ => {}
            }
        }
        if spec.signs(Part::Id) {
            let id = request.message_id.ok_or(Error::MissingMessageId)?;
            // `{id}.{timestamp}.{body}` must split one way only.
            if id.contains(&b'.') {
                return Err(Error::MalformedMessageId);
            }
        }
        Ok(request)
    }
}

fn split_once(text: &[u8], separator: u8) -> Option<(&[u8], &[u8])> {
    let at = text.iter().position(|&b| b == separator)?;
    Some((text.get(..at)?, text.get(at + 1..)?))
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

    /// The signed timestamp (Unix seconds), for schemes that sign one (Trigger.dev: the
    /// envelope's `created`, when present).
    #[must_use]
    pub fn timestamp(&self) -> Option<u64> {
        self.signed.timestamp.map(|t| t.value)
    }

    /// The provider's delivery id header (`webhook-id`, `X-GitHub-Delivery`,
    /// `X-Shopify-Webhook-Id`, ...), if present and UTF-8.
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

    /// A second key, over the (signed) body, when [`Verified::idempotency_key`] comes from a
    /// delivery id the signature does not cover (GitHub's `X-GitHub-Delivery`, Shopify's
    /// `X-Shopify-Webhook-Id`, ...): a captured delivery sent again under a new id has a new
    /// first key but the same second one. Treat a delivery as a duplicate if either was seen.
    #[must_use]
    pub fn replay_key(&self) -> Option<IdempotencyKey> {
        IdempotencyKey::replay(&self.signed)
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
    /// [`Error::TrailingCharacters`], [`Error::NestingTooDeep`]; [`Error::PayloadMismatch`] for
    /// a field of `T` given twice; [`Error::ScratchTooSmall`] with the size needed (the longest
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
