//! What a scheme signs: the request's parts that its signature covers, in order.

use crate::spec::{MAX_PARTS, Part, Scheme, parts};
use crate::timestamp::Timestamp;

/// The most parts the signed content has (a [`Spec`](crate::Spec)'s content template).
pub const MAX_SIGNED_PARTS: usize = MAX_PARTS;

/// The signed content of one request, in order: HMAC-SHA256 over their concatenation.
pub type SignedParts<'a> = [&'a [u8]; MAX_SIGNED_PARTS];

/// A request's signed parts (and the unsigned headers read beside them).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Signed<'a> {
    pub(crate) scheme: Scheme,
    pub(crate) body: &'a [u8],
    pub(crate) timestamp: Option<Timestamp<'a>>,
    /// The delivery id header (signed only where the content has `{id}`).
    pub(crate) message_id: Option<&'a [u8]>,
    /// The event type sent as a header (`X-GitHub-Event`, `X-Shopify-Topic`): not signed.
    pub(crate) topic: Option<&'a [u8]>,
    /// The URL the provider was given, for schemes that sign it, while the signature is
    /// checked; empty in a [`Verified`](crate::Verified), whose keys are over the signed content
    /// without it (it is the same for every delivery to one endpoint).
    pub(crate) url: &'a [u8],
}

impl<'a> Signed<'a> {
    /// The message id, if present and UTF-8.
    pub(crate) fn delivery_id(&self) -> Option<&'a str> {
        self.message_id.and_then(|id| core::str::from_utf8(id).ok())
    }

    /// The event type header, if present and UTF-8.
    pub(crate) fn topic(&self) -> Option<&'a str> {
        self.topic.and_then(|t| core::str::from_utf8(t).ok())
    }

    /// The bytes the signature covers, in order, as the scheme's content template says.
    pub(crate) fn content(&self, mut feed: impl FnMut(&'a [u8])) {
        for part in parts(self.scheme.spec().content).flatten() {
            feed(match part {
                Part::Literal(text) => text.as_bytes(),
                Part::Body => self.body,
                Part::Timestamp => self.timestamp.map_or(&b""[..], |t| t.text),
                Part::Id => self.message_id.unwrap_or_default(),
                Part::Url => self.url,
            });
        }
    }

    /// The signed content's parts, in order, for a MAC computed outside this crate.
    pub(crate) fn parts(&self) -> SignedParts<'a> {
        let mut parts: SignedParts<'a> = [&[]; MAX_SIGNED_PARTS];
        let mut slots = parts.iter_mut();
        self.content(|part| {
            if let Some(slot) = slots.next() {
                *slot = part;
            }
        });
        parts
    }
}
