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
    /// Nothing found yet: what [`read`] starts from.
    pub(crate) const EMPTY: Self = Found { spans: [None; N], longest_unescaped: 0 };

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
    match leading_field(body, name) {
        Some(value) => Ok(Some(value)),
        None => scanned_field(body, name),
    }
}

/// [`field`] through [`scan`].
fn scanned_field<'a>(body: &'a [u8], name: &'static str) -> Result<Option<&'a [u8]>> {
    let mut found = Found::<1>::EMPTY;
    let keys = Keys::new([Key { parent: None, name }]);
    scan(body, &keys.index(), true, &mut found.spans, &mut found.longest_unescaped)?;
    Ok(found.raw(0, body).or_else(|| found.number(0, body).map(str::as_bytes)))
}

/// [`field`] where the field comes before the object's first array, object, escaped key or
/// anything unusual (Trigger.dev's `created` is the second member), read member by member
/// with the same checks as [`scan`] and without its setup; `None` sends the caller to
/// [`scan`], which then reads the body from the start.
fn leading_field<'a>(body: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let mut pos = skip_ws(body, 0);
    (body.get(pos) == Some(&b'{')).then_some(())?;
    loop {
        pos = skip_ws(body, pos + 1);
        let (end, escaped) = string_at(body, pos)?;
        if escaped {
            // An escaped key may name the field too: left to the scan, which decodes it.
            return None;
        }
        let is_name = body.get(pos + 1..end) == Some(name.as_bytes());
        pos = skip_ws(body, end + 1);
        (body.get(pos) == Some(&b':')).then_some(())?;
        pos = skip_ws(body, pos + 1);
        let (value, end) = match body.get(pos).copied()? {
            b'"' => string_at(body, pos).map(|(end, _)| (body.get(pos + 1..end), end + 1))?,
            b'-' | b'0'..=b'9' => number(body, pos).ok().map(|end| (body.get(pos..end), end))?,
            _ => return None,
        };
        if is_name {
            return value;
        }
        pos = skip_ws(body, end);
        (body.get(pos) == Some(&b',')).then_some(())?;
    }
}

/// The string that starts at `pos`: the index of its closing quote and whether it has escapes
/// (through [`string`]'s out-of-line part: no second inline copy in flash).
fn string_at(body: &[u8], pos: usize) -> Option<(usize, bool)> {
    (body.get(pos) == Some(&b'"')).then_some(())?;
    escaped_string_end(body, pos + 1, pos + 1, &mut 0).ok()
}

/// Reads the whole body as one JSON object, checking every byte, and records in `found` (which
/// starts as [`Found::EMPTY`]: the caller's, so that it is never copied) where the values of
/// `keys` are. A key found twice in one object is [`Error::DuplicateKey`]; keys not asked
/// for are never compared.
///
/// # Errors
/// [`Error::InvalidJson`], [`Error::NotAnObject`], [`Error::TrailingCharacters`],
/// [`Error::NestingTooDeep`], [`Error::DuplicateKey`].
pub(crate) fn read<const N: usize>(body: &[u8], keys: &Keys<N>, found: &mut Found<N>) -> Result<()> {
    scan(body, &keys.index(), false, &mut found.spans, &mut found.longest_unescaped)
}

