//! A strict, iterative, allocation-free JSON reader: it checks a whole document against
//! RFC 8259, records where the values of the keys its caller asks for are, and decodes strings.
//! It knows nothing of any provider's schema: callers pass the keys they read.
//!
//! Why a reader of our own, and serde-json-core only after it: serde-json-core recurses once
//! per nesting level (so hostile nesting can exhaust a small stack), skips ignored values
//! without checking their syntax, rejects `\u` surrogate pairs (emoji), and cannot read a
//! field whose type varies (`id` is a string in one provider's payload and a number in
//! another's). This reader is one loop with a fixed-depth stack, checks every byte, and keeps
//! only spans.

use core::ops::Range;

use crate::error::{Error, Result};

/// The deepest nesting of arrays and objects accepted in a payload.
pub const MAX_DEPTH: usize = 64;

/// A key to look for: `name` inside the object that is the value of the key at index `parent`
/// of the same list (`None`: inside the top-level object). A key is one name, never a path:
/// `"run.id"` is a key of that name.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Key {
    pub(crate) parent: Option<u8>,
    pub(crate) name: &'static str,
}

/// Where a value sits in the body.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: usize,
    end: usize,
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The span is inside the quotes, still escaped (if it has escapes).
    String {
        escaped: bool,
    },
    Number,
    /// An object or array, brackets included.
    Container,
}

/// What reading a document found: the value of each key asked for, by its index in the list.
#[derive(Clone, Debug)]
pub(crate) struct Found<const N: usize> {
    spans: [Option<Span>; N],
    /// The decoded length of the longest string (key or value) that has an escape: the
    /// buffer an unescaping deserializer needs.
    pub(crate) longest_unescaped: usize,
}

impl<const N: usize> Found<N> {
    /// The raw (still escaped) text of a string value.
    pub(crate) fn raw<'a>(&self, key: usize, body: &'a [u8]) -> Option<&'a [u8]> {
        self.string(key, body).map(|(raw, _)| raw)
    }

    /// The raw text of a string value, and whether it has escapes.
    pub(crate) fn string<'a>(&self, key: usize, body: &'a [u8]) -> Option<(&'a [u8], bool)> {
        let (range, escaped) = self.string_span(key)?;
        Some((body.get(range)?, escaped))
    }

    /// Where the raw text of a string value is in the body, and whether it has escapes.
    pub(crate) fn string_span(&self, key: usize) -> Option<(Range<usize>, bool)> {
        let span = self.spans.get(key).copied().flatten()?;
        let Kind::String { escaped } = span.kind else { return None };
        Some((span.start..span.end, escaped))
    }

    /// A number value's text.
    pub(crate) fn number<'a>(&self, key: usize, body: &'a [u8]) -> Option<&'a str> {
        self.bytes(key, Kind::Number, body).and_then(|n| core::str::from_utf8(n).ok())
    }

    /// An object or array value's bytes, exactly as in the body.
    pub(crate) fn container<'a>(&self, key: usize, body: &'a [u8]) -> Option<&'a [u8]> {
        self.bytes(key, Kind::Container, body)
    }

    /// The raw text of every string value found, and whether it has escapes.
    pub(crate) fn strings<'a>(&self, body: &'a [u8]) -> impl Iterator<Item = (&'a [u8], bool)> {
        (0..N).filter_map(move |key| self.string(key, body))
    }

    fn bytes<'a>(&self, key: usize, kind: Kind, body: &'a [u8]) -> Option<&'a [u8]> {
        let span = self.spans.get(key).copied().flatten().filter(|s| s.kind == kind)?;
        body.get(span.start..span.end)
    }
}

/// The raw text of the top-level field `name` of a JSON object: a string's (still escaped)
/// or a number's; `None` if absent or of another type. The body is checked as [`read`] does,
/// but only as far as the field's value (Trigger.dev's `created` comes near the start): a
/// field given twice is refused when the event is parsed.
///
/// # Errors
/// As [`read`], for the part read.
pub(crate) fn field<'a>(body: &'a [u8], name: &'static str) -> Result<Option<&'a [u8]>> {
    let found = scan(body, &Keys::new([Key { parent: None, name }]), true)?;
    Ok(found.raw(0, body).or_else(|| found.number(0, body).map(str::as_bytes)))
}

