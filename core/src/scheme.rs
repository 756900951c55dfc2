//! The signature schemes and the headers each one reads.

/// A webhook signature scheme. See `PROTOCOLS.md` in the repository for the facts behind each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Trigger.dev: `x-trigger-signature-hmacsha256` (or `x-trigger-signature`), hex
    /// HMAC-SHA256 of the raw body, keyed with the secret's UTF-8 bytes.
    Trigger,
    /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    Standard,
    /// Svix (Clerk, Resend, ...): Standard Webhooks with `svix-*` header names.
    Svix,
    /// Stripe: `Stripe-Signature: t=..,v1=..`.
    Stripe,
    /// GitHub: `X-Hub-Signature-256: sha256=<hex>`.
    GitHub,
    /// Slack: `X-Slack-Signature: v0=<hex>` over `v0:{timestamp}:{body}`.
    Slack,
    /// Shopify: `X-Shopify-Hmac-Sha256`, base64 HMAC-SHA256 of the raw body.
    Shopify,
}

impl Scheme {
    /// Every scheme, in a fixed order.
    pub const ALL: [Scheme; 7] = [
        Scheme::Trigger,
        Scheme::Standard,
        Scheme::Svix,
        Scheme::Stripe,
        Scheme::GitHub,
        Scheme::Slack,
        Scheme::Shopify,
    ];

    /// The scheme's short name, as used in routes and the npm API: `trigger`, `standard`,
    /// `svix`, `stripe`, `github`, `slack`, `shopify`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Scheme::Trigger => "trigger",
            Scheme::Standard => "standard",
            Scheme::Svix => "svix",
            Scheme::Stripe => "stripe",
            Scheme::GitHub => "github",
            Scheme::Slack => "slack",
            Scheme::Shopify => "shopify",
        }
    }

    /// The scheme named `name` (see [`Scheme::name`]), if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Scheme> {
        Scheme::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The headers this scheme reads, by role.
    pub(crate) const fn headers(self) -> HeaderNames {
        const NONE: HeaderNames =
            HeaderNames { signature: "", signature_alias: None, timestamp: None, id: None, topic: None };
        match self {
            Scheme::Trigger => HeaderNames {
                signature: "x-trigger-signature-hmacsha256",
                signature_alias: Some("x-trigger-signature"),
                ..NONE
            },
            Scheme::Standard => HeaderNames {
                signature: "webhook-signature",
                timestamp: Some("webhook-timestamp"),
                id: Some("webhook-id"),
                ..NONE
            },
            Scheme::Svix => HeaderNames {
                signature: "svix-signature",
                timestamp: Some("svix-timestamp"),
                id: Some("svix-id"),
                ..NONE
            },
            // Stripe's timestamp is inside its signature header.
            Scheme::Stripe => HeaderNames { signature: "stripe-signature", ..NONE },
            Scheme::GitHub => HeaderNames {
                signature: "x-hub-signature-256",
                id: Some("x-github-delivery"),
                topic: Some("x-github-event"),
                ..NONE
            },
            Scheme::Slack => HeaderNames {
                signature: "x-slack-signature",
                timestamp: Some("x-slack-request-timestamp"),
                ..NONE
            },
            Scheme::Shopify => HeaderNames {
                signature: "x-shopify-hmac-sha256",
                id: Some("x-shopify-webhook-id"),
                topic: Some("x-shopify-topic"),
                ..NONE
            },
        }
    }

    /// Every header (lower case) this scheme reads, so that a caller can copy out just these.
    pub fn header_names(self) -> impl Iterator<Item = &'static str> {
        let h = self.headers();
        [Some(h.signature), h.signature_alias, h.timestamp, h.id, h.topic].into_iter().flatten()
    }
}

/// Header names (lower case) of one scheme, by role.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HeaderNames {
    /// Carries the signature (for Stripe, the timestamp too).
    pub signature: &'static str,
    /// Read when `signature` is absent.
    pub signature_alias: Option<&'static str>,
    /// The signed timestamp.
    pub timestamp: Option<&'static str>,
    /// The provider's delivery id (signed for Standard Webhooks).
    pub id: Option<&'static str>,
    /// The event type, where the provider sends it as a header.
    pub topic: Option<&'static str>,
}