/// [`read`], which with `until_found` returns as soon as every key's value has been read (a
/// container's as soon as it opens).
///
/// One loop over the body, its position in a local: a value, then the commas, colons, keys
/// and closing brackets up to the next value.
///
/// Not generic: one copy serves every key list (flash and `.wasm` size).
fn scan(
    body: &[u8],
    keys: &KeyIndex<'_>,
    until_found: bool,
    spans: &mut [Option<Span>],
    longest_unescaped: &mut usize,
) -> Result<()> {
    let mut seen: u64 = 0;
    let all = u64::MAX >> (64 - spans.len().clamp(1, 64));
    // Per open container: the key whose value it is (`None`: nobody asked for it), and (one
    // bit per level) whether it is an array. An owned container's span is recorded when it
    // opens and ended when it closes.
    let mut owners: [Option<u8>; MAX_DEPTH] = [None; MAX_DEPTH];
    let mut arrays: u64 = 0;
    let mut depth = 0usize;
    let mut pos = skip_ws(body, 0);
    // Any other value is still checked whole, to say "not an object" only of well-formed JSON.
    let is_object = body.get(pos) == Some(&b'{');
    // The keys looked up in the innermost open object: the top level's, those of an object
    // some key owns, or none.
    let scope = |owners: &[Option<u8>; MAX_DEPTH], level: usize| match owners.get(level).copied().flatten() {
        Some(owner) => keys.children(owner),
        None if level == 0 => keys.top,
        None => 0,
    };
    // The key the next value belongs to, and whether that key is still to be read (in an
    // object, after `{` or `,`).
    let mut owner: Option<u8> = None;
    let mut at_key = false;
    loop {
        if at_key {
            owner = key(body, &mut pos, keys, scope(&owners, depth - 1), &mut seen, longest_unescaped)?;
        }
        // A value starts here.
        let start = pos;
        match body.get(pos).copied() {
            Some(b'"') => {
                let (end, escaped) = string(body, pos + 1, longest_unescaped)?;
                record(spans, owner, Span { start: start + 1, end, kind: Kind::String { escaped } });
                pos = end + 1;
            }
            Some(open @ (b'{' | b'[')) => {
                *owners.get_mut(depth).ok_or(Error::NestingTooDeep)? = owner;
                record(spans, owner, Span { start, end: start, kind: Kind::Container });
                let is_array = open == b'[';
                arrays = (arrays & !(1 << depth)) | (u64::from(is_array) << depth);
                depth += 1;
                pos = skip_ws(body, pos + 1);
                if body.get(pos) == Some(if is_array { &b']' } else { &b'}' }) {
                    pos += 1;
                    depth -= 1;
                    close_container(spans, &owners, depth, pos);
                } else {
                    at_key = !is_array;
                    owner = None;
                    continue;
                }
            }
            Some(b'-' | b'0'..=b'9') => {
                pos = number(body, pos)?;
                record(spans, owner, Span { start, end: pos, kind: Kind::Number });
            }
            Some(b't') => pos = literal(body, pos, b"true")?,
            Some(b'f') => pos = literal(body, pos, b"false")?,
            Some(b'n') => pos = literal(body, pos, b"null")?,
            _ => return Err(Error::InvalidJson),
        }
        if until_found && seen == all {
            return Ok(());
        }
        // A value ended: close containers until one continues or the top level ends.
        loop {
            pos = skip_ws(body, pos);
            if depth == 0 {
                return match (pos == body.len(), is_object) {
                    (false, _) => Err(Error::TrailingCharacters),
                    (true, false) => Err(Error::NotAnObject),
                    (true, true) => Ok(()),
                };
            }
            let is_array = arrays & (1 << (depth - 1)) != 0;
            match (body.get(pos), is_array) {
                (Some(b','), _) => {
                    pos = skip_ws(body, pos + 1);
                    at_key = !is_array;
                    owner = None;
                    break;
                }
                (Some(b']'), true) | (Some(b'}'), false) => {
                    pos += 1;
                    depth -= 1;
                    close_container(spans, &owners, depth, pos);
                }
                _ => return Err(Error::InvalidJson),
            }
        }
    }
}

/// Reads `"key":` from `pos` (whitespace skipped) and the whitespace after it, and returns
/// the index of the key among `candidates` (`None`: not one of them).
#[inline(always)]
fn key(
    body: &[u8],
    pos: &mut usize,
    keys: &KeyIndex<'_>,
    candidates: u64,
    seen: &mut u64,
    longest_unescaped: &mut usize,
) -> Result<Option<u8>> {
    if body.get(*pos) != Some(&b'"') {
        return Err(Error::InvalidJson);
    }
    let start = *pos + 1;
    let (end, escaped) = string(body, start, longest_unescaped)?;
    *pos = match body.get(end + 1) {
        Some(b':') => skip_ws(body, end + 2),
        _ => match skip_ws(body, end + 1) {
            colon if body.get(colon) == Some(&b':') => skip_ws(body, colon + 1),
            _ => return Err(Error::InvalidJson),
        },
    };
    // Keys inside a value nobody reads, or with no children asked for, are not compared.
    if candidates == 0 {
        return Ok(None);
    }
    let index = match escaped {
        false => keys.find(candidates, body, start, end - start),
        true => escaped_key(body.get(start..end).unwrap_or_default(), keys, candidates),
    };
    let Some(index) = index else {
        return Ok(None);
    };
    let bit = 1u64 << index;
    if *seen & bit != 0 {
        return Err(Error::DuplicateKey);
    }
    *seen |= bit;
    Ok(u8::try_from(index).ok())
}