/// Reads the whole body as one JSON object, checking every byte, and returns where the values
/// of `keys` are. A key found twice in one object is [`Error::DuplicateKey`]; keys not asked
/// for are never compared.
///
/// # Errors
/// [`Error::InvalidJson`], [`Error::NotAnObject`], [`Error::TrailingCharacters`],
/// [`Error::NestingTooDeep`], [`Error::DuplicateKey`].
pub(crate) fn read<const N: usize>(body: &[u8], keys: &Keys<N>) -> Result<Found<N>> {
    scan(body, keys, false)
}

/// [`read`], which with `until_found` returns as soon as every key's value has been read (a
/// container's as soon as it opens).
fn scan<const N: usize>(body: &[u8], keys: &Keys<N>, until_found: bool) -> Result<Found<N>> {
    let mut r = Reader { body, pos: 0, longest_unescaped: 0 };
    let mut found = Found { spans: [None; N], longest_unescaped: 0 };
    let mut seen: u64 = 0;
    // Per open container: the key whose value it is (`None`: nobody asked for it), and (one
    // bit per level) whether it is an array. An owned container's span is recorded when it
    // opens and ends when it closes.
    let mut owners: [Option<u8>; MAX_DEPTH] = [None; MAX_DEPTH];
    let mut arrays: u64 = 0;
    let mut depth = 0usize;
    r.skip_ws();
    // Any other value is still checked whole, to say "not an object" only of well-formed JSON.
    let is_object = r.peek() == Some(b'{');
    // The keys looked up inside the container at `level`: the top-level object's, those of
    // a container some key owns, or none.
    let scope = |owners: &[Option<u8>; MAX_DEPTH], level: usize| match level {
        0 if is_object => Some(None),
        0 => None,
        _ => owners.get(level).copied().flatten().map(Some),
    };
    // The key the next value belongs to.
    let mut owner: Option<u8> = None;
    loop {
        // A value starts here.
        r.skip_ws();
        let start = r.pos;
        match r.next().ok_or(Error::InvalidJson)? {
            open @ (b'{' | b'[') => {
                *owners.get_mut(depth).ok_or(Error::NestingTooDeep)? = owner;
                record(&mut found, owner, Span { start, end: start, kind: Kind::Container });
                let is_array = open == b'[';
                arrays = (arrays & !(1 << depth)) | (u64::from(is_array) << depth);
                depth += 1;
                r.skip_ws();
                let close = if is_array { b']' } else { b'}' };
                if r.peek() == Some(close) {
                    r.pos += 1;
                    depth -= 1;
                    close_container(&mut found, &owners, depth, r.pos);
                } else {
                    owner = if is_array { None } else { r.key(scope(&owners, depth - 1), keys, &mut seen)? };
                    continue;
                }
            }
            b'"' => {
                let (end, escaped) = r.string_end()?;
                record(&mut found, owner, Span { start: start + 1, end, kind: Kind::String { escaped } });
            }
            b'-' | b'0'..=b'9' => {
                r.pos = start;
                r.number()?;
                record(&mut found, owner, Span { start, end: r.pos, kind: Kind::Number });
            }
            b't' => r.literal(b"rue")?,
            b'f' => r.literal(b"alse")?,
            b'n' => r.literal(b"ull")?,
            _ => return Err(Error::InvalidJson),
        }
        if until_found && found.spans.iter().all(Option::is_some) {
            found.longest_unescaped = r.longest_unescaped;
            return Ok(found);
        }
        // A value ended: close containers until one continues or the top level ends.
        loop {
            if depth == 0 {
                r.skip_ws();
                found.longest_unescaped = r.longest_unescaped;
                return match (r.pos == body.len(), is_object) {
                    (false, _) => Err(Error::TrailingCharacters),
                    (true, false) => Err(Error::NotAnObject),
                    (true, true) => Ok(found),
                };
            }
            let is_array = arrays & (1 << (depth - 1)) != 0;
            r.skip_ws();
            match (r.next(), is_array) {
                (Some(b','), true) => {
                    owner = None;
                    break;
                }
                (Some(b','), false) => {
                    owner = r.key(scope(&owners, depth - 1), keys, &mut seen)?;
                    break;
                }
                (Some(b']'), true) | (Some(b'}'), false) => {
                    depth -= 1;
                    close_container(&mut found, &owners, depth, r.pos);
                }
                _ => return Err(Error::InvalidJson),
            }
        }
    }
}

