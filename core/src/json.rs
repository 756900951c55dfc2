//! A strict, iterative, allocation-free JSON reader that records where the fields hookguard
//! reads are, and decodes their strings.
//!
//! Why not `serde-json-core`: it recurses once per nesting level (so hostile nesting can
//! exhaust a small stack), skips ignored values without checking their syntax, rejects
//! `\u` surrogate pairs (emoji), and cannot read a field whose type varies (`id` is a string
//! in one provider's payload and a number in another's). This reader is one loop with a
//! fixed-depth stack, checks every byte against RFC 8259, and keeps only spans.

use crate::{Error, Result};

/// The deepest nesting of arrays and objects accepted in a payload.
pub const MAX_DEPTH: usize = 64;

macro_rules! fields {
    ($($name:ident = $path:literal,)*) => {
        /// A field hookguard reads, by its path in the payload.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Field { $($name,)* }
        const PATHS: &[&str] = &[$($path,)*];
        /// Every field, in the order of [`PATHS`].
        pub(crate) const ALL_FIELDS: &[Field] = &[$(Field::$name,)*];
    };
}

// The envelope fields, then the same sections at the top level (run lifecycle events and the
// legacy flat body) and under `object` (Trigger.dev's alert envelope).
fields! {
    Id = "id",
    Created = "created",
    Type = "type",
    WebhookVersion = "webhookVersion",
    EventId = "event_id",
    Object = "object",
    Run = "run",
    RunId = "run.id",
    RunStatus = "run.status",
    RunNumber = "run.number",
    RunError = "run.error",
    RunErrorMessage = "run.error.message",
    RunErrorRaw = "run.error.raw",
    Task = "task",
    TaskId = "task.id",
    Deployment = "deployment",
    DeploymentId = "deployment.id",
    DeploymentStatus = "deployment.status",
    DeploymentVersion = "deployment.version",
    Environment = "environment",
    EnvironmentType = "environment.type",
    EnvironmentSlug = "environment.slug",
    Project = "project",
    ProjectRef = "project.ref",
    ErrorObject = "error",
    ErrorMessage = "error.message",
    ObjectRun = "object.run",
    ObjectRunId = "object.run.id",
    ObjectRunStatus = "object.run.status",
    ObjectRunNumber = "object.run.number",
    ObjectRunError = "object.run.error",
    ObjectRunErrorMessage = "object.run.error.message",
    ObjectRunErrorRaw = "object.run.error.raw",
    ObjectTask = "object.task",
    ObjectTaskId = "object.task.id",
    ObjectDeployment = "object.deployment",
    ObjectDeploymentId = "object.deployment.id",
    ObjectDeploymentStatus = "object.deployment.status",
    ObjectDeploymentVersion = "object.deployment.version",
    ObjectEnvironment = "object.environment",
    ObjectEnvironmentType = "object.environment.type",
    ObjectEnvironmentSlug = "object.environment.slug",
    ObjectProject = "object.project",
    ObjectProjectRef = "object.project.ref",
    ObjectError = "object.error",
    ObjectErrorMessage = "object.error.message",
}

const COUNT: usize = PATHS.len();
// One bit per field records which ones were seen, to refuse duplicates.
const _: () = assert!(COUNT <= 64);
/// The top-level object: not a field, but the parent of the top-level ones.
const ROOT: u8 = COUNT as u8;
/// A value nobody reads.
const UNTRACKED: u8 = u8::MAX;

/// Where a value sits in the body.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span {
    start: usize,
    end: usize,
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The span is inside the quotes, still escaped.
    String,
    Number,
    /// An object or array, brackets included.
    Container,
}

/// The spans of the fields found in one payload.
#[derive(Clone, Debug)]
pub(crate) struct Fields {
    spans: [Option<Span>; COUNT],
}

impl Fields {
    /// The raw (still escaped) text of a string field.
    pub(crate) fn raw<'a>(&self, field: Field, body: &'a [u8]) -> Option<&'a [u8]> {
        self.bytes(field, Kind::String, body)
    }

    /// A number field's digits.
    pub(crate) fn number<'a>(&self, field: Field, body: &'a [u8]) -> Option<&'a str> {
        self.bytes(field, Kind::Number, body).and_then(|n| core::str::from_utf8(n).ok())
    }

    /// An object or array field's bytes, exactly as in the body.
    pub(crate) fn container<'a>(&self, field: Field, body: &'a [u8]) -> Option<&'a [u8]> {
        self.bytes(field, Kind::Container, body)
    }

    fn bytes<'a>(&self, field: Field, kind: Kind, body: &'a [u8]) -> Option<&'a [u8]> {
        let span = self.spans.get(field as usize).copied().flatten().filter(|s| s.kind == kind)?;
        body.get(span.start..span.end)
    }
}