/// An escaped key names the same field as its decoded text, as it is to any other reader.
/// Decoded longer than [`LONG`] bytes, it is no name asked for.
#[inline(never)]
fn escaped_key(raw: &[u8], keys: &KeyIndex<'_>, candidates: u64) -> Option<usize> {
    let mut buf = [0u8; LONG];
    let len = decode_into(raw, &mut buf)?;
    keys.find(candidates, &buf, 0, len)
}

/// Ends the span of the container that was open at `level` at `end`.
fn close_container(spans: &mut [Option<Span>], owners: &[Option<u8>; MAX_DEPTH], level: usize, end: usize) {
    let owner = owners.get(level).copied().flatten();
    if let Some(span) = owner.and_then(|key| spans.get_mut(usize::from(key))).and_then(Option::as_mut) {
        span.end = end;
    }
}

fn record(spans: &mut [Option<Span>], owner: Option<u8>, span: Span) {
    if let Some(slot) = owner.and_then(|key| spans.get_mut(usize::from(key))) {
        *slot = Some(span);
    }
}

/// The keys a caller asks for, indexed when compiling: one bit per key for each parent and
/// for each length, and each name's first 16 bytes as two words, so that a key read is
/// compared with at most a few names, a word at a time.
pub(crate) struct Keys<const N: usize> {
    keys: [Key; N],
    top: u64,
    children: [u64; N],
    /// Per length up to [`LONG`], the keys of that length; at `LONG`, every longer one.
    by_len: [u64; LONG + 1],
    /// Each name's first 16 bytes as two little-endian words, zero past its end.
    words: [[u64; 2]; N],
}

/// Names longer than this share one length slot (and are compared in full).
const LONG: usize = 32;

impl<const N: usize> Keys<N> {
    // Runs at compile time for every fixed key list (an index out of bounds or a parent that is
    // no key fails the build), and at run time only for `field`'s one top-level key.
    #[allow(clippy::indexing_slicing)]
    pub(crate) const fn new(keys: [Key; N]) -> Self {
        // One bit per key records which ones were seen, to refuse duplicates.
        assert!(N <= 64, "at most 64 keys");
        let mut index = Keys { keys, top: 0, children: [0; N], by_len: [0; LONG + 1], words: [[0; 2]; N] };
        let mut i = 0;
        while i < N {
            let bit = 1u64 << i;
            match keys[i].parent {
                None => index.top |= bit,
                Some(parent) => index.children[parent as usize] |= bit,
            }
            let name = keys[i].name.as_bytes();
            let len = if name.len() < LONG { name.len() } else { LONG };
            index.by_len[len] |= bit;
            let mut b = 0;
            while b < name.len() && b < 16 {
                index.words[i][b / 8] |= (name[b] as u64) << (8 * (b % 8));
                b += 1;
            }
            i += 1;
        }
        index
    }

    /// The index as [`scan`] reads it, whatever the number of keys.
    fn index(&self) -> KeyIndex<'_> {
        KeyIndex {
            keys: &self.keys,
            top: self.top,
            children: &self.children,
            by_len: &self.by_len,
            words: &self.words,
        }
    }
}

/// [`Keys`] of any length, borrowed.
struct KeyIndex<'k> {
    keys: &'k [Key],
    top: u64,
    children: &'k [u64],
    by_len: &'k [u64; LONG + 1],
    words: &'k [[u64; 2]],
}

impl KeyIndex<'_> {
    /// One bit per key that sits inside the object that is the value of `parent`.
    fn children(&self, parent: u8) -> u64 {
        self.children.get(usize::from(parent)).copied().unwrap_or(0)
    }

    /// The index among `candidates` of the key named by the `len` bytes of `text` from `at`.
    #[inline(always)]
    fn find(&self, candidates: u64, text: &[u8], at: usize, len: usize) -> Option<usize> {
        let mut bits = candidates & self.by_len.get(len.min(LONG)).copied().unwrap_or(0);
        if bits == 0 {
            return None;
        }
        let second = match len {
            ..=8 => 0,
            _ => first_bytes(load(text, at + 8), len - 8),
        };
        let words = [first_bytes(load(text, at), len), second];
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            // Names of 16 bytes or less are their words; longer ones are compared in full.
            if self.words.get(i) == Some(&words)
                && (len <= 16 || self.keys.get(i).map(|k| k.name.as_bytes()) == text.get(at..at + len))
            {
                return Some(i);
            }
            bits &= bits - 1;
        }
        None
    }
}