/// Ends the span of the container that was open at `level` at `end`.
fn close_container<const N: usize>(
    found: &mut Found<N>,
    owners: &[Option<u8>; MAX_DEPTH],
    level: usize,
    end: usize,
) {
    let owner = owners.get(level).copied().flatten();
    if let Some(span) = owner.and_then(|key| found.spans.get_mut(usize::from(key))).and_then(Option::as_mut) {
        span.end = end;
    }
}

fn record<const N: usize>(found: &mut Found<N>, owner: Option<u8>, span: Span) {
    if let Some(slot) = owner.and_then(|key| found.spans.get_mut(usize::from(key))) {
        *slot = Some(span);
    }
}

/// The keys a caller asks for, indexed when compiling: one bit per key for each parent and
/// for each first byte (folded to five bits, which keeps letters apart), so that a key read
/// is compared in full with at most a few names.
pub(crate) struct Keys<const N: usize> {
    keys: [Key; N],
    top: u64,
    children: [u64; N],
    first: [u64; 32],
}

impl<const N: usize> Keys<N> {
    // Runs only at compile time (every caller builds a `const`): an index out of bounds, a
    // parent that is no key or an empty name fails the build, never a request.
    #[allow(clippy::indexing_slicing)]
    pub(crate) const fn new(keys: [Key; N]) -> Self {
        // One bit per key records which ones were seen, to refuse duplicates.
        assert!(N <= 64, "at most 64 keys");
        let mut index = Keys { keys, top: 0, children: [0; N], first: [0; 32] };
        let mut i = 0;
        while i < N {
            let bit = 1u64 << i;
            match keys[i].parent {
                None => index.top |= bit,
                Some(parent) => index.children[parent as usize] |= bit,
            }
            index.first[(keys[i].name.as_bytes()[0] & 31) as usize] |= bit;
            i += 1;
        }
        index
    }

    /// One bit per key that sits inside `parent` (`None`: the top level).
    fn candidates(&self, parent: Option<u8>) -> u64 {
        match parent {
            None => self.top,
            Some(parent) => self.children.get(usize::from(parent)).copied().unwrap_or(0),
        }
    }

    /// The index of the key `name` inside `parent`.
    fn find(&self, parent: Option<u8>, name: &[u8]) -> Option<usize> {
        let first = self.first.get(usize::from(name.first()? & 31)).copied().unwrap_or(0);
        let mut bits = self.candidates(parent) & first;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            if self.keys.get(i).is_some_and(|k| k.name.as_bytes() == name) {
                return Some(i);
            }
            bits &= bits - 1;
        }
        None
    }
}

