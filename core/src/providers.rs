//! The providers hookguard knows: one [`Spec`] each, and nothing about them anywhere else.
//!
//! Facts come from each provider's own documentation or official SDK, cited per entry;
//! `PROTOCOLS.md` in the repository has the research behind them. Adding a provider is one
//! entry here, one row in `core/tests/roundtrip.rs`, and a vector in `tests/vectors/` where
//! the provider publishes one.

use crate::spec::{
    Algorithm, Encoding, IdSource, RetriedByContent, Scheme, SecretFormat, Spec, Syntax, Timestamp,
    TimestampSource, Unit,
};

/// HMAC-SHA256 over the body, bare lower-case hex, the secret's bytes as the key: what most
/// providers do; entries say only how they differ.
const HMAC_BODY: Spec = Spec {
    id: "",
    family: None,
    algorithm: Algorithm::HmacSha256,
    encoding: Encoding::Hex,
    header: "",
    header_alias: None,
    syntax: Syntax::Bare,
    content: "{body}",
    timestamp: None,
    secret: SecretFormat::Text,
    delivery_id: None,
    type_header: None,
    retried_by_content: None,
};

/// A timestamp header in Unix seconds, 5 minutes either side.
const fn seconds_header(name: &'static str) -> Option<Timestamp> {
    Some(Timestamp {
        source: TimestampSource::Header(name),
        unit: Unit::Seconds,
        tolerance: 300,
        required: true,
    })
}

/// A timestamp item of the signature header.
const fn item(name: &'static str, unit: Unit, tolerance: u64) -> Option<Timestamp> {
    Some(Timestamp { source: TimestampSource::Item(name), unit, tolerance, required: true })
}

const fn unsigned_header(name: &'static str) -> Option<IdSource> {
    Some(IdSource::Header { name, signed: false })
}

/// Standard Webhooks: <https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md>.
const STANDARD_SPEC: Spec = Spec {
    id: "standard",
    family: Some("standard"),
    encoding: Encoding::Base64,
    header: "webhook-signature",
    syntax: Syntax::Versioned("v1"),
    content: "{id}.{timestamp}.{body}",
    timestamp: seconds_header("webhook-timestamp"),
    secret: SecretFormat::Whsec,
    delivery_id: Some(IdSource::Header { name: "webhook-id", signed: true }),
    ..HMAC_BODY
};

/// Svix (<https://docs.svix.com/receiving/verifying-payloads/how-manual>): Standard Webhooks
/// under `svix-*` header names.
const SVIX_SPEC: Spec = Spec {
    id: "svix",
    header: "svix-signature",
    timestamp: seconds_header("svix-timestamp"),
    delivery_id: Some(IdSource::Header { name: "svix-id", signed: true }),
    ..STANDARD_SPEC
};

