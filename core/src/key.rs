//! Idempotency keys: one fixed-size key per delivery, stable across the provider's retries.

use core::fmt;

use sha2::{Digest, Sha256};

use crate::encoding::hex_encode;
use crate::json;
use crate::scheme::Scheme;
use crate::signed::Signed;

/// The longest idempotency key, in bytes: `standard:sha256:` and 64 hex digits.
pub const IDEMPOTENCY_KEY_MAX: usize = 80;
/// Ids longer than this (or with other characters than `A-Z a-z 0-9 . _ ~ -`) are hashed.
const MAX_PLAIN_ID: usize = 64;

/// Where an [`IdempotencyKey`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeySource {
    /// The provider's delivery id header: `webhook-id` (Standard Webhooks, Svix),
    /// `X-GitHub-Delivery`, `X-Shopify-Webhook-Id`.
    DeliveryHeader,
    /// The id inside the signed body: Trigger.dev's envelope `id` (every type but
    /// `alert.error`, whose id changes on each retry), Stripe's event `id`, Slack's `event_id`.
    BodyId,
    /// SHA-256 of signed bytes, when the delivery has no stable id: for Trigger.dev's
    /// `alert.error`, of its `object` value exactly as sent (the envelope's `id` and `created`
    /// change on every retry, the object does not); otherwise of the whole signed content.
    ContentHash,
}

/// What a body says that a key can come from: raw (still escaped) strings, and `object`
/// exactly as sent. All `None` for a body that is not JSON hookguard can read.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BodyIds<'a> {
    pub(crate) event_type: Option<&'a [u8]>,
    pub(crate) id: Option<&'a [u8]>,
    pub(crate) event_id: Option<&'a [u8]>,
    pub(crate) object: Option<&'a [u8]>,
}

/// A key to deduplicate deliveries by: `{scheme}:{id}` for a short plain id,
/// `{scheme}:sha256:{hex}` otherwise (the hash of a long or unusual id, or of the signed
/// content). At most [`IDEMPOTENCY_KEY_MAX`] bytes of ASCII, safe in URLs, KV keys and logs.
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
        // Trigger.dev's alert.error gets a new envelope id and created time on every retry;
        // its object does not.
        let is_alert_error =
            scheme == Scheme::Trigger && ids.event_type.is_some_and(|t| json::text_eq(t, "alert.error"));
        if is_alert_error {
            let hash = match ids.object {
                Some(object) => Sha256::digest(object).into(),
                None => signed.content_hash(),
            };
            return Self::hashed(scheme, KeySource::ContentHash, &hash);
        }
        let id = match scheme {
            Scheme::Standard | Scheme::Svix | Scheme::GitHub | Scheme::Shopify => {
                signed.delivery_id().map(|id| (id.as_bytes(), KeySource::DeliveryHeader))
            }
            Scheme::Trigger | Scheme::Stripe => ids.id.map(|id| (id, KeySource::BodyId)),
            Scheme::Slack => ids.event_id.map(|id| (id, KeySource::BodyId)),
        };
        match id {
            Some((id, source)) if is_plain(id) => Self::new(scheme, source, &[id]),
            Some((id, source)) => Self::hashed(scheme, source, &Sha256::digest(id).into()),
            None => Self::hashed(scheme, KeySource::ContentHash, &signed.content_hash()),
        }
    }

    fn hashed(scheme: Scheme, source: KeySource, hash: &[u8; 32]) -> Self {
        let mut hex = heapless::String::<64>::new();
        hex_encode(hash, |c| {
            let _ = hex.push(c);
        });
        Self::new(scheme, source, &[b"sha256:", hex.as_bytes()])
    }

    fn new(scheme: Scheme, source: KeySource, parts: &[&[u8]]) -> Self {
        let mut text = heapless::String::new();
        for part in [scheme.name().as_bytes(), b":"].iter().chain(parts) {
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