struct Reader<'a> {
    body: &'a [u8],
    pos: usize,
    longest_unescaped: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.body.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    #[inline]
    fn skip_ws(&mut self) {
        // Compact JSON has no whitespace: one byte says so before any search.
        if self.peek().is_some_and(|b| b > b' ') {
            return;
        }
        let rest = self.body.get(self.pos..).unwrap_or_default();
        self.pos +=
            rest.iter().position(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r')).unwrap_or(rest.len());
    }

    fn literal(&mut self, rest: &[u8]) -> Result<()> {
        if self.body.get(self.pos..self.pos + rest.len()) != Some(rest) {
            return Err(Error::InvalidJson);
        }
        self.pos += rest.len();
        Ok(())
    }

    /// Reads `"key":` and returns the index of the key in `keys`, if it is asked for inside
    /// the container whose keys are looked up under `scope` (`None`: none are).
    fn key<const N: usize>(
        &mut self,
        scope: Option<Option<u8>>,
        keys: &Keys<N>,
        seen: &mut u64,
    ) -> Result<Option<u8>> {
        self.skip_ws();
        if self.next() != Some(b'"') {
            return Err(Error::InvalidJson);
        }
        let start = self.pos;
        let (end, escaped) = self.string_end()?;
        self.skip_ws();
        if self.next() != Some(b':') {
            return Err(Error::InvalidJson);
        }
        // Keys inside a value nobody reads, or with no children asked for, are not compared.
        let Some(parent) = scope.filter(|&parent| keys.candidates(parent) != 0) else {
            return Ok(None);
        };
        let raw = self.body.get(start..end).unwrap_or_default();
        // An escaped key names the same field as its decoded text, as it is to any other
        // reader. Without escapes, a key is its own decoded text, or invalid UTF-8 and so
        // equal to no name. No key asked for is longer than 32 bytes.
        let mut buf;
        let name = if escaped {
            buf = [0u8; 32];
            let mut len = 0usize;
            let mut fits = true;
            decode(raw, |part| match buf.get_mut(len..len + part.len()) {
                Some(dst) => {
                    dst.copy_from_slice(part);
                    len += part.len();
                }
                None => fits = false,
            });
            if !fits {
                return Ok(None);
            }
            buf.get(..len).unwrap_or_default()
        } else {
            raw
        };
        let Some(index) = keys.find(parent, name) else {
            return Ok(None);
        };
        let bit = 1u64 << index;
        if *seen & bit != 0 {
            return Err(Error::DuplicateKey);
        }
        *seen |= bit;
        Ok(u8::try_from(index).ok())
    }

    /// After an opening quote: checks the string and returns the index of its closing quote
    /// and whether it has escapes, leaving the reader just past it.
    #[inline]
    fn string_end(&mut self) -> Result<(usize, bool)> {
        // Most strings are plain text up to their closing quote: that case stays small enough
        // to inline.
        let rest = self.body.get(self.pos..).unwrap_or_default();
        let len = plain_len(rest).ok_or(Error::InvalidJson)?;
        if rest.get(len) == Some(&b'"') {
            self.pos += len + 1;
            return Ok((self.pos - 1, false));
        }
        self.escaped_string_end()
    }

    /// [`Reader::string_end`] for strings with escapes (or errors).
    #[inline(never)]
    fn escaped_string_end(&mut self) -> Result<(usize, bool)> {
        let start = self.pos;
        // How many bytes decoding the escapes saves, to know the decoded length.
        let mut saved = 0usize;
        loop {
            // Plain text runs to the next quote, backslash or control byte: skip it in one go.
            let rest = self.body.get(self.pos..).unwrap_or_default();
            self.pos += plain_len(rest).ok_or(Error::InvalidJson)?;
            match self.next().ok_or(Error::InvalidJson)? {
                b'"' => break,
                b'\\' => match self.next().ok_or(Error::InvalidJson)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => saved += 1,
                    b'u' => {
                        let unit = self.body.get(self.pos..).and_then(hex4).ok_or(Error::InvalidJson)?;
                        self.pos += 4;
                        // Six bytes become the unit's UTF-8; a surrogate pair's twelve become four.
                        saved += match unit {
                            0..=0x7F => 5,
                            0x80..=0x7FF => 4,
                            0xD800..=0xDFFF => 4,
                            _ => 3,
                        };
                    }
                    _ => return Err(Error::InvalidJson),
                },
                // A raw control byte. Other bytes, valid UTF-8 or not, are text; decoding
                // replaces invalid ones.
                _ => return Err(Error::InvalidJson),
            }
        }
        let end = self.pos - 1;
        let escaped = saved > 0;
        if escaped {
            self.longest_unescaped = self.longest_unescaped.max(end - start - saved);
        }
        Ok((end, escaped))
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<()> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.next() {
            Some(b'0') => {}
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(Error::InvalidJson),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.at_least_one_digit()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.at_least_one_digit()?;
        }
        Ok(())
    }

    fn digits(&mut self) {
        let rest = self.body.get(self.pos..).unwrap_or_default();
        self.pos += rest.iter().position(|b| !b.is_ascii_digit()).unwrap_or(rest.len());
    }

    fn at_least_one_digit(&mut self) -> Result<()> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(Error::InvalidJson);
        }
        self.digits();
        Ok(())
    }
}