macro_rules! providers {
    ($($(#[doc = $doc:literal])* $name:ident = $spec:expr;)*) => {
        impl Scheme {
            $($(#[doc = $doc])* pub const $name: Scheme = Scheme::builtin(&$spec);)*

            /// Every built-in scheme, in a fixed order (the table's).
            pub const ALL: &'static [Scheme] = &[$(Scheme::$name),*];
        }
    };
}

providers! {
    /// Trigger.dev: hex HMAC-SHA256 of the body in `x-trigger-signature-hmacsha256` (older
    /// guides: `x-trigger-signature`). No timestamp is signed, so the envelope's signed
    /// `created` must be within an hour: a captured alert cannot come back after the dedupe
    /// window (bodies without `created`, the flat "v1" alert, pass). Id: the envelope `id`.
    /// Source: Trigger.dev's sender, `PROTOCOLS.md`.
    TRIGGER = Spec {
        id: "trigger",
        header: "x-trigger-signature-hmacsha256",
        header_alias: Some("x-trigger-signature"),
        timestamp: Some(Timestamp {
            source: TimestampSource::Body("created"),
            unit: Unit::Rfc3339,
            tolerance: 3600,
            required: false,
        }),
        delivery_id: Some(IdSource::Body("id")),
        // A new envelope id and `created` on every retry; the object stays the same.
        retried_by_content: Some(RetriedByContent { event_type: "alert.error", field: "object" }),
        ..HMAC_BODY
    };
    /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>`
    /// over `{id}.{timestamp}.{body}`, `whsec_` keys.
    STANDARD = STANDARD_SPEC;
    /// Svix: Standard Webhooks with `svix-*` header names; one delivery on both routes is one key.
    SVIX = SVIX_SPEC;
    /// Clerk (<https://clerk.com/docs/webhooks/sync-data>): sends through Svix.
    CLERK = Spec { id: "clerk", ..SVIX_SPEC };
    /// Resend (<https://resend.com/docs/dashboard/webhooks/verify-webhooks-requests>): sends
    /// through Svix.
    RESEND = Spec { id: "resend", ..SVIX_SPEC };
    /// OpenAI (<https://platform.openai.com/docs/guides/webhooks>): Standard Webhooks headers.
    OPENAI = Spec { id: "openai", ..STANDARD_SPEC };
    /// Replicate (<https://replicate.com/docs/topics/webhooks/verify-webhook>): Standard
    /// Webhooks headers; `webhook-id` is stable across retries.
    REPLICATE = Spec { id: "replicate", ..STANDARD_SPEC };
    /// Stripe (<https://docs.stripe.com/webhooks#verify-manually>): `Stripe-Signature:
    /// t=..,v1=..` over `{t}.{body}`, the whole `whsec_...` string as the key, 300 s. Id: the
    /// event `id`.
    STRIPE = Spec {
        id: "stripe",
        header: "stripe-signature",
        syntax: Syntax::Items("v1"),
        content: "{timestamp}.{body}",
        timestamp: item("t", Unit::Seconds, 300),
        delivery_id: Some(IdSource::Body("id")),
        ..HMAC_BODY
    };
    /// GitHub (<https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries>):
    /// `X-Hub-Signature-256: sha256=<hex>`; `X-GitHub-Delivery` and `X-GitHub-Event` are not signed.
    GITHUB = Spec {
        id: "github",
        header: "x-hub-signature-256",
        syntax: Syntax::Prefix("sha256="),
        delivery_id: unsigned_header("x-github-delivery"),
        type_header: Some("x-github-event"),
        ..HMAC_BODY
    };
    /// Slack (<https://api.slack.com/authentication/verifying-requests-from-slack>):
    /// `X-Slack-Signature: v0=<hex>` over `v0:{timestamp}:{body}`, 5 minutes. Id: the Events
    /// API's `event_id` (slash commands and interactions have none: their content is the key).
    SLACK = Spec {
        id: "slack",
        header: "x-slack-signature",
        syntax: Syntax::Prefix("v0="),
        content: "v0:{timestamp}:{body}",
        timestamp: seconds_header("x-slack-request-timestamp"),
        delivery_id: Some(IdSource::Body("event_id")),
        ..HMAC_BODY
    };
    /// Shopify (<https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook>):
    /// base64 HMAC-SHA256 of the body in `X-Shopify-Hmac-Sha256`; `X-Shopify-Webhook-Id` and
    /// `X-Shopify-Topic` are not signed.
    SHOPIFY = Spec {
        id: "shopify",
        encoding: Encoding::Base64,
        header: "x-shopify-hmac-sha256",
        delivery_id: unsigned_header("x-shopify-webhook-id"),
        type_header: Some("x-shopify-topic"),
        ..HMAC_BODY
    };
    /// Square (<https://developer.squareup.com/docs/webhooks/step3validate>): base64
    /// HMAC-SHA256 of the notification URL followed by the body. Id: `event_id`.
    SQUARE = Spec {
        id: "square",
        encoding: Encoding::Base64,
        header: "x-square-hmacsha256-signature",
        content: "{url}{body}",
        delivery_id: Some(IdSource::Body("event_id")),
        ..HMAC_BODY
    };
    /// Discord (<https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers>):
    /// Ed25519 over `{timestamp}{body}`, hex, checked with the application's public key.
    DISCORD = Spec {
        id: "discord",
        algorithm: Algorithm::Ed25519,
        header: "x-signature-ed25519",
        content: "{timestamp}{body}",
        timestamp: seconds_header("x-signature-timestamp"),
        secret: SecretFormat::HexPublicKey,
        ..HMAC_BODY
    };
    /// Zoom (<https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events>):
    /// `x-zm-signature: v0=<hex>` over `v0:{timestamp}:{body}`.
    ZOOM = Spec {
        id: "zoom",
        header: "x-zm-signature",
        syntax: Syntax::Prefix("v0="),
        content: "v0:{timestamp}:{body}",
        timestamp: seconds_header("x-zm-request-timestamp"),
        ..HMAC_BODY
    };
    /// Calendly (<https://developer.calendly.com/api-docs/overview/webhooks/webhook-signatures>):
    /// `Calendly-Webhook-Signature: t=..,v1=..` over `{t}.{body}`, 3 minutes.
    CALENDLY = Spec {
        id: "calendly",
        header: "calendly-webhook-signature",
        syntax: Syntax::Items("v1"),
        content: "{timestamp}.{body}",
        timestamp: item("t", Unit::Seconds, 180),
        ..HMAC_BODY
    };
    /// Cal.com (<https://cal.com/docs/developing/guides/automation/webhooks>):
    /// `x-cal-signature-256`, hex HMAC-SHA256 of the body.
    CAL_COM = Spec { id: "cal-com", header: "x-cal-signature-256", ..HMAC_BODY };
    /// Sentry (<https://docs.sentry.io/organization/integrations/integration-platform/webhooks/>):
    /// `sentry-hook-signature`; `request-id` and `sentry-hook-resource` are not signed.
    SENTRY = Spec {
        id: "sentry",
        header: "sentry-hook-signature",
        delivery_id: unsigned_header("request-id"),
        type_header: Some("sentry-hook-resource"),
        ..HMAC_BODY
    };
    /// PagerDuty (<https://developer.pagerduty.com/docs/webhooks/04-Signatures>):
    /// `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>]`, one per active secret.
    PAGERDUTY = Spec {
        id: "pagerduty",
        header: "x-pagerduty-signature",
        syntax: Syntax::Items("v1"),
        ..HMAC_BODY
    };
    /// Vercel (<https://vercel.com/docs/webhooks/webhooks-api#securing-webhooks>):
    /// `x-vercel-signature`, hex HMAC-SHA1 of the body. Id: the event `id`.
    VERCEL = Spec {
        id: "vercel",
        algorithm: Algorithm::HmacSha1,
        header: "x-vercel-signature",
        delivery_id: Some(IdSource::Body("id")),
        ..HMAC_BODY
    };
    /// Linear (<https://linear.app/developers/webhooks#securing-webhooks>, its SDK's
    /// `LinearWebhookClient`): `linear-signature`, and the body's `webhookTimestamp` (ms)
    /// within a minute; `linear-delivery` and `linear-event` are not signed.
    LINEAR = Spec {
        id: "linear",
        header: "linear-signature",
        timestamp: Some(Timestamp {
            source: TimestampSource::Body("webhookTimestamp"),
            unit: Unit::Milliseconds,
            tolerance: 60,
            required: true,
        }),
        delivery_id: unsigned_header("linear-delivery"),
        type_header: Some("linear-event"),
        ..HMAC_BODY
    };
    /// Notion (<https://developers.notion.com/reference/webhooks>): `X-Notion-Signature:
    /// sha256=<hex>`, keyed with the subscription's `verification_token`. Id: the event `id`.
    NOTION = Spec {
        id: "notion",
        header: "x-notion-signature",
        syntax: Syntax::Prefix("sha256="),
        delivery_id: Some(IdSource::Body("id")),
        ..HMAC_BODY
    };
    /// Typeform (<https://www.typeform.com/developers/webhooks/secure-your-webhooks/>):
    /// `Typeform-Signature: sha256=<base64>`. Id: `event_id`.
    TYPEFORM = Spec {
        id: "typeform",
        encoding: Encoding::Base64,
        header: "typeform-signature",
        syntax: Syntax::Prefix("sha256="),
        delivery_id: Some(IdSource::Body("event_id")),
        ..HMAC_BODY
    };
    /// DocuSign Connect (<https://developers.docusign.com/platform/webhooks/connect/hmac/>):
    /// `X-DocuSign-Signature-1`, base64 HMAC-SHA256 of the body (a second key signs `-2`).
    DOCUSIGN = Spec {
        id: "docusign",
        encoding: Encoding::Base64,
        header: "x-docusign-signature-1",
        header_alias: Some("x-docusign-signature-2"),
        ..HMAC_BODY
    };
    /// Jira Cloud (<https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks>):
    /// `X-Hub-Signature: sha256=<hex>`; `X-Atlassian-Webhook-Identifier` is not signed.
    JIRA = Spec {
        id: "jira",
        header: "x-hub-signature",
        syntax: Syntax::Prefix("sha256="),
        delivery_id: unsigned_header("x-atlassian-webhook-identifier"),
        ..HMAC_BODY
    };
    /// Intercom (<https://developers.intercom.com/docs/webhooks/webhook-notifications#signed-notifications>):
    /// `X-Hub-Signature: sha1=<hex>`, keyed with the app's client secret. Id: the notification `id`.
    INTERCOM = Spec {
        id: "intercom",
        algorithm: Algorithm::HmacSha1,
        header: "x-hub-signature",
        syntax: Syntax::Prefix("sha1="),
        delivery_id: Some(IdSource::Body("id")),
        ..HMAC_BODY
    };
    /// Zendesk (<https://developer.zendesk.com/documentation/webhooks/verifying/>): base64
    /// HMAC-SHA256 of `{timestamp}{body}`, the timestamp an RFC 3339 header; the secret's
    /// text is the key (not decoded). `x-zendesk-webhook-invocation-id` is not signed.
    ZENDESK = Spec {
        id: "zendesk",
        encoding: Encoding::Base64,
        header: "x-zendesk-webhook-signature",
        content: "{timestamp}{body}",
        timestamp: Some(Timestamp {
            source: TimestampSource::Header("x-zendesk-webhook-signature-timestamp"),
            unit: Unit::Rfc3339,
            tolerance: 300,
            required: true,
        }),
        delivery_id: unsigned_header("x-zendesk-webhook-invocation-id"),
        ..HMAC_BODY
    };
    /// Attio (<https://docs.attio.com/rest-api/guides/webhooks>): `Attio-Signature` (also sent
    /// as `X-Attio-Signature`), hex HMAC-SHA256 of the body.
    ATTIO = Spec {
        id: "attio",
        header: "attio-signature",
        header_alias: Some("x-attio-signature"),
        ..HMAC_BODY
    };
    /// WorkOS (<https://workos.com/docs/events/data-syncing/webhooks>, its SDK):
    /// `WorkOS-Signature: t=<ms>, v1=<hex>` over `{t}.{body}`, 3 minutes. Id: the event `id`.
    WORKOS = Spec {
        id: "workos",
        header: "workos-signature",
        syntax: Syntax::Items("v1"),
        content: "{timestamp}.{body}",
        timestamp: item("t", Unit::Milliseconds, 180),
        delivery_id: Some(IdSource::Body("id")),
        ..HMAC_BODY
    };
    /// ElevenLabs (<https://elevenlabs.io/docs/product-guides/administration/webhooks>, its SDK's
    /// `constructEvent`): `ElevenLabs-Signature: t=..,v0=..` over `{t}.{body}`, 30 minutes.
    ELEVENLABS = Spec {
        id: "elevenlabs",
        header: "elevenlabs-signature",
        syntax: Syntax::Items("v0"),
        content: "{timestamp}.{body}",
        timestamp: item("t", Unit::Seconds, 1800),
        ..HMAC_BODY
    };
    /// Vapi (<https://docs.vapi.ai/server-url/server-authentication>): an HMAC credential's
    /// default, hex HMAC-SHA256 of the body in `x-vapi-signature`. Vapi lets a credential change
    /// header, algorithm and timestamp: describe such a one as a custom scheme.
    VAPI = Spec { id: "vapi", header: "x-vapi-signature", ..HMAC_BODY };
    /// Retell AI (<https://docs.retellai.com/features/secure-webhook>, its SDK's `verify`):
    /// `x-retell-signature: v=<ms>,d=<hex>` over the body followed by the timestamp, 5 minutes,
    /// keyed with the Retell API key.
    RETELL = Spec {
        id: "retell",
        header: "x-retell-signature",
        syntax: Syntax::Items("d"),
        content: "{body}{timestamp}",
        timestamp: item("v", Unit::Milliseconds, 300),
        ..HMAC_BODY
    };
}
