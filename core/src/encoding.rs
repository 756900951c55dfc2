//! Tags and keys in their text forms: lower-case hex, and standard padded base64 (RFC 4648).
//! Keys go through RustCrypto's constant-time `base16ct` and `base64ct`; a received hex tag,
//! which is no secret, is decoded a byte at a time.
//!
//! Decoding is strict: a wrong length, a stray character, upper-case hex or non-zero padding
//! bits are errors, so every tag and key has exactly one accepted spelling.

use base64ct::{Base64, Encoding as _};

use crate::spec::Encoding;

/// The longest tag (an Ed25519 signature) and key, in bytes.
pub(crate) const MAX_BYTES: usize = 64;

/// Decodes `text` into `out`; `Some(len)` only for canonical text of at most `out.len()` bytes.
pub(crate) fn decode(encoding: Encoding, text: &[u8], out: &mut [u8]) -> Option<usize> {
    let decoded = match encoding {
        Encoding::Hex => base16ct::lower::decode(text, out).ok()?,
        Encoding::Base64 => Base64::decode(text, out).ok()?,
    };
    Some(decoded.len())
}

/// Decodes `text` into exactly `len` bytes (at most [`MAX_BYTES`]): a tag as its sender wrote
/// it. A tag is no secret (the comparison with the expected one is what runs in constant
/// time), so hex is decoded a byte at a time rather than through `base16ct`, in a quarter of
/// the instructions; just as strict.
pub(crate) fn decode_exact(encoding: Encoding, text: &[u8], len: usize) -> Option<[u8; MAX_BYTES]> {
    let mut out = [0u8; MAX_BYTES];
    match encoding {
        Encoding::Hex if len <= MAX_BYTES && text.len() == 2 * len => {
            // Every digit is checked, and the verdict taken once at the end.
            let mut bad = 0u8;
            for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
                let (high, low) = match pair {
                    &[high, low] => (nibble(high), nibble(low)),
                    _ => (0xFF, 0xFF),
                };
                bad |= high | low;
                *byte = high << 4 | low;
            }
            if bad > 0x0F {
                return None;
            }
        }
        Encoding::Hex => return None,
        Encoding::Base64 => {
            // One spare byte, so that a longer value fails on its length rather than on space.
            let mut buf = [0u8; MAX_BYTES + 1];
            let decoded = Base64::decode(text, &mut buf).ok()?;
            if decoded.len() != len {
                return None;
            }
            out.get_mut(..len)?.copy_from_slice(decoded);
        }
    }
    Some(out)
}

/// The value of one lower-case hex digit; over 0x0F for any other byte.
fn nibble(digit: u8) -> u8 {
    let (number, letter) = (digit.wrapping_sub(b'0'), digit.wrapping_sub(b'a'));
    if number < 10 {
        number
    } else if letter < 6 {
        letter + 10
    } else {
        0xFF
    }
}

/// `bytes` in `encoding`, written into `out`; the text, or `None` if `out` is too small.
pub(crate) fn encode<'o>(encoding: Encoding, bytes: &[u8], out: &'o mut [u8]) -> Option<&'o str> {
    match encoding {
        Encoding::Hex => base16ct::lower::encode_str(bytes, out).ok(),
        Encoding::Base64 => Base64::encode(bytes, out).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(raw: &[u8]) -> heapless::String<16> {
        let mut out = [0u8; 16];
        encode(Encoding::Base64, raw, &mut out)
            .and_then(|s| heapless::String::try_from(s).ok())
            .unwrap_or_default()
    }

    #[test]
    fn base64_rfc4648_section_10() {
        let cases: [(&[u8], &str); 7] = [
            (b"", ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"fooba", "Zm9vYmE="),
            (b"foobar", "Zm9vYmFy"),
        ];
        for (i, (raw, text)) in cases.iter().enumerate() {
            assert_eq!(b64(raw), *text, "case {i}");
            let mut out = [0u8; 8];
            let n = decode(Encoding::Base64, text.as_bytes(), &mut out).expect("decodes");
            assert_eq!(out.get(..n), Some(*raw), "case {i}");
        }
    }

    #[test]
    fn base64_is_strict() {
        let mut out = [0u8; 8];
        for bad in ["Zg", "Zg=", "Zh==", "Zm9=", "Zg==Zg==", "Z===", "Zm9v\n", "Zm-v", "Zm_v", "Zm9 v"] {
            assert_eq!(decode(Encoding::Base64, bad.as_bytes(), &mut out), None, "{bad}");
        }
        assert_eq!(decode(Encoding::Base64, b"Zm9vYmFy", &mut [0u8; 5]), None, "too small");
    }

    #[test]
    fn hex_round_trip_and_strictness() {
        let mut out = [0u8; 6];
        assert_eq!(encode(Encoding::Hex, &[0x00, 0xab, 0xff], &mut out), Some("00abff"));
        assert_eq!(
            decode_exact(Encoding::Hex, b"00abff", 3).map(|b| [b[0], b[1], b[2]]),
            Some([0x00, 0xab, 0xff])
        );
        // The bytes around each digit range, upper case, a wrong length, bytes past ASCII.
        for bad in
            ["00ABff", "00abf", "00abfg", "00abff00", " 0abff", "00ab/f", "00ab:f", "00ab`f", "00ab\u{e9}"]
        {
            assert_eq!(decode_exact(Encoding::Hex, bad.as_bytes(), 3), None, "{bad}");
        }
        // Every byte value, and no more than the longest tag.
        let all: [u8; 64] = core::array::from_fn(|i| (i * 4 + 3) as u8);
        for bytes in [&all[..], &[0x00, 0x0f, 0xf0, 0xff, 0x5a, 0xa5][..]] {
            let mut text = [0u8; 128];
            let text = encode(Encoding::Hex, bytes, &mut text).expect("fits");
            let decoded = decode_exact(Encoding::Hex, text.as_bytes(), bytes.len()).expect("decodes");
            assert_eq!(decoded.get(..bytes.len()), Some(bytes));
        }
        assert_eq!(decode_exact(Encoding::Hex, &[b'a'; 130], 65), None, "longer than any tag");
    }
}