/// How many bytes of `text` come before the first quote, backslash or control byte (`None`:
/// there is none). Eight bytes at a time: string bodies are most of a payload.
#[inline]
fn plain_len(text: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    const QUOTES: u64 = ONES * b'"' as u64;
    const BACKSLASHES: u64 = ONES * b'\\' as u64;
    const SPACES: u64 = ONES * 0x20;
    let mut chunks = text.chunks_exact(8);
    let mut offset = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        // A byte of `y - ONES` borrows into its high bit where the byte of `y` is zero, and a
        // byte of `x - SPACES` where the byte of `x` is below 0x20; `& !x & HIGHS` keeps the
        // ASCII bytes (the three targets are ASCII, so `y = x ^ target` has `x`'s high bits).
        // A false flag can only follow a true one, in a more significant byte, so the lowest
        // flagged byte (little-endian: the first in the text) is exact.
        let special =
            ((x ^ QUOTES).wrapping_sub(ONES) | (x ^ BACKSLASHES).wrapping_sub(ONES) | x.wrapping_sub(SPACES))
                & !x
                & HIGHS;
        if special != 0 {
            return Some(offset + special.trailing_zeros() as usize / 8);
        }
        offset += 8;
    }
    chunks.remainder().iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).map(|i| offset + i)
}

/// Decodes a string's raw content (escapes, and any invalid UTF-8 as U+FFFD), passing the
/// UTF-8 output to `emit` in pieces. `\u` surrogate pairs combine; a lone surrogate is U+FFFD.
pub(crate) fn decode(raw: &[u8], mut emit: impl FnMut(&[u8])) {
    let mut rest = raw;
    while !rest.is_empty() {
        let plain_len = rest.iter().position(|&b| b == b'\\').unwrap_or(rest.len());
        let (plain, escaped) = rest.split_at(plain_len);
        for chunk in plain.utf8_chunks() {
            emit(chunk.valid().as_bytes());
            if !chunk.invalid().is_empty() {
                emit("\u{FFFD}".as_bytes());
            }
        }
        let Some((&kind, after)) = escaped.get(1..).and_then(<[u8]>::split_first) else {
            break;
        };
        rest = after;
        let c = match kind {
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let Some(unit) = hex4(rest) else { break };
                rest = rest.get(4..).unwrap_or_default();
                match unit {
                    0xD800..=0xDBFF => match rest.strip_prefix(b"\\u").and_then(hex4) {
                        Some(low @ 0xDC00..=0xDFFF) => {
                            rest = rest.get(6..).unwrap_or_default();
                            let scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                            char::from_u32(scalar).unwrap_or('\u{FFFD}')
                        }
                        _ => '\u{FFFD}',
                    },
                    _ => char::from_u32(unit).unwrap_or('\u{FFFD}'),
                }
            }
            other => char::from(other),
        };
        emit(c.encode_utf8(&mut [0u8; 4]).as_bytes());
    }
}

fn hex4(text: &[u8]) -> Option<u32> {
    let digits = text.get(..4)?;
    digits.iter().try_fold(0u32, |acc, &d| Some(acc << 4 | char::from(d).to_digit(16)?))
}

/// The length of a string's raw content once decoded.
pub(crate) fn decoded_len(raw: &[u8]) -> usize {
    let mut len = 0;
    decode(raw, |part| len += part.len());
    len
}

