//! Signed-webhook verification with no allocator and no `std`.
//!
//! `hookguard` checks that a webhook request was signed by its provider (Trigger.dev,
//! Standard Webhooks / Svix, Stripe, GitHub, Slack, Shopify), and only then parses its JSON
//! payload into a typed [`Event`]. It never allocates, never reads a clock (the time is an
//! argument), never panics on input and uses no `unsafe`.
//!
//! ```
//! use hookguard::{Scheme, Verifier, EventKind};
//!
//! let verifier = Verifier::new(Scheme::Trigger, &["my-secret"])?;
//! let body = br#"{"id":"evt_1","type":"alert.run.failed","object":{"run":{"id":"run_1","status":"FAILED"}}}"#;
//! let headers = verifier.sign(body, None, 0)?; // what Trigger.dev would send
//!
//! let verified = verifier.verify(&headers, body, 1_700_000_000)?;
//! let mut scratch = [0u8; 256];
//! let event = verified.parse(&mut scratch)?;
//! assert_eq!(event.kind, EventKind::AlertRunFailed);
//! assert_eq!(event.run_status, Some("FAILED"));
//! assert_eq!(event.idempotency_key.as_str(), "trigger:evt_1");
//! # Ok::<(), hookguard::Error>(())
//! ```
//!
//! # Security model
//! Promised:
//! - A request is accepted only if one of its signatures is the HMAC-SHA256, under one of the
//!   secrets, of exactly the bytes the scheme signs (the raw body, never a re-serialisation).
//!   Tags are compared in constant time ([`subtle`]); which secret matched is not revealed.
//! - Signed timestamps more than the tolerance (default 300 s) in the past or the future are
//!   refused, against the `now` the caller passes.
//! - Unverified bytes are never parsed: only [`Verified`] has a `parse` method.
//! - Secrets are checked when the [`Verifier`] is built (no empty secret, strict `whsec_`
//!   base64, Standard Webhooks keys of 24 to 64 bytes) and never printed, not even by `Debug`.
//! - Any input gives a result or an [`Error`]: no panic, no allocation, bounded stack.
//!
//! Not promised:
//! - Replay protection within the tolerance window, and for schemes that sign no timestamp
//!   (Trigger.dev, GitHub, Shopify): that is the job of an idempotency store keyed by
//!   [`IdempotencyKey`]; the edge worker's Workers KV store is eventually consistent, so its
//!   deduplication across locations is best-effort.
//! - Secrecy of the body, or of which scheme, header format or timestamp was refused: error
//!   codes say what was wrong with public data, never anything about the secret.
//! - Confidentiality against a provider that leaks its secret.
//!
//! # Limits
//! At most [`MAX_SECRETS`] secrets per verifier and [`MAX_SIGNATURES`] signatures per header;
//! bodies up to [`DEFAULT_MAX_BODY`] unless [`Verifier::with_max_body`] says otherwise; JSON
//! nesting up to [`MAX_DEPTH`]. Duplicate keys are refused among the fields hookguard reads
//! (other fields are never read, so their duplicates cannot mislead it).

#![no_std]
#![forbid(unsafe_code)]
#![warn(clippy::indexing_slicing)]

#[cfg(test)]
extern crate std;

mod encoding;
mod error;
mod event;
mod external;
mod headers;
mod json;
mod key;
mod scheme;
mod verify;

pub use error::{Error, Result};
pub use event::{Event, EventKind};
pub use external::{MAX_SIGNED_PARTS, SignedParts, mac_key};
pub use headers::Headers;
pub use json::MAX_DEPTH;
pub use key::{IDEMPOTENCY_KEY_MAX, IdempotencyKey, KeySource};
pub use scheme::Scheme;
pub use verify::{
    DEFAULT_MAX_BODY, DEFAULT_TOLERANCE_SECS, MAX_MESSAGE_ID, MAX_SECRETS, MAX_SIGNATURES, SignedHeaders,
    Verified, Verifier,
};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