/// The position of the first byte from `pos` on that is not whitespace (or the end).
#[inline(always)]
fn skip_ws(body: &[u8], pos: usize) -> usize {
    // Compact JSON has no whitespace: one byte says so before any search.
    match body.get(pos) {
        Some(&b) if b > b' ' => pos,
        _ => skip_ws_from(body, pos),
    }
}

/// [`skip_ws`] past its first byte, out of line: whitespace is rare in webhook bodies.
#[inline(never)]
fn skip_ws_from(body: &[u8], pos: usize) -> usize {
    pos + body
        .get(pos..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count()
}

#[inline(never)]
fn literal(body: &[u8], pos: usize, word: &[u8]) -> Result<usize> {
    match body.get(pos..pos + word.len()) == Some(word) {
        true => Ok(pos + word.len()),
        false => Err(Error::InvalidJson),
    }
}

/// After an opening quote at `start - 1`: checks the string and returns the index of its
/// closing quote and whether it has escapes.
#[inline(always)]
fn string(body: &[u8], start: usize, longest_unescaped: &mut usize) -> Result<(usize, bool)> {
    // Most strings are plain text up to their closing quote: that case stays small enough
    // to inline.
    let end = plain_end(body, start);
    match body.get(end) {
        Some(b'"') => Ok((end, false)),
        _ => escaped_string_end(body, start, end, longest_unescaped),
    }
}

/// [`string`] for strings with escapes (or errors), from `at` on (a special byte, or plain
/// text before one).
#[inline(never)]
fn escaped_string_end(
    body: &[u8],
    start: usize,
    mut at: usize,
    longest_unescaped: &mut usize,
) -> Result<(usize, bool)> {
    // How many bytes decoding the escapes saves, to know the decoded length.
    let mut saved = 0usize;
    loop {
        // Plain text runs to the next quote, backslash or control byte: skip it in one go.
        at = plain_end(body, at);
        match body.get(at).copied() {
            Some(b'"') => break,
            Some(b'\\') => match body.get(at + 1).copied() {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                    saved += 1;
                    at += 2;
                }
                Some(b'u') => {
                    let unit = body.get(at + 2..).and_then(hex4).ok_or(Error::InvalidJson)?;
                    at += 6;
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
            // A raw control byte, or the end. Other bytes, valid UTF-8 or not, are text;
            // decoding replaces invalid ones.
            _ => return Err(Error::InvalidJson),
        }
    }
    if saved > 0 {
        *longest_unescaped = (*longest_unescaped).max(at - start - saved);
    }
    Ok((at, saved > 0))
}

/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` from `pos`; returns where it ends.
#[inline(never)]
fn number(body: &[u8], mut pos: usize) -> Result<usize> {
    let at = |pos: usize| body.get(pos).copied();
    if at(pos) == Some(b'-') {
        pos += 1;
    }
    match at(pos) {
        Some(b'0') => pos += 1,
        Some(b'1'..=b'9') => pos = digits(body, pos + 1),
        _ => return Err(Error::InvalidJson),
    }
    if at(pos) == Some(b'.') {
        pos = at_least_one_digit(body, pos + 1)?;
    }
    if matches!(at(pos), Some(b'e' | b'E')) {
        pos += 1;
        if matches!(at(pos), Some(b'+' | b'-')) {
            pos += 1;
        }
        pos = at_least_one_digit(body, pos)?;
    }
    Ok(pos)
}

fn digits(body: &[u8], pos: usize) -> usize {
    pos + body.get(pos..).unwrap_or_default().iter().take_while(|b| b.is_ascii_digit()).count()
}

fn at_least_one_digit(body: &[u8], pos: usize) -> Result<usize> {
    match body.get(pos) {
        Some(b'0'..=b'9') => Ok(digits(body, pos + 1)),
        _ => Err(Error::InvalidJson),
    }
}

/// The 8 bytes of `text` from `at` as a little-endian word, zero past its end.
#[inline(always)]
fn load(text: &[u8], at: usize) -> u64 {
    match text.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        Some(&bytes) => u64::from_le_bytes(bytes),
        None => load_tail(text, at),
    }
}

#[inline(never)]
fn load_tail(text: &[u8], at: usize) -> u64 {
    text.get(at..).unwrap_or_default().iter().rev().fold(0, |acc, &b| acc << 8 | u64::from(b))
}

/// The first `len` bytes of a word (all of it from 8 on).
#[inline(always)]
fn first_bytes(word: u64, len: usize) -> u64 {
    match len {
        8.. => word,
        len => word & ((1u64 << (8 * len)) - 1),
    }
}

/// The position of the first quote, backslash or control byte from `at` on, or the end of
/// `text`. The first sixteen bytes inline (most keys and many values end there), the rest in
/// [`plain_end_after`].
#[inline(always)]
fn plain_end(text: &[u8], at: usize) -> usize {
    match specials(load(text, at)) {
        0 => match specials(load(text, at + 8)) {
            0 => plain_end_after(text, at + 16),
            special => at + 8 + special.trailing_zeros() as usize / 8,
        },
        special => at + special.trailing_zeros() as usize / 8,
    }
}

/// [`plain_end`] from `at` on, eight bytes at a time: string bodies are most of a payload.
#[inline(never)]
fn plain_end_after(text: &[u8], at: usize) -> usize {
    let rest = text.get(at..).unwrap_or_default();
    let mut chunks = rest.chunks_exact(8);
    let mut offset = at;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let special = specials(u64::from_le_bytes(word));
        if special != 0 {
            return offset + special.trailing_zeros() as usize / 8;
        }
        offset += 8;
    }
    // The tail, read as zeros past the end: a zero is a control byte, so this finds one.
    offset + specials(load_tail(chunks.remainder(), 0)).trailing_zeros() as usize / 8
}

/// One high bit for each byte of `x` (little-endian) that is a quote, a backslash or a control
/// byte, exact up to the first: a byte of `y - ONES` borrows into its high bit where the byte
/// of `y` is zero, and a byte of `x - SPACES` where the byte of `x` is below 0x20; `& !x &
/// HIGHS` keeps the ASCII bytes (the three targets are ASCII, so `y = x ^ target` has `x`'s
/// high bits). A false flag can only follow a true one, in a more significant byte.
#[inline(always)]
fn specials(x: u64) -> u64 {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    const QUOTES: u64 = ONES * b'"' as u64;
    const BACKSLASHES: u64 = ONES * b'\\' as u64;
    const SPACES: u64 = ONES * 0x20;
    ((x ^ QUOTES).wrapping_sub(ONES) | (x ^ BACKSLASHES).wrapping_sub(ONES) | x.wrapping_sub(SPACES))
        & !x
        & HIGHS
}

/// Decodes a string's raw content (escapes, and any invalid UTF-8 as U+FFFD), passing the
/// UTF-8 output to `emit` in pieces. `\u` surrogate pairs combine; a lone surrogate is U+FFFD.
pub(crate) fn decode(raw: &[u8], emit: &mut dyn FnMut(&[u8])) {
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

/// Decodes a string's raw content into the start of `out`; returns the decoded length, or
/// `None` if it does not fit.
pub(crate) fn decode_into(raw: &[u8], out: &mut [u8]) -> Option<usize> {
    let mut len = 0usize;
    let mut fits = true;
    decode(raw, &mut |part| match out.get_mut(len..len + part.len()) {
        Some(dst) => {
            dst.copy_from_slice(part);
            len += part.len();
        }
        None => fits = false,
    });
    fits.then_some(len)
}

/// The length of a string's raw content once decoded.
pub(crate) fn decoded_len(raw: &[u8]) -> usize {
    let mut len = 0;
    decode(raw, &mut |part| len += part.len());
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
    decode(raw, &mut |part| match rest.strip_prefix(part) {
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

    fn read<const N: usize>(body: &[u8], keys: &Keys<N>) -> Result<Found<N>> {
        let mut found = Found::EMPTY;
        super::read(body, keys, &mut found).map(|()| found)
    }

    /// `{"a":{"b":..}}`: key 0 is `a` at the top, key 1 is `b` inside `a`.
    const KEYS: Keys<2> = Keys::new([Key { parent: None, name: "a" }, Key { parent: Some(0), name: "b" }]);

    fn decoded(raw: &[u8]) -> String {
        let mut out = Vec::new();
        decode(raw, &mut |part| out.extend_from_slice(part));
        String::from_utf8(out).expect("decode emits UTF-8")
    }

    /// `{"a":[[...]]}`, arrays and objects `depth` deep.
    fn nested(depth: usize) -> Vec<u8> {
        [&b"{\"a\":"[..], &b"[".repeat(depth - 1), &b"]".repeat(depth - 1), b"}"].concat()
    }

    #[test]
    fn a_leading_field_is_read_as_scan_reads_it() {
        let bodies: [&[u8]; 20] = [
            br#"{"id":"evt_1","created":"2026-01-01T00:00:00Z","object":{}}"#,
            br#"{"created":1767225600}"#,
            br#" { "id" : -1.5e3 , "created" : "x" } "#,
            br#"{"created":"a\"b"}"#,
            br#"{"cr\u0065ated":"escaped key","created":"plain"}"#,
            br#"{"object":{"created":"inner"},"created":"outer"}"#,
            br#"{"created":true}"#,
            br#"{"created":null,"created":"second"}"#,
            br#"{"id":"x","created":"y","id":"dup after: not read"}"#,
            br#"{"created":"x"} trailing"#,
            br#"{"created":"unterminated"#,
            br#"{"id":tru,"created":"x"}"#,
            br#"{"id":01,"created":"x"}"#,
            br#"{"id":"x" "created":"y"}"#,
            br#"{"id" "x","created":"y"}"#,
            br#"{"id":"x",}"#,
            br#"["created","x"]"#,
            b"{\"id\":\"\x01\",\"created\":\"x\"}",
            br#"{}"#,
            br#"{"created":"x"#,
        ];
        for body in bodies {
            let text = String::from_utf8_lossy(body);
            assert_eq!(field(body, "created"), scanned_field(body, "created"), "{text}");
        }
        assert_eq!(leading_field(bodies[0], "created"), Some(&b"2026-01-01T00:00:00Z"[..]));
        assert_eq!(leading_field(bodies[1], "created"), Some(&b"1767225600"[..]));
        // An object before the field is left to the scan.
        assert_eq!(leading_field(bodies[5], "created"), None);
        assert_eq!(field(bodies[5], "created"), Ok(Some(&b"outer"[..])));
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
    fn names_match_whole_at_every_length() {
        // Lengths on both sides of each word (8 and 16 bytes), beside names that share all but
        // their last byte, or are one byte longer.
        const NAMES: Keys<5> = Keys::new([
            Key { parent: None, name: "abcdefg" },
            Key { parent: None, name: "abcdefgh" },
            Key { parent: None, name: "abcdefghi" },
            Key { parent: None, name: "abcdefghijklmnop" },
            Key { parent: None, name: "abcdefghijklmnopq" },
        ]);
        let body = br#"{"abcdefgX":0,"abcdefghijklmnoX":0,"abcdefghijklmnopqr":0,"abcdefg":1,"abcdefgh":2,"abcdefghi":3,"abcdefghijklmnop":4,"abcdefghijklmnopq":5}"#;
        let found = read(body, &NAMES).expect("valid");
        for (key, value) in ["1", "2", "3", "4", "5"].into_iter().enumerate() {
            assert_eq!(found.number(key, body), Some(value), "key {key}");
        }
        // At the very end of the body too, where fewer than 8 bytes are left to read.
        let short: &[u8] = br#"{"abcdefg":1}"#;
        assert_eq!(read(short, &NAMES).expect("valid").number(0, short), Some("1"));
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
        // Any name, the empty one too (a custom scheme's field is the user's).
        assert_eq!(field(br#"{"":"e","a":1}"#, ""), Ok(Some(&b"e"[..])));
        // Past `LONG` (32) bytes, names share one length slot and are compared in full: a
        // longer name with the same first 16 bytes, and one of another length, are not it.
        let long = "a_name_longer_than_32_bytes_here!!";
        assert_eq!(long.len(), LONG + 2);
        let body = std::format!(r#"{{"{long}_and_more":1,"{long}?":2,"{long}":7}}"#);
        assert_eq!(field(body.as_bytes(), long), Ok(Some(&b"7"[..])));
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
    fn plain_end_finds_the_first_special_byte_at_every_offset() {
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
                    assert_eq!(plain_end(&text, 0), at, "len {len}, at {at}, byte {special:#x}");
                }
            }
            assert_eq!(plain_end(&std::vec![0x20; len], 0), len);
        }
    }
}