/// Whether a string's raw content decodes to exactly `expected`.
pub(crate) fn text_eq(raw: &[u8], expected: &str) -> bool {
    // Without escapes, ASCII text is its own decoding.
    if raw.is_ascii() && !raw.contains(&b'\\') {
        return raw == expected.as_bytes();
    }
    let mut rest = expected.as_bytes();
    let mut equal = true;
    decode(raw, |part| match rest.strip_prefix(part) {
        Some(r) => rest = r,
        None => equal = false,
    });
    equal && rest.is_empty()
}

#[cfg(test)]
mod tests {
    use std::string::String;
    use std::vec::Vec;

    use super::*;

    /// `{"a":{"b":..}}`: key 0 is `a` at the top, key 1 is `b` inside `a`.
    const KEYS: Keys<2> = Keys::new([Key { parent: None, name: "a" }, Key { parent: Some(0), name: "b" }]);

    fn decoded(raw: &[u8]) -> String {
        let mut out = Vec::new();
        decode(raw, |part| out.extend_from_slice(part));
        String::from_utf8(out).expect("decode emits UTF-8")
    }

    /// `{"a":[[...]]}`, arrays and objects `depth` deep.
    fn nested(depth: usize) -> Vec<u8> {
        [&b"{\"a\":"[..], &b"[".repeat(depth - 1), &b"]".repeat(depth - 1), b"}"].concat()
    }

