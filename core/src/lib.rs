#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(clippy::indexing_slicing)]

#[cfg(test)]
extern crate std;

mod custom;
mod encoding;
mod error;
mod event;
mod external;
mod headers;
mod json;
mod key;
mod providers;
mod signed;
mod spec;
mod timestamp;
mod token;
mod typed;
mod verify;

pub use error::{Error, Result};
pub use event::{Event, EventKind};
pub use external::mac_key;
pub use headers::Headers;
pub use json::MAX_DEPTH;
pub use key::{IDEMPOTENCY_KEY_MAX, IdempotencyKey, KeySource};
pub use signed::{MAX_SIGNED_PARTS, SignedParts};
pub use spec::{
    Algorithm, Encoding, IdSource, MAX_ID, RetriedByContent, SECRET_VAR_MAX, Scheme, SecretFormat, Spec,
    SpecError, Syntax, Timestamp, TimestampSource, Unit,
};
pub use token::{RUN_TOKEN_MAX, run_token, verify_run_token};
pub use verify::{
    DEFAULT_MAX_BODY, DEFAULT_TOLERANCE_SECS, MAX_MESSAGE_ID, MAX_SECRETS, MAX_SIGNATURES, MAX_URL,
    MIN_SECRET_LEN, SignedHeaders, Verified, Verifier, is_usable_secret,
};
