//! The one error type, its stable codes and the HTTP status each one maps to.

use core::fmt;

/// Everything that can go wrong while building a verifier, verifying a request or parsing
/// its payload. Each variant has a stable snake_case [`code`](Error::code) and an HTTP
/// [`status`](Error::status); new variants may be added, so match with a wildcard.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// The scheme's signature header is absent (or empty).
    MissingSignature,
    /// The signature header is present but not in the scheme's format.
    MalformedSignature,
    /// No signature in the header matches any of the secrets (the MAC mismatch: one opaque case).
    InvalidSignature,
    /// The scheme signs a timestamp and its header is absent.
    MissingTimestamp,
    /// The timestamp is not a plain decimal number of seconds.
    MalformedTimestamp,
    /// The timestamp is older or newer than the tolerance allows.
    TimestampOutOfTolerance,
    /// The scheme signs a message id (Standard Webhooks `webhook-id`) and it is absent.
    MissingMessageId,
    /// A signed message id has a `.`, which would make `{id}.{timestamp}.{body}` ambiguous.
    MalformedMessageId,
    /// The body is larger than the verifier's limit.
    PayloadTooLarge,
    /// The verified body is not well-formed JSON.
    InvalidJson,
    /// The verified body is JSON, but not an object.
    NotAnObject,
    /// The verified body has non-whitespace bytes after the JSON value.
    TrailingCharacters,
    /// The verified body nests arrays and objects deeper than [`MAX_DEPTH`](crate::MAX_DEPTH).
    NestingTooDeep,
    /// A field hookguard reads appears twice in one object.
    DuplicateKey,
    /// The caller's scratch buffer cannot hold the unescaped strings; `needed` bytes would.
    ScratchTooSmall {
        /// The scratch size that would have been enough.
        needed: usize,
    },
    /// A secret is empty, whitespace, shorter than [`MIN_SECRET_LEN`](crate::MIN_SECRET_LEN),
    /// not valid for the scheme (`whsec_` base64, key length, public key), or there are none:
    /// refused when the verifier is built, never at request time (run tokens: by
    /// [`run_token`](crate::run_token) and [`verify_run_token`](crate::verify_run_token)).
    InvalidSecret,
    /// More secrets than [`MAX_SECRETS`](crate::MAX_SECRETS).
    TooManySecrets,
    /// An id given to [`Verifier::sign`](crate::Verifier::sign) is empty or too long.
    InvalidMessageId,
    /// The verified body is valid JSON but does not fit the type asked of
    /// [`Verified::deserialize`](crate::Verified::deserialize), or needs what serde-json-core
    /// cannot read.
    PayloadMismatch,
    /// The scheme's algorithm is not in this build (cargo features `sha1`, `ed25519`), or it
    /// cannot sign (Ed25519 verifies with a public key).
    UnsupportedAlgorithm,
    /// The scheme signs the URL the provider was given and the verifier has none.
    MissingUrl,
    /// A URL given to [`Verifier::with_url`](crate::Verifier::with_url) is longer than
    /// [`MAX_URL`](crate::MAX_URL).
    UrlTooLong,
}

/// `Result` with [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

impl Error {
    /// The stable, snake_case code: what error bodies and logs name.
    #[must_use]
    pub const fn code(self) -> &'static str {
        self.describe().0
    }

    /// The HTTP status an endpoint answers with. 401 for anything that fails
    /// authentication, 400 for a verified body that cannot be parsed, 413 for a body over the
    /// limit, 500 for the server's own configuration (secrets, scratch size).
    #[must_use]
    pub const fn status(self) -> u16 {
        self.describe().1
    }

    /// The one table of codes and statuses.
    const fn describe(self) -> (&'static str, u16) {
        match self {
            Error::MissingSignature => ("missing_signature", 401),
            Error::MalformedSignature => ("malformed_signature", 401),
            Error::InvalidSignature => ("invalid_signature", 401),
            Error::MissingTimestamp => ("missing_timestamp", 401),
            Error::MalformedTimestamp => ("malformed_timestamp", 401),
            Error::TimestampOutOfTolerance => ("timestamp_out_of_tolerance", 401),
            Error::MissingMessageId => ("missing_message_id", 401),
            Error::MalformedMessageId => ("malformed_message_id", 401),
            Error::PayloadTooLarge => ("payload_too_large", 413),
            Error::InvalidJson => ("invalid_json", 400),
            Error::NotAnObject => ("not_an_object", 400),
            Error::TrailingCharacters => ("trailing_characters", 400),
            Error::NestingTooDeep => ("nesting_too_deep", 400),
            Error::DuplicateKey => ("duplicate_key", 400),
            Error::ScratchTooSmall { .. } => ("scratch_too_small", 500),
            Error::InvalidSecret => ("invalid_secret", 500),
            Error::TooManySecrets => ("too_many_secrets", 500),
            Error::InvalidMessageId => ("invalid_message_id", 400),
            Error::PayloadMismatch => ("payload_mismatch", 400),
            Error::UnsupportedAlgorithm => ("unsupported_algorithm", 500),
            Error::MissingUrl => ("missing_url", 500),
            Error::UrlTooLong => ("url_too_long", 500),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl core::error::Error for Error {}
