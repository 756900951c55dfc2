//! Deserializing a verified body into the caller's own types, through serde-json-core, once
//! the strict reader has accepted it.

use crate::error::{Error, Result};
use crate::json;
#[cfg(test)]
use crate::json::MAX_DEPTH;

/// The strict reader first (syntax, depth, trailing bytes, an object at the top), then
/// serde-json-core, its errors mapped to hookguard's.
pub(crate) fn deserialize<'a, T: serde::Deserialize<'a>>(body: &'a [u8], scratch: &mut [u8]) -> Result<T> {
    let mut found = json::Found::EMPTY;
    json::read(body, &const { json::Keys::new([]) }, &mut found)?;
    // serde-json-core unescapes every escaped string, read or skipped, into the scratch; check
    // the size first, so that a too-small scratch is reported whole and left as it was.
    if found.longest_unescaped > scratch.len() {
        return Err(Error::ScratchTooSmall { needed: found.longest_unescaped });
    }
    // A field of `T` given twice is one of serde's custom errors, which serde-json-core (without
    // its message feature, see the workspace manifest) does not tell apart: a mismatch too.
    serde_json_core::from_slice_escaped(body, scratch)
        .map(|(value, _)| value)
        .map_err(|_| Error::PayloadMismatch)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Command<'a> {
        id: &'a str,
        seconds: u8,
    }

    fn command(body: &[u8]) -> Result<Command<'_>> {
        deserialize(body, &mut [0u8; 32])
    }

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    enum Mode {
        Open,
    }

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Strict {
        mode: Mode,
    }

    #[test]
    fn long_unknown_names_and_values_are_a_mismatch_not_a_panic() {
        // serde quotes these in its messages; serde-json-core with its message feature panics
        // writing a message over 64 bytes.
        let long = "x".repeat(200);
        for body in [
            std::format!(r#"{{"mode":"{long}"}}"#),
            std::format!(r#"{{"mode":"Open","{long}":1}}"#),
            std::format!(r#"{{"mode":{{"{long}":null}}}}"#),
        ] {
            assert_eq!(
                deserialize::<Strict>(body.as_bytes(), &mut [0u8; 8]),
                Err(Error::PayloadMismatch),
                "{body}"
            );
        }
        assert_eq!(deserialize::<Strict>(br#"{"mode":"Open"}"#, &mut []), Ok(Strict { mode: Mode::Open }));
    }

    #[test]
    fn reads_a_struct_and_skips_other_fields() {
        let body = br#"{"extra":{"deep":[1,"two",null]},"id":"c1","seconds":9}"#;
        assert_eq!(command(body), Ok(Command { id: "c1", seconds: 9 }));
    }

    #[test]
    fn the_strict_reader_refuses_first() {
        // serde-json-core alone would accept the skipped value `tru` and the top-level array.
        assert_eq!(command(br#"{"x":tru,"id":"c","seconds":1}"#), Err(Error::InvalidJson));
        assert_eq!(command(br#"[1]"#), Err(Error::NotAnObject));
        assert_eq!(command(br#"{"id":"c","seconds":1} {}"#), Err(Error::TrailingCharacters));
        let deep = [&b"{\"x\":"[..], &[b'['; MAX_DEPTH], &[b']'; MAX_DEPTH], b",\"id\":\"c\",\"seconds\":1}"]
            .concat();
        assert_eq!(command(&deep), Err(Error::NestingTooDeep));
    }

    #[test]
    fn a_field_of_the_type_given_twice_is_refused() {
        assert_eq!(command(br#"{"id":"a","seconds":1,"id":"b"}"#), Err(Error::PayloadMismatch));
        // Fields nobody reads are never compared, as for `parse`.
        assert!(command(br#"{"z":1,"z":2,"id":"a","seconds":1}"#).is_ok());
    }

    /// An id that is a string in one payload and a number in another: it must ask the
    /// deserializer what comes next (`deserialize_any`), which serde-json-core cannot answer.
    #[derive(Debug)]
    struct AnyId;

    impl<'de> Deserialize<'de> for AnyId {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> core::result::Result<Self, D::Error> {
            struct Visitor;
            impl serde::de::Visitor<'_> for Visitor {
                type Value = AnyId;
                fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                    f.write_str("a string or a number")
                }
                fn visit_str<E>(self, _: &str) -> core::result::Result<AnyId, E> {
                    Ok(AnyId)
                }
                fn visit_u64<E>(self, _: u64) -> core::result::Result<AnyId, E> {
                    Ok(AnyId)
                }
            }
            deserializer.deserialize_any(Visitor)
        }
    }

    #[test]
    fn fields_of_varying_type_are_a_mismatch() {
        #[derive(Deserialize, Debug)]
        struct Event {
            #[expect(dead_code, reason = "only the failure is tested")]
            id: AnyId,
        }
        for body in [&br#"{"id":7}"#[..], br#"{"id":"evt_7"}"#] {
            assert_eq!(deserialize::<Event>(body, &mut []).err(), Some(Error::PayloadMismatch));
        }
    }

    #[test]
    fn untagged_enums_are_a_mismatch() {
        // Untagged and internally tagged enums need serde's `alloc` feature even to compile.
        #[derive(Deserialize, Debug)]
        #[serde(untagged)]
        enum Id {
            #[expect(dead_code, reason = "only the failure is tested")]
            Number(u64),
        }
        assert_eq!(deserialize::<Id>(br#"{"id":7}"#, &mut []).err(), Some(Error::PayloadMismatch));
    }

    #[test]
    fn internally_tagged_enums_are_a_mismatch() {
        #[derive(Deserialize)]
        #[serde(tag = "type")]
        enum Message {
            #[serde(rename = "ping")]
            Ping,
        }
        let result = deserialize::<Message>(br#"{"type":"ping"}"#, &mut []);
        assert_eq!(result.err(), Some(Error::PayloadMismatch));
    }

    #[test]
    fn escaped_surrogate_pairs_are_a_mismatch() {
        #[derive(Deserialize, Debug)]
        struct Note {
            #[expect(dead_code, reason = "only the failure is tested")]
            c: char,
        }
        assert!(deserialize::<Note>(br#"{"c":"\u00e9"}"#, &mut [0; 4]).is_ok());
        let result = deserialize::<Note>(br#"{"c":"\ud83d\ude00"}"#, &mut [0; 4]);
        assert_eq!(result.err(), Some(Error::PayloadMismatch));
    }

    #[test]
    fn invalid_utf8_is_a_mismatch() {
        assert_eq!(command(b"{\"id\":\"\xff\",\"seconds\":1}"), Err(Error::PayloadMismatch));
    }

    #[test]
    fn escaped_strings_cannot_be_borrowed() {
        assert_eq!(command(br#"{"id":"a\"b","seconds":1}"#), Err(Error::PayloadMismatch));
    }

    #[test]
    fn integers_beyond_the_type_are_a_mismatch() {
        assert_eq!(command(br#"{"id":"a","seconds":256}"#), Err(Error::PayloadMismatch));
        assert_eq!(command(br#"{"id":"a","seconds":-1}"#), Err(Error::PayloadMismatch));
    }

    #[test]
    fn missing_fields_and_wrong_types_are_a_mismatch() {
        assert_eq!(command(br#"{"id":"a"}"#), Err(Error::PayloadMismatch));
        assert_eq!(command(br#"{"id":1,"seconds":1}"#), Err(Error::PayloadMismatch));
    }

    #[test]
    fn too_small_a_scratch_says_what_is_needed_and_is_left_untouched() {
        // Skipped strings are unescaped too: the longest escaped one sets the size.
        let body = br#"{"skipped":"\u00e9\u00e9\u00e9\n","id":"a","seconds":1}"#;
        let mut scratch = [0xAAu8; 6];
        assert_eq!(command_in(body, &mut scratch), Err(Error::ScratchTooSmall { needed: 7 }));
        assert_eq!(scratch, [0xAA; 6]);
        assert!(command_in(body, &mut [0u8; 7]).is_ok());
    }

    fn command_in<'a>(body: &'a [u8], scratch: &mut [u8]) -> Result<Command<'a>> {
        deserialize(body, scratch)
    }
}