/// Reads the whole body as one JSON object, checking every byte, and returns the spans of
/// the fields in [`Field`].
pub(crate) fn scan(body: &[u8]) -> Result<Fields> {
    let mut r = Reader { body, pos: 0 };
    let mut fields = Fields { spans: [None; COUNT] };
    let mut seen: u64 = 0;
    // Per open container: its field (or ROOT / UNTRACKED), where it starts, whether it is an array.
    let mut nodes = [UNTRACKED; MAX_DEPTH];
    let mut starts = [0usize; MAX_DEPTH];
    let mut arrays: u64 = 0;
    let mut depth = 0usize;
    r.skip_ws();
    // Any other value is still checked whole, to say "not an object" only of well-formed JSON.
    let is_object = r.peek() == Some(b'{');
    // The field the next value belongs to.
    let mut node = if is_object { ROOT } else { UNTRACKED };
    loop {
        // A value starts here.
        r.skip_ws();
        let start = r.pos;
        match r.next().ok_or(Error::InvalidJson)? {
            open @ (b'{' | b'[') => {
                let slot = nodes.get_mut(depth).ok_or(Error::NestingTooDeep)?;
                *slot = node;
                if let Some(slot) = starts.get_mut(depth) {
                    *slot = start;
                }
                let is_array = open == b'[';
                arrays = (arrays & !(1 << depth)) | (u64::from(is_array) << depth);
                depth += 1;
                r.skip_ws();
                let close = if is_array { b']' } else { b'}' };
                if r.peek() == Some(close) {
                    r.pos += 1;
                    depth -= 1;
                    close_container(&mut fields, &nodes, &starts, depth, r.pos);
                } else {
                    if is_array {
                        node = UNTRACKED;
                        continue;
                    }
                    node = r.key(node, &mut seen)?;
                    continue;
                }
            }
            b'"' => {
                let end = r.string_end()?;
                record(&mut fields, node, Span { start: start + 1, end, kind: Kind::String });
            }
            b'-' | b'0'..=b'9' => {
                r.pos = start;
                r.number()?;
                record(&mut fields, node, Span { start, end: r.pos, kind: Kind::Number });
            }
            b't' => r.literal(b"rue")?,
            b'f' => r.literal(b"alse")?,
            b'n' => r.literal(b"ull")?,
            _ => return Err(Error::InvalidJson),
        }
        // A value ended: close containers until one continues or the top level ends.
        loop {
            if depth == 0 {
                r.skip_ws();
                return match (r.pos == body.len(), is_object) {
                    (false, _) => Err(Error::TrailingCharacters),
                    (true, false) => Err(Error::NotAnObject),
                    (true, true) => Ok(fields),
                };
            }
            let is_array = arrays & (1 << (depth - 1)) != 0;
            r.skip_ws();
            match (r.next(), is_array) {
                (Some(b','), true) => {
                    node = UNTRACKED;
                    break;
                }
                (Some(b','), false) => {
                    let parent = nodes.get(depth - 1).copied().unwrap_or(UNTRACKED);
                    node = r.key(parent, &mut seen)?;
                    break;
                }
                (Some(b']'), true) | (Some(b'}'), false) => {
                    depth -= 1;
                    close_container(&mut fields, &nodes, &starts, depth, r.pos);
                }
                _ => return Err(Error::InvalidJson),
            }
        }
    }
}

/// Records the span of the container that was open at `depth` and ends at `end`.
fn close_container(
    fields: &mut Fields,
    nodes: &[u8; MAX_DEPTH],
    starts: &[usize; MAX_DEPTH],
    depth: usize,
    end: usize,
) {
    if let (Some(&node), Some(&start)) = (nodes.get(depth), starts.get(depth)) {
        record(fields, node, Span { start, end, kind: Kind::Container });
    }
}

fn record(fields: &mut Fields, node: u8, span: Span) {
    if let Some(slot) = fields.spans.get_mut(usize::from(node)) {
        *slot = Some(span);
    }
}

/// Each field's parent (ROOT for the top-level ones) and where its last segment starts in
/// its path, worked out from PATHS when compiling.
const PARENTS: [u8; COUNT] = parents();
const SEGMENTS: [usize; COUNT] = segments();

// Runs only at compile time: an index out of bounds would fail the build, never a request.
#[allow(clippy::indexing_slicing)]
const fn segments() -> [usize; COUNT] {
    let mut out = [0; COUNT];
    let mut i = 0;
    while i < COUNT {
        let path = PATHS[i].as_bytes();
        let mut j = 0;
        while j < path.len() {
            if path[j] == b'.' {
                out[i] = j + 1;
            }
            j += 1;
        }
        i += 1;
    }
    out
}

// Runs only at compile time: an index out of bounds would fail the build, never a request.
#[allow(clippy::indexing_slicing)]
const fn parents() -> [u8; COUNT] {
    let mut out = [ROOT; COUNT];
    let mut i = 0;
    while i < COUNT {
        let path = PATHS[i].as_bytes();
        let mut dot = path.len();
        let mut j = 0;
        while j < path.len() {
            if path[j] == b'.' {
                dot = j;
            }
            j += 1;
        }
        let mut k = 0;
        while k < COUNT && dot < path.len() {
            let candidate = PATHS[k].as_bytes();
            let mut same = candidate.len() == dot;
            let mut m = 0;
            while same && m < dot {
                same = candidate[m] == path[m];
                m += 1;
            }
            if same {
                out[i] = k as u8;
            }
            k += 1;
        }
        i += 1;
    }
    out
}

