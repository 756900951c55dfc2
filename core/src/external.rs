//! Verification with the HMAC computed by the caller, for runtimes whose native HMAC-SHA256 is
//! faster than this crate's (Node's `node:crypto` has SHA-NI; WebAssembly does not).
//!
//! Only the MAC arithmetic moves out. The core still reads and decodes the headers, checks the
//! timestamp, derives the keys ([`mac_key`]), names the bytes to MAC, compares the caller's
//! tags with the signatures in constant time and decides; and only the result can be parsed.

use crate::encoding::MAX_BYTES;
use crate::error::{Error, Result};
use crate::headers::Headers;
use crate::signed::SignedParts;
use crate::spec::{Algorithm, Scheme};
use crate::verify::{Verified, Verifier, key_bytes};

/// The HMAC-SHA256 key of `secret` under `scheme`, written into `out`; returns its length.
/// For `whsec_` schemes it is the decoded key, for the others the secret's bytes. Feed it, in
/// the order the secrets were given to [`Verifier::new`], to the MAC that
/// [`Verifier::verify_with_mac`] calls.
///
/// # Errors
/// [`Error::InvalidSecret`] as [`Verifier::new`] refuses it; [`Error::UnsupportedAlgorithm`]
/// for a scheme that is not HMAC-SHA256; [`Error::ScratchTooSmall`] with the length needed if
/// `out` is shorter than the key (then `out` is left as it was).
pub fn mac_key(scheme: Scheme, secret: &[u8], out: &mut [u8]) -> Result<usize> {
    if scheme.spec().algorithm != Algorithm::HmacSha256 {
        return Err(Error::UnsupportedAlgorithm);
    }
    let mut decoded = [0u8; MAX_BYTES];
    let key = key_bytes(scheme, secret, &mut decoded)?;
    let slot = out.get_mut(..key.len()).ok_or(Error::ScratchTooSmall { needed: key.len() })?;
    slot.copy_from_slice(key);
    Ok(key.len())
}

impl Verifier {
    /// [`Verifier::verify`], with `mac(index, parts)` computing HMAC-SHA256 under the key of the
    /// `index`-th secret ([`mac_key`]) over the concatenation of `parts`. A `None` from `mac`
    /// counts as a mismatch. Schemes of other algorithms never call it: this crate computes
    /// their MACs and signatures itself.
    ///
    /// # Errors
    /// As [`Verifier::verify`].
    pub fn verify_with_mac<'a, H: Headers + ?Sized>(
        &self,
        headers: &'a H,
        body: &'a [u8],
        now: u64,
        mut mac: impl FnMut(usize, &SignedParts<'_>) -> Option<[u8; 32]>,
    ) -> Result<Verified<'a>> {
        self.check(headers, body, now, Some(&mut mac))
    }
}

#[cfg(test)]
mod tests {
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::Sha256;

    use super::*;

    const BODY: &[u8] = br#"{"id":"evt_1","type":"alert.run.failed","webhookTimestamp":1700000000000}"#;

    fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
        parts.iter().for_each(|p| mac.update(p));
        mac.finalize().into_bytes().into()
    }

    #[test]
    fn an_external_mac_verifies_exactly_what_verify_does() {
        let secrets = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"];
        let hmac_sha256 = Scheme::ALL.iter().filter(|s| s.spec().algorithm == Algorithm::HmacSha256);
        for &scheme in hmac_sha256 {
            let verifier = Verifier::new(scheme, &secrets)
                .and_then(|v| v.with_url("https://example.com/hook"))
                .expect("valid secrets");
            let mut keys = [[0u8; 64]; 2];
            let mut lens = [0; 2];
            for ((key, len), secret) in keys.iter_mut().zip(&mut lens).zip(secrets) {
                *len = mac_key(scheme, secret.as_bytes(), key).expect("fits");
            }
            let external = |index: usize, parts: &SignedParts<'_>| {
                let key = keys.get(index)?.get(..*lens.get(index)?)?;
                Some(hmac(key, parts))
            };
            let headers = verifier.sign(BODY, Some("msg_1"), 1_700_000_000).expect("signs");
            let ours = verifier.verify_with_mac(&headers, BODY, 1_700_000_000, external).expect("verifies");
            assert_eq!(ours.body(), BODY, "{scheme:?}");
            let tampered = BODY.get(1..).unwrap_or_default();
            assert_eq!(
                verifier.verify_with_mac(&headers, tampered, 1_700_000_000, external).err(),
                Some(Error::InvalidSignature),
                "{scheme:?}"
            );
            // Decisions stay in the core: tolerance, and a MAC that could not be computed.
            let late = verifier.verify_with_mac(&headers, BODY, 1_700_009_999, external).err();
            assert_eq!(late, verifier.verify(&headers, BODY, 1_700_009_999).err(), "{scheme:?}");
            let none = verifier.verify_with_mac(&headers, BODY, 1_700_000_000, |_, _| None).err();
            assert_eq!(none, Some(Error::InvalidSignature), "{scheme:?}");
        }
    }

    #[test]
    fn mac_key_reports_the_size_it_needs() {
        let mut small = [7u8; 3];
        assert_eq!(
            mac_key(Scheme::TRIGGER, b"secret", &mut small),
            Err(Error::ScratchTooSmall { needed: 6 })
        );
        assert_eq!(small, [7; 3]);
        assert_eq!(mac_key(Scheme::TRIGGER, b"", &mut small), Err(Error::InvalidSecret));
        let mut out = [0u8; 64];
        assert_eq!(mac_key(Scheme::STANDARD, b"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &mut out), Ok(24));
    }
}