    #[test]
    fn finds_keys_by_parent_and_only_there() {
        let body = br#"{"b":1,"a":{"a":2,"b":"x\"y"},"c":{"b":3}}"#;
        let found = read(body, &KEYS).expect("valid");
        assert_eq!(found.container(0, body), Some(&br#"{"a":2,"b":"x\"y"}"#[..]));
        assert_eq!(found.raw(1, body), Some(&br#"x\"y"#[..]));
        // A key of another type than asked is absent, not an error.
        assert_eq!(found.number(1, body), None);
    }

    #[test]
    fn escapes_decode() {
        let cases: [(&[u8], &str); 6] = [
            (br#"plain"#, "plain"),
            (br#"\"\\\/\b\f\n\r\t"#, "\"\\/\u{8}\u{c}\n\r\t"),
            (br#"caf\u00e9 \u20AC"#, "café €"),
            (b"bad \xff byte", "bad \u{FFFD} byte"),
            (br#"\u0041\u00"#, "A"),
            (br#"end\"#, "end"),
        ];
        for (i, (raw, text)) in cases.into_iter().enumerate() {
            assert_eq!(decoded(raw), text, "case {i}");
            assert!(text_eq(raw, text), "case {i}");
        }
        for bad in [&br#"{"a":"\x"}"#[..], br#"{"a":"\u12G4"}"#, b"{\"a\":\"tab\there\"}", br#"{"a":"open}"#]
        {
            assert_eq!(
                read(bad, &KEYS).err(),
                Some(Error::InvalidJson),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn surrogate_pairs_combine_and_lone_halves_are_replaced() {
        assert_eq!(decoded(br#"\ud83d\ude00!"#), "😀!");
        assert_eq!(decoded(br#"\ud83d!"#), "\u{FFFD}!");
        assert_eq!(decoded(br#"\ude00\ud83d"#), "\u{FFFD}\u{FFFD}");
        let body = br#"{"a":{"b":"\ud83d\ude00"}}"#;
        let found = read(body, &KEYS).expect("valid");
        assert_eq!(found.raw(1, body).map(decoded).as_deref(), Some("😀"));
        assert_eq!(found.longest_unescaped, "😀".len());
    }

    #[test]
    fn escaped_keys_name_the_same_field() {
        let body = br#"{"\u0061":{"\u0062":"x"}}"#;
        assert_eq!(read(body, &KEYS).expect("valid").raw(1, body), Some(&b"x"[..]));
    }

    #[test]
    fn depth_is_bounded_at_max_depth() {
        assert!(read(&nested(MAX_DEPTH), &KEYS).is_ok());
        assert_eq!(read(&nested(MAX_DEPTH + 1), &KEYS).err(), Some(Error::NestingTooDeep));
        // Far past the bound: the same error, and no recursion to overflow.
        assert_eq!(read(&nested(100_000), &KEYS).err(), Some(Error::NestingTooDeep));
    }

    #[test]
    fn duplicates_are_refused_among_read_keys_only() {
        assert_eq!(read(br#"{"a":1,"a":2}"#, &KEYS).err(), Some(Error::DuplicateKey));
        assert_eq!(read(br#"{"a":{"b":1,"\u0062":2}}"#, &KEYS).err(), Some(Error::DuplicateKey));
        assert!(read(br#"{"z":1,"z":2,"a":{"y":[1],"y":{}}}"#, &KEYS).is_ok());
        // The same name under another parent is another key.
        assert!(read(br#"{"a":{"a":1,"b":2},"b":3}"#, &KEYS).is_ok());
    }

    #[test]
    fn numbers_follow_the_grammar() {
        for good in ["0", "-0", "12", "-1.5", "1e9", "1E+2", "2.5e-3", "18446744073709551616"] {
            let body = std::format!(r#"{{"a":{good}}}"#);
            let found = read(body.as_bytes(), &KEYS).expect(good);
            assert_eq!(found.number(0, body.as_bytes()), Some(good));
        }
        for bad in ["01", "-", "+1", "1.", ".5", "1e", "1e+", "0x10", "NaN", "1.5.2"] {
            let body = std::format!(r#"{{"a":{bad}}}"#);
            assert_eq!(read(body.as_bytes(), &KEYS).err(), Some(Error::InvalidJson), "{bad}");
        }
    }

    #[test]
    fn a_field_is_read_only_as_far_as_its_value() {
        assert_eq!(
            field(br#"{"id":"e","created":"2026-01-01T00:00:00Z","rest":tru"#, "created"),
            Ok(Some(&b"2026-01-01T00:00:00Z"[..]))
        );
        assert_eq!(
            field(br#"{"webhookTimestamp":1767225600000}"#, "webhookTimestamp"),
            Ok(Some(&b"1767225600000"[..]))
        );
        assert_eq!(field(br#"{"nested":{"created":"x"}}"#, "created"), Ok(None));
        assert_eq!(field(br#"{"created":{"at":1}}"#, "created"), Ok(None));
        assert_eq!(field(br#"{"a":tru,"created":"x"}"#, "created"), Err(Error::InvalidJson));
    }

    #[test]
    fn the_whole_document_is_checked() {
        let cases: [(&[u8], Error); 8] = [
            (b"", Error::InvalidJson),
            (b"  [1,2] ", Error::NotAnObject),
            (b"\"text\"", Error::NotAnObject),
            (b"{} x", Error::TrailingCharacters),
            (br#"{"a":[1,]}"#, Error::InvalidJson),
            (br#"{"a" 1}"#, Error::InvalidJson),
            (br#"{"z":tru}"#, Error::InvalidJson),
            (br#"{"z":{"y":[}]}}"#, Error::InvalidJson),
        ];
        for (i, (body, error)) in cases.into_iter().enumerate() {
            assert_eq!(read(body, &KEYS).err(), Some(error), "case {i}");
        }
        assert!(read(b" {\n\t\"a\" : [ true , false , null , { } ] \r\n} ", &KEYS).is_ok());
    }

    #[test]
    #[allow(clippy::indexing_slicing, reason = "indices are below len by construction")]
    fn plain_len_finds_the_first_special_byte_at_every_offset() {
        for len in 0..24 {
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f] {
                    let mut text = std::vec![b'a'; len];
                    text[at] = special;
                    // A byte after it must not hide it, nor bytes above 0x7f before it.
                    if at + 1 < len {
                        text[at + 1] = b'"';
                    }
                    if at > 0 {
                        text[at - 1] = 0xe9;
                    }
                    assert_eq!(plain_len(&text), Some(at), "len {len}, at {at}, byte {special:#x}");
                }
            }
            assert_eq!(plain_len(&std::vec![0x20; len]), None);
        }
    }
}
