//! The dashboard's sign-in cookie: `{expiry}.{tag}`, where the tag is the core's HMAC-SHA256,
//! keyed with `ADMIN_TOKEN`, of `hookguard-session:{expiry}`, checked in constant time by the
//! core. Changing the token signs everyone out.

use hookguard::{Scheme, Verifier};

/// The cookie's name.
pub const COOKIE: &str = "hg_session";
/// How long a sign-in lasts, in seconds.
pub const LIFETIME: u64 = 12 * 3600;

/// The HMAC is keyed with the token; the signed text says what it is for.
fn signer(token: &str) -> Option<Verifier> {
    Verifier::new(Scheme::Trigger, &[token]).ok()
}

fn message(expires: u64) -> String {
    format!("hookguard-session:{expires}")
}

/// A cookie value valid until `now + LIFETIME`.
pub fn issue(token: &str, now: u64) -> Option<String> {
    let expires = now + LIFETIME;
    let signed = signer(token)?.sign(message(expires).as_bytes(), None, now).ok()?;
    let (_, tag) = signed.iter().next()?;
    Some(format!("{expires}.{tag}"))
}

/// The `Set-Cookie` header that signs in (or, with `None`, out).
pub fn set_cookie(value: Option<&str>) -> String {
    let (value, age) = value.map_or(("", 0), |v| (v, LIFETIME));
    format!("{COOKIE}={value}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={age}")
}

/// Whether the request's `Cookie` header holds a session signed with `token` that has not
/// expired.
pub fn valid(cookie_header: &str, token: &str, now: u64) -> bool {
    let Some(value) =
        cookie_header.split(';').find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
    else {
        return false;
    };
    let Some((expires, tag)) = value.split_once('.') else { return false };
    let Ok(expires) = expires.parse::<u64>() else { return false };
    let Some(verifier) = signer(token) else { return false };
    let headers = [("x-trigger-signature-hmacsha256", tag)];
    expires > now && verifier.verify(&headers[..], message(expires).as_bytes(), now).is_ok()
}

#[cfg(test)]
mod tests {
    use super::{issue, valid};

    #[test]
    fn sessions_are_signed_and_expire() {
        let cookie = issue("admin-token", 1_000).unwrap_or_default();
        assert!(valid(&format!("a=b; hg_session={cookie}"), "admin-token", 1_001));
        assert!(!valid(&format!("hg_session={cookie}"), "other-token", 1_001), "another token");
        assert!(!valid(&format!("hg_session={cookie}"), "admin-token", 1_000 + 12 * 3600), "expired");
        let (expires, tag) = cookie.split_once('.').unwrap_or_default();
        let later: u64 = expires.parse::<u64>().unwrap_or(0) + 3600;
        assert!(!valid(&format!("hg_session={later}.{tag}"), "admin-token", 1_001), "expiry moved");
        assert!(!valid("hg_session=", "admin-token", 1), "empty");
        assert!(!valid("", "admin-token", 1), "none");
    }
}
