//! What a scheme signs: the request's parts that its MAC covers, in order.

use sha2::{Digest, Sha256};

use crate::scheme::Scheme;

/// A signed timestamp: its value and the exact text that was signed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timestamp<'a> {
    pub(crate) value: u64,
    pub(crate) text: &'a [u8],
}

/// A request's signed parts (and the unsigned headers read beside them).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Signed<'a> {
    pub(crate) scheme: Scheme,
    pub(crate) body: &'a [u8],
    pub(crate) timestamp: Option<Timestamp<'a>>,
    pub(crate) message_id: Option<&'a [u8]>,
    /// The event type sent as a header (`X-GitHub-Event`, `X-Shopify-Topic`): not signed.
    pub(crate) topic: Option<&'a [u8]>,
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

    /// The bytes the MAC covers, in order: the scheme's prefix parts, then the body.
    pub(crate) fn content(&self, mut feed: impl FnMut(&'a [u8])) {
        let ts = self.timestamp.map_or(&b""[..], |t| t.text);
        let id = self.message_id.unwrap_or_default();
        let prefix: [&[u8]; 4] = match self.scheme {
            Scheme::Standard | Scheme::Svix => [id, b".", ts, b"."],
            Scheme::Stripe => [ts, b".", b"", b""],
            Scheme::Slack => [b"v0:", ts, b":", b""],
            Scheme::Trigger | Scheme::GitHub | Scheme::Shopify => [b""; 4],
        };
        prefix.into_iter().for_each(&mut feed);
        feed(self.body);
    }

    /// SHA-256 of the signed content: the idempotency key of last resort.
    pub(crate) fn content_hash(&self) -> [u8; 32] {
        let mut hash = Sha256::new();
        self.content(|part| hash.update(part));
        hash.finalize().into()
    }
}