/// The field for `key` inside the value of `parent`, if hookguard reads it.
fn child(parent: u8, key: &[u8]) -> Option<u8> {
    // A key is one path segment: `"run.id"` is a key of that name, never the path run → id.
    if parent == UNTRACKED || key.contains(&b'.') {
        return None;
    }
    let index = (0..COUNT).find(|&i| {
        PARENTS.get(i) == Some(&parent)
            && PATHS.get(i).zip(SEGMENTS.get(i)).and_then(|(path, &at)| path.as_bytes().get(at..))
                == Some(key)
    })?;
    u8::try_from(index).ok()
}

struct Reader<'a> {
    body: &'a [u8],
    pos: usize,
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

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn literal(&mut self, rest: &[u8]) -> Result<()> {
        let end = self.pos + rest.len();
        if self.body.get(self.pos..end) != Some(rest) {
            return Err(Error::InvalidJson);
        }
        self.pos = end;
        Ok(())
    }

    /// Reads `"key":` (the opening quote not yet read) and returns the field it names.
    fn key(&mut self, parent: u8, seen: &mut u64) -> Result<u8> {
        self.skip_ws();
        if self.next() != Some(b'"') {
            return Err(Error::InvalidJson);
        }
        let start = self.pos;
        let end = self.string_end()?;
        self.skip_ws();
        if self.next() != Some(b':') {
            return Err(Error::InvalidJson);
        }
        let raw = self.body.get(start..end).ok_or(Error::InvalidJson)?;
        if parent == UNTRACKED {
            return Ok(UNTRACKED);
        }
        // Keys are compared decoded, so `"\u0069d"` is `"id"` here as it is to any other reader
        // (and a key with invalid UTF-8 is none of hookguard's).
        let field = if raw.contains(&b'\\') || !raw.is_ascii() {
            let mut buf = [0u8; 32];
            let mut len = 0usize;
            let mut fits = true;
            decode(raw, |part| match buf.get_mut(len..len + part.len()) {
                Some(dst) => {
                    dst.copy_from_slice(part);
                    len += part.len();
                }
                None => fits = false,
            });
            if fits { buf.get(..len).and_then(|k| child(parent, k)) } else { None }
        } else {
            child(parent, raw)
        };
        let Some(field) = field else {
            return Ok(UNTRACKED);
        };
        let bit = 1u64 << field;
        if *seen & bit != 0 {
            return Err(Error::DuplicateKey);
        }
        *seen |= bit;
        Ok(field)
    }

    /// After an opening quote: checks the string and returns the index of its closing quote,
    /// leaving the reader just past it.
    fn string_end(&mut self) -> Result<usize> {
        loop {
            // Plain text runs to the next quote, backslash or control byte: skip it in one go.
            let rest = self.body.get(self.pos..).unwrap_or_default();
            self.pos += plain_len(rest).ok_or(Error::InvalidJson)?;
            match self.next().ok_or(Error::InvalidJson)? {
                b'"' => return Ok(self.pos - 1),
                b'\\' => match self.next().ok_or(Error::InvalidJson)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                    b'u' => {
                        let hex = self.body.get(self.pos..self.pos + 4).ok_or(Error::InvalidJson)?;
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return Err(Error::InvalidJson);
                        }
                        self.pos += 4;
                    }
                    _ => return Err(Error::InvalidJson),
                },
                // A raw control byte. Other bytes, valid UTF-8 or not, are text; decoding
                // replaces invalid ones.
                _ => return Err(Error::InvalidJson),
            }
        }
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
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
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
/// there is none). Eight bytes at a time: a string body is most of a payload.
fn plain_len(text: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // A byte of `x` is zero exactly when the same byte of the result has its high bit set
    // (the classic test; lower bytes may be flagged too, so the exact byte is found below).
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut chunks = text.chunks_exact(8);
    let mut offset = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_ne_bytes(word);
        let special = has_zero(x ^ (ONES * u64::from(b'"')))
            | has_zero(x ^ (ONES * u64::from(b'\\')))
            | (x.wrapping_sub(ONES * 0x20) & !x & HIGHS);
        if special != 0 {
            break;
        }
        offset += 8;
    }
    let tail = text.get(offset..)?;
    tail.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).map(|i| offset + i)
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

/// Whether a string's raw content decodes to exactly `expected`.
pub(crate) fn text_eq(raw: &[u8], expected: &str) -> bool {
    let mut rest = expected.as_bytes();
    let mut equal = true;
    decode(raw, |part| match rest.strip_prefix(part) {
        Some(r) => rest = r,
        None => equal = false,
    });
    equal && rest.is_empty()
}
