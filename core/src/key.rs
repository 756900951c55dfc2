//! Idempotency keys: one fixed-size key per delivery, stable across the provider's retries.

use core::fmt;

use sha2::{Digest, Sha256};

use crate::encoding;
use crate::json;
use crate::signed::Signed;
use crate::spec::{Encoding, IdSource, MAX_ID, Scheme};

/// The longest idempotency key, in bytes: a 24-byte provider id, `:sha256-object:` and 64
/// hex digits.
pub const IDEMPOTENCY_KEY_MAX: usize = 104;
/// Ids longer than this (or with other characters than `A-Z a-z 0-9 . _ ~ -`) are hashed.
const MAX_PLAIN_ID: usize = 64;
const _: () = assert!(MAX_ID + ":sha256-object:".len() + 64 <= IDEMPOTENCY_KEY_MAX);

/// Where an [`IdempotencyKey`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeySource {
    /// The provider's delivery id header (`webhook-id`, `X-GitHub-Delivery`, ...).
    DeliveryHeader,
    /// The id inside the signed body: Trigger.dev's envelope `id` (every type but
    /// `alert.error`, whose id changes on each retry), Stripe's event `id`, Slack's `event_id`.
    BodyId,
    /// SHA-256 of signed bytes, when the delivery has no stable id: for Trigger.dev's
    /// `alert.error`, of its `object` value exactly as sent (the envelope's `id` and `created`
    /// change on every retry, the object does not); otherwise of the body (a retry's new
    /// timestamp is left out).
    ContentHash,
}

/// What a body says that a key can come from: raw (still escaped) strings, and the value that
/// does not change on a retry exactly as sent. All `None` for a body that is not JSON hookguard can read.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BodyIds<'a> {
    pub(crate) event_type: Option<&'a [u8]>,
    /// The spec's body id field.
    pub(crate) id: Option<&'a [u8]>,
    /// The spec's [`RetriedByContent`](crate::RetriedByContent) field, exactly as sent.
    pub(crate) unchanging: Option<&'a [u8]>,
}

/// A key to deduplicate deliveries by: `{provider}:{id}` for a short plain id, otherwise
/// `{provider}:sha256-id:{hex}` (a long or unusual id), `{provider}:sha256-body:{hex}` (the
/// body) or `{provider}:sha256-object:{hex}` (Trigger.dev's `alert.error` object):
/// hashes of different things never meet. Providers that share deliveries share a prefix
/// (Standard Webhooks and Svix: `standard`). At most [`IDEMPOTENCY_KEY_MAX`] bytes of ASCII,
/// safe in URLs, KV keys and logs.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey {
    text: heapless::String<IDEMPOTENCY_KEY_MAX>,
    source: KeySource,
}

impl IdempotencyKey {
    /// The key as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Where the key came from.
    #[must_use]
    pub fn source(&self) -> KeySource {
        self.source
    }

    pub(crate) fn for_request(signed: &Signed<'_>, ids: &BodyIds<'_>) -> Self {
        let scheme = signed.scheme;
        // A type whose id changes on every retry (Trigger.dev's alert.error): the field that
        // does not, or else the content.
        let retried = scheme
            .spec()
            .retried_by_content
            .is_some_and(|r| ids.event_type.is_some_and(|t| json::text_eq(t, r.event_type)));
        if retried && let Some(value) = ids.unchanging {
            return Self::hashed(
                scheme,
                KeySource::ContentHash,
                "sha256-object:",
                &Sha256::digest(value).into(),
            );
        }
        let id = match scheme.spec().delivery_id {
            Some(IdSource::Header { .. }) if !retried => {
                signed.message_id.map(|id| (id, KeySource::DeliveryHeader))
            }
            Some(IdSource::Body(_)) if !retried => ids.id.map(|id| (id, KeySource::BodyId)),
            _ => None,
        };
        match id {
            Some((id, source)) if is_plain(id) => Self::new(scheme, source, &[id]),
            Some((id, source)) => Self::hashed(scheme, source, "sha256-id:", &Sha256::digest(id).into()),
            None => Self::content(signed),
        }
    }

    /// The key over the body: not over the rest of the signed content, whose timestamp a
    /// provider's retry signs anew (Zoom, Calendly, Discord, ...: the same event, another
    /// timestamp, must keep its key).
    pub(crate) fn content(signed: &Signed<'_>) -> Self {
        Self::hashed(
            signed.scheme,
            KeySource::ContentHash,
            "sha256-body:",
            &Sha256::digest(signed.body).into(),
        )
    }

    /// The key over the signed content when the delivery's key comes from an id the signature
    /// does not cover.
    pub(crate) fn replay(signed: &Signed<'_>) -> Option<Self> {
        let unsigned =
            matches!(signed.scheme.spec().delivery_id, Some(IdSource::Header { signed: false, .. }));
        (unsigned && signed.message_id.is_some()).then(|| Self::content(signed))
    }

    fn hashed(scheme: Scheme, source: KeySource, kind: &str, hash: &[u8; 32]) -> Self {
        let mut hex = [0u8; 64];
        let hex = encoding::encode(Encoding::Hex, hash, &mut hex).unwrap_or_default();
        Self::new(scheme, source, &[kind.as_bytes(), hex.as_bytes()])
    }

    fn new(scheme: Scheme, source: KeySource, parts: &[&[u8]]) -> Self {
        let mut text = heapless::String::new();
        for part in [scheme.spec().key_prefix().as_bytes(), b":"].iter().chain(parts) {
            // Parts are ASCII (so UTF-8), and the longest key fits IDEMPOTENCY_KEY_MAX.
            let _ = core::str::from_utf8(part).map(|part| text.push_str(part));
        }
        IdempotencyKey { text, source }
    }
}

fn is_plain(id: &[u8]) -> bool {
    (1..=MAX_PLAIN_ID).contains(&id.len())
        && id.iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'~' | b'-'))
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdempotencyKey({:?}, {:?})", self.text.as_str(), self.source)
    }
}
