//! Run tokens: what an app server gives a browser so that it may watch one run until a time,
//! without holding any other secret. A token is `{expires_at}.{tag}`, the tag being the
//! lower-case hex HMAC-SHA256, keyed with the secret, of the run id and the expiry (each
//! length-prefixed, under a label of its own, so no other message of hookguard's can be one).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::encoding::{self, MAX_BYTES};
use crate::error::{Error, Result};
use crate::spec::Encoding;
use crate::verify::is_usable_secret;

/// The longest token: 20 digits of expiry, a dot, 64 hex digits.
pub const RUN_TOKEN_MAX: usize = 85;

const LABEL: &[u8] = b"hookguard run token v1";

fn tag(secret: &[u8], run_id: &str, expires_at: u64) -> Result<[u8; 32]> {
    // As for webhook secrets: one token is enough to guess a short secret offline.
    if !is_usable_secret(secret) {
        return Err(Error::InvalidSecret);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| Error::InvalidSecret)?;
    mac.update(LABEL);
    mac.update(&(run_id.len() as u64).to_be_bytes());
    mac.update(run_id.as_bytes());
    mac.update(&expires_at.to_be_bytes());
    Ok(mac.finalize().into_bytes().into())
}

/// A token for watching `run_id` until `expires_at` (Unix seconds).
///
/// # Errors
/// [`Error::InvalidSecret`] for a secret shorter than [`MIN_SECRET_LEN`](crate::MIN_SECRET_LEN) bytes or of
/// whitespace alone.
pub fn run_token(secret: &[u8], run_id: &str, expires_at: u64) -> Result<heapless::String<RUN_TOKEN_MAX>> {
    let tag = tag(secret, run_id, expires_at)?;
    let mut hex = [0u8; 64];
    let hex = encoding::encode(Encoding::Hex, &tag, &mut hex).unwrap_or_default();
    let mut token = heapless::String::new();
    // Cannot overflow: 20 digits, a dot and 64 hex digits are RUN_TOKEN_MAX.
    let _ = core::fmt::write(&mut token, format_args!("{expires_at}.{hex}"));
    Ok(token)
}

/// Checks that `token` was made by [`run_token`] with `secret` for `run_id`, and has not
/// expired at `now` (Unix seconds); returns when it expires (a socket opened with it must not
/// outlive it). The tag is compared in constant time.
///
/// # Errors
/// [`Error::MalformedSignature`] for a token not of the form, [`Error::InvalidSignature`] for
/// a wrong tag (another run, another secret, a changed expiry),
/// [`Error::TimestampOutOfTolerance`] once expired, [`Error::InvalidSecret`] as for
/// [`run_token`].
pub fn verify_run_token(secret: &[u8], run_id: &str, token: &str, now: u64) -> Result<u64> {
    let (expires, given) = token.split_once('.').ok_or(Error::MalformedSignature)?;
    let canonical = !expires.is_empty() && expires.len() <= 20 && expires.bytes().all(|b| b.is_ascii_digit());
    if !canonical || (expires.len() > 1 && expires.starts_with('0')) {
        return Err(Error::MalformedSignature);
    }
    let expires_at: u64 = expires.parse().map_err(|_| Error::MalformedSignature)?;
    let given: [u8; MAX_BYTES] =
        encoding::decode_exact(Encoding::Hex, given.as_bytes(), 32).ok_or(Error::MalformedSignature)?;
    let expected = tag(secret, run_id, expires_at)?;
    if !bool::from(expected.ct_eq(given.get(..32).unwrap_or_default())) {
        return Err(Error::InvalidSignature);
    }
    if expires_at <= now {
        return Err(Error::TimestampOutOfTolerance);
    }
    Ok(expires_at)
}

#[cfg(test)]
mod tests {
    use std::format;
    use std::string::String;

    use super::{run_token, verify_run_token};
    use crate::Error;

    const SECRET: &[u8] = b"live-token-secret-0123456789";

    #[test]
    fn a_token_opens_its_run_until_it_expires() {
        let token = run_token(SECRET, "run_1", 1_000).unwrap_or_default();
        assert!(token.starts_with("1000.") && token.len() == 69, "{token}");
        assert_eq!(verify_run_token(SECRET, "run_1", &token, 999), Ok(1_000));
        assert_eq!(verify_run_token(SECRET, "run_1", &token, 1_000), Err(Error::TimestampOutOfTolerance));
        assert_eq!(verify_run_token(SECRET, "run_2", &token, 999), Err(Error::InvalidSignature));
        assert_eq!(
            verify_run_token(b"another-secret-0123", "run_1", &token, 999),
            Err(Error::InvalidSignature)
        );
        let (_, tag) = token.split_once('.').unwrap_or_default();
        assert_eq!(
            verify_run_token(SECRET, "run_1", &format!("2000.{tag}"), 999),
            Err(Error::InvalidSignature)
        );
        for unusable in [&b""[..], b"fifteen-bytes-1", b" \t\r\n \t\r\n \t\r\n \t\r\n"] {
            assert_eq!(run_token(unusable, "run_1", 1).map(|_| ()), Err(Error::InvalidSecret));
            assert_eq!(verify_run_token(unusable, "run_1", &token, 999), Err(Error::InvalidSecret));
        }
        assert_eq!(run_token(b"sixteen-bytes-12", "run_1", 1).map(|_| ()), Ok(()));
        assert_eq!(run_token(SECRET, "r", 0).map(|t| t.starts_with("0.")), Ok(true));
        assert_eq!(run_token(SECRET, "r", u64::MAX).map(|t| t.len()), Ok(85));
    }

    #[test]
    fn malformed_tokens_are_refused_before_any_mac() {
        let token = run_token(SECRET, "run_1", 1_000).unwrap_or_default();
        let (_, tag) = token.split_once('.').unwrap_or_default();
        for bad in [
            String::new(),
            "1000".into(),
            format!(".{tag}"),
            format!("01000.{tag}"),
            format!("+1000.{tag}"),
            format!("1000.{}", tag.to_uppercase()),
            format!("1000.{}", &tag[1..]),
            format!("1000.{tag}0"),
            format!("{}.{tag}", "9".repeat(21)),
        ] {
            assert_eq!(verify_run_token(SECRET, "run_1", &bad, 0), Err(Error::MalformedSignature), "{bad}");
        }
    }
}
