//! Strict hex and base64 (RFC 4648, standard alphabet, padded) for tags and keys.
//!
//! Decoding is strict: a wrong length, a stray character or non-zero padding bits are
//! errors, so every tag and key has exactly one accepted spelling.

/// Decodes exactly `2 * N` lower-case hex digits into `N` bytes. Every provider sends lower
/// case; refusing upper case keeps one spelling per tag.
pub(crate) fn hex_decode<const N: usize>(text: &[u8]) -> Option<[u8; N]> {
    if text.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        let [hi, lo] = pair else { return None };
        *byte = (hex_value(*hi)? << 4) | hex_value(*lo)?;
    }
    Some(out)
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// Lower-case hex of `bytes`, written through `out` one character at a time.
pub(crate) fn hex_encode(bytes: &[u8], mut out: impl FnMut(char)) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            if let Some(&d) = DIGITS.get(usize::from(nibble)) {
                out(char::from(d));
            }
        }
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes padded standard base64 into `out`; returns the number of bytes written.
/// `None` for any malformed input or when `out` is too small.
pub(crate) fn base64_decode(text: &[u8], out: &mut [u8]) -> Option<usize> {
    if text.is_empty() || !text.len().is_multiple_of(4) {
        return None;
    }
    let groups = text.len() / 4;
    let mut written = 0;
    for (i, group) in text.chunks_exact(4).enumerate() {
        let last = i + 1 == groups;
        let [a, b, c, d] = *group else { return None };
        let pad = match (c, d) {
            (b'=', b'=') if last => 2,
            (_, b'=') if last => 1,
            _ => 0,
        };
        let mut n = (base64_value(a)? << 18) | (base64_value(b)? << 12);
        if pad < 2 {
            n |= base64_value(c)? << 6;
        }
        if pad < 1 {
            n |= base64_value(d)?;
        }
        // Bits that padding drops must be zero: one spelling per value.
        let unused = match pad {
            2 => n & 0xffff,
            1 => n & 0xff,
            _ => 0,
        };
        if unused != 0 {
            return None;
        }
        let bytes = n.to_be_bytes();
        let decoded = bytes.get(1..4 - pad)?;
        out.get_mut(written..written + decoded.len())?.copy_from_slice(decoded);
        written += decoded.len();
    }
    Some(written)
}

/// Padded standard base64 of `bytes`, written through `out` one character at a time.
pub(crate) fn base64_encode(bytes: &[u8], mut out: impl FnMut(char)) {
    for chunk in bytes.chunks(3) {
        let mut n = [0u8; 4];
        if let Some(s) = n.get_mut(1..=chunk.len()) {
            s.copy_from_slice(chunk)
        }
        let n = u32::from_be_bytes(n);
        for i in 0..4 {
            if i <= chunk.len() {
                let index = (n >> (18 - 6 * i)) & 0x3f;
                if let Some(&c) = BASE64.get(index as usize) {
                    out(char::from(c));
                }
            } else {
                out('=');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::String;

    fn b64(bytes: &[u8]) -> String {
        let mut s = String::new();
        base64_encode(bytes, |c| s.push(c));
        s
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
            if raw.is_empty() {
                assert_eq!(base64_decode(text.as_bytes(), &mut out), None, "case {i}");
            } else {
                let n = base64_decode(text.as_bytes(), &mut out).expect("decodes");
                assert_eq!(out.get(..n), Some(*raw), "case {i}");
            }
        }
    }

    #[test]
    fn base64_is_strict() {
        let mut out = [0u8; 8];
        for bad in ["Zg", "Zg=", "Zh==", "Zm9=", "Zg==Zg==", "Z===", "Zm9v\n", "Zm-v", "Zm_v"] {
            assert_eq!(base64_decode(bad.as_bytes(), &mut out), None, "{bad}");
        }
        assert_eq!(base64_decode(b"Zm9vYmFy", &mut [0u8; 5]), None, "too small");
    }

    #[test]
    fn hex_round_trip_and_strictness() {
        let mut s = String::new();
        hex_encode(&[0x00, 0xab, 0xff], |c| s.push(c));
        assert_eq!(s, "00abff");
        assert_eq!(hex_decode::<3>(b"00abff"), Some([0x00, 0xab, 0xff]));
        assert_eq!(hex_decode::<3>(b"00ABff"), None);
        assert_eq!(hex_decode::<3>(b"00abf"), None);
        assert_eq!(hex_decode::<3>(b"00abfg"), None);
        assert_eq!(hex_decode::<3>(b"00abff00"), None);
    }
}
