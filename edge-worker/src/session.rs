//! The dashboard's sign-in cookie: a run token of the core (`{expiry}.{tag}`, HMAC-SHA256 keyed
//! with the SHA-256 of a label of its own and `ADMIN_TOKEN`, checked in constant time) for a
//! name no run can have. Changing the token signs everyone out.

use sha2::{Digest, Sha256};

/// The cookie's name. `__Host-`: the browser takes it only from this host, secure, for every
/// path, so a sibling subdomain cannot plant one that would shadow it.
pub const COOKIE: &str = "__Host-hg_session";
/// How long a sign-in lasts, in seconds.
pub const LIFETIME: u64 = 12 * 3600;
/// What the token is for: run ids never hold a space.
const SUBJECT: &str = "hookguard dashboard session";

/// The key sessions are signed with: a digest of the admin token, which the core takes as a
/// secret whatever the token's length (the token itself is what a guesser must find).
fn key(token: &str) -> [u8; 32] {
    Sha256::new().chain_update(SUBJECT).chain_update(token).finalize().into()
}

/// A cookie value valid until `now + LIFETIME`.
pub fn issue(token: &str, now: u64) -> Option<String> {
    hookguard::run_token(&key(token), SUBJECT, now + LIFETIME).ok().map(|t| t.to_string())
}

/// The `Set-Cookie` header that signs in (or, with `None`, out).
pub fn set_cookie(value: Option<&str>) -> String {
    let (value, age) = value.map_or(("", 0), |v| (v, LIFETIME));
    format!("{COOKIE}={value}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={age}")
}

/// Whether the request's `Cookie` header holds a session signed with `token` that has not
/// expired.
pub fn valid(cookie_header: &str, token: &str, now: u64) -> bool {
    let value = cookie_header.split(';').find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='));
    value.is_some_and(|value| hookguard::verify_run_token(&key(token), SUBJECT, value, now).is_ok())
}

#[cfg(test)]
mod tests {
    use super::{COOKIE, issue, valid};

    #[test]
    fn sessions_are_signed_and_expire() {
        let cookie = issue("admin-token", 1_000).unwrap_or_default();
        assert!(valid(&format!("a=b; {COOKIE}={cookie}"), "admin-token", 1_001));
        assert!(!valid(&format!("{COOKIE}={cookie}"), "other-token", 1_001), "another token");
        assert!(!valid(&format!("{COOKIE}={cookie}"), "admin-token", 1_000 + 12 * 3600), "expired");
        let (expires, tag) = cookie.split_once('.').unwrap_or_default();
        let later: u64 = expires.parse::<u64>().unwrap_or(0) + 3600;
        assert!(!valid(&format!("{COOKIE}={later}.{tag}"), "admin-token", 1_001), "expiry moved");
        assert!(!valid(&format!("{COOKIE}="), "admin-token", 1), "empty");
        assert!(!valid(&format!("hg_session={cookie}"), "admin-token", 1_001), "without the prefix");
        assert!(!valid("", "admin-token", 1), "none");
    }
}
