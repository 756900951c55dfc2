//! How a provider signs its webhooks, as data: one [`Spec`] per provider, read by one verifier.
//!
//! Every provider hookguard knows is a `const` [`Spec`] in the table of [`Scheme`]; a provider
//! that is not there is one more `Spec`, written in Rust or read from JSON
//! ([`Spec::from_json`]), and checked by [`Spec::check`] before a verifier uses it.

use core::fmt;

/// The MAC or signature algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC-SHA256: a 32-byte tag.
    HmacSha256,
    /// HMAC-SHA1: a 20-byte tag (the `sha1` feature).
    HmacSha1,
    /// Ed25519 over the signed content, checked with the provider's public key: a 64-byte
    /// signature (the `ed25519` feature).
    Ed25519,
}

/// The name of `value` in `names`, a table of the names a description (`Spec::from_json`)
/// gives values of its kind.
fn name_in<T: PartialEq + Copy>(names: &[(&'static str, T)], value: T) -> &'static str {
    names.iter().find(|(_, v)| *v == value).map_or("", |(name, _)| name)
}

impl Algorithm {
    /// Each algorithm's name in a description ([`Spec::from_json`]).
    pub const NAMES: [(&'static str, Algorithm); 3] = [
        ("hmac-sha256", Algorithm::HmacSha256),
        ("hmac-sha1", Algorithm::HmacSha1),
        ("ed25519", Algorithm::Ed25519),
    ];

    /// Its name in a description: `hmac-sha256`, `hmac-sha1`, `ed25519`.
    #[must_use]
    pub fn name(self) -> &'static str {
        name_in(&Self::NAMES, self)
    }

    /// The length of a tag (or signature) in bytes.
    #[must_use]
    pub const fn tag_len(self) -> usize {
        match self {
            Algorithm::HmacSha256 => 32,
            Algorithm::HmacSha1 => 20,
            Algorithm::Ed25519 => 64,
        }
    }

    /// Whether this build of the crate can verify it (its cargo feature is on).
    #[must_use]
    pub const fn is_available(self) -> bool {
        match self {
            Algorithm::HmacSha256 => true,
            Algorithm::HmacSha1 => cfg!(feature = "sha1"),
            Algorithm::Ed25519 => cfg!(feature = "ed25519"),
        }
    }
}

/// How a tag is written in its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Lower-case hex, exactly two digits per byte.
    Hex,
    /// Standard base64 (RFC 4648), padded, canonical.
    Base64,
}

impl Encoding {
    /// Each encoding's name in a description ([`Spec::from_json`]).
    pub const NAMES: [(&'static str, Encoding); 2] = [("hex", Encoding::Hex), ("base64", Encoding::Base64)];

    /// Its name in a description: `hex`, `base64`.
    #[must_use]
    pub fn name(self) -> &'static str {
        name_in(&Self::NAMES, self)
    }
}

/// Where the tag sits in the signature header's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// The whole value is the tag.
    Bare,
    /// The tag after a fixed prefix: `sha256=<tag>`, `v0=<tag>`.
    Prefix(&'static str),
    /// Comma-separated `name=value` items (spaces around items ignored): tags under this name,
    /// several during a secret roll (Stripe's `t=..,v1=..,v1=..`). Items of other names are
    /// skipped; a timestamp may be one of them ([`TimestampSource::Item`]).
    Items(&'static str),
    /// Space-separated `version,tag` items; tags of this version are checked, others skipped
    /// (Standard Webhooks' `v1,<tag> v1,<tag>`).
    Versioned(&'static str),
}

/// Where a signed timestamp comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimestampSource {
    /// A header of its own.
    Header(&'static str),
    /// An item of the signature header ([`Syntax::Items`]).
    Item(&'static str),
    /// A top-level field of the signed JSON body: checked after the signature, since
    /// unverified bytes are never parsed.
    Body(&'static str),
}

/// What a timestamp counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Unix seconds, plain decimal digits.
    Seconds,
    /// Unix milliseconds, plain decimal digits.
    Milliseconds,
    /// An RFC 3339 date and time (`2025-01-01T12:00:00.000Z`; in a body, a JSON string).
    Rfc3339,
}

impl Unit {
    /// Each unit's name in a description ([`Spec::from_json`]).
    pub const NAMES: [(&'static str, Unit); 3] =
        [("s", Unit::Seconds), ("ms", Unit::Milliseconds), ("rfc3339", Unit::Rfc3339)];

    /// Its name in a description: `s`, `ms`, `rfc3339`.
    #[must_use]
    pub fn name(self) -> &'static str {
        name_in(&Self::NAMES, self)
    }
}

/// A signed timestamp and how far from now it may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timestamp {
    /// Where it is.
    pub source: TimestampSource,
    /// What it counts.
    pub unit: Unit,
    /// The default window, in seconds, either side of now
    /// ([`Verifier::with_tolerance`](crate::Verifier::with_tolerance) changes it).
    pub tolerance: u64,
    /// Whether a delivery without it is refused ([`Error::MissingTimestamp`](crate::Error)).
    /// Only a body field may be optional.
    pub required: bool,
}

/// How the secret the user configures becomes the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretFormat {
    /// The secret's UTF-8 bytes are the HMAC key.
    Text,
    /// `whsec_<base64>` (the prefix may be left off): the decoded 24 to 64 bytes are the key.
    Whsec,
    /// The provider's Ed25519 public key, as 64 hex digits.
    HexPublicKey,
}

impl SecretFormat {
    /// Each format's name in a description ([`Spec::from_json`]).
    pub const NAMES: [(&'static str, SecretFormat); 3] = [
        ("text", SecretFormat::Text),
        ("whsec", SecretFormat::Whsec),
        ("hex-public-key", SecretFormat::HexPublicKey),
    ];

    /// Its name in a description: `text`, `whsec`, `hex-public-key`.
    #[must_use]
    pub fn name(self) -> &'static str {
        name_in(&Self::NAMES, self)
    }
}

/// Where a delivery's id comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdSource {
    /// A header; `signed` when the signature covers it (the content has `{id}`), otherwise a
    /// captured delivery could come back under a new id, so the verified result also carries a
    /// key over the signed content ([`Verified::replay_key`](crate::Verified::replay_key)).
    Header {
        /// The header's name, lower case.
        name: &'static str,
        /// Whether the signature covers it.
        signed: bool,
    },
    /// A top-level string field of the signed JSON body.
    Body(&'static str),
}

/// One provider's signature scheme. See the table of [`Scheme`] for the providers hookguard
/// knows, each with the documentation it follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Spec {
    /// The provider's id, lower case (`trigger`, `cal-com`): its route and secret name.
    pub id: &'static str,
    /// The idempotency keys' prefix when it is not `id`: providers that send the same
    /// deliveries under several names (Standard Webhooks, Svix and their senders) share one, so
    /// that one delivery is one key.
    pub family: Option<&'static str>,
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The tag's encoding.
    pub encoding: Encoding,
    /// The header that carries the signature.
    pub header: &'static str,
    /// A second name for it, read when the first is absent.
    pub header_alias: Option<&'static str>,
    /// Where the tag is in the header's value.
    pub syntax: Syntax,
    /// The signed content: literal text with `{body}` (exactly once) and any of `{timestamp}`
    /// (its text as sent), `{id}` (the delivery id header) and `{url}` (the URL the provider
    /// was given, [`Verifier::with_url`](crate::Verifier::with_url)).
    pub content: &'static str,
    /// The signed timestamp, if the provider signs one.
    pub timestamp: Option<Timestamp>,
    /// How the secret becomes the key.
    pub secret: SecretFormat,
    /// Where the delivery id comes from, if the provider sends one.
    pub delivery_id: Option<IdSource>,
    /// The header that names the event type, if any. It is not signed, so it never maps to a
    /// Trigger.dev [`EventKind`](crate::EventKind).
    pub type_header: Option<&'static str>,
    /// Events of a type whose id changes on every retry: their key is the hash of a field that
    /// does not (Trigger.dev's `alert.error` and its `object`).
    pub retried_by_content: Option<RetriedByContent>,
}

/// A type of event whose id changes on every retry, and the top-level field that does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RetriedByContent {
    /// The body's `type`.
    pub event_type: &'static str,
    /// The field whose value, exactly as sent, is hashed into the key.
    pub field: &'static str,
}

/// One part of the signed content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Part {
    Literal(&'static str),
    Body,
    Timestamp,
    Id,
    Url,
}

/// The most parts a content template may have.
pub(crate) const MAX_PARTS: usize = 8;

const PLACEHOLDERS: [(&str, Part); 4] =
    [("{body}", Part::Body), ("{timestamp}", Part::Timestamp), ("{id}", Part::Id), ("{url}", Part::Url)];

/// The parts of a content template, in order; `None` for a `{` that starts no placeholder.
pub(crate) fn parts(template: &'static str) -> impl Iterator<Item = Option<Part>> {
    let mut rest = template;
    core::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if rest.starts_with('{') {
            let Some((text, part)) = PLACEHOLDERS.iter().find(|(text, _)| rest.starts_with(text)) else {
                rest = "";
                return Some(None);
            };
            rest = rest.get(text.len()..).unwrap_or_default();
            return Some(Some(*part));
        }
        let end = rest.find('{').unwrap_or(rest.len());
        let (literal, tail) = rest.split_at(end);
        rest = tail;
        Some(Some(Part::Literal(literal)))
    })
}

/// A field of a [`Spec`] that cannot work, by name: what [`Spec::check`] and
/// [`Spec::from_json`] report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpecError {
    /// The field (`content`, `timestamp.source`, ...).
    pub field: &'static str,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid scheme field `{}`: {}", self.field, self.reason)
    }
}

impl core::error::Error for SpecError {}

/// The longest provider id.
pub const MAX_ID: usize = 24;

impl Spec {
    /// Checks that the spec can work: names are lower-case tokens, the content has `{body}`
    /// once and only placeholders the spec can fill, the timestamp source fits the syntax, and
    /// Ed25519 goes with a hex public key. (Whether this build has the algorithm is
    /// [`Algorithm::is_available`]; a verifier for one it lacks is refused.)
    ///
    /// # Errors
    /// The first bad field, by name.
    pub const fn check(&self) -> Result<(), SpecError> {
        const fn bad(field: &'static str, reason: &'static str) -> Result<(), SpecError> {
            Err(SpecError { field, reason })
        }
        // (A `const fn` so that the table is checked at compile time; hence the loops by hand.)
        if self.id.is_empty() || self.id.len() > MAX_ID || !const_token(self.id.as_bytes()) {
            return bad("id", "1 to 24 of a-z, 0-9 and -");
        }
        if let Some(family) = self.family
            && (!const_token(family.as_bytes()) || family.len() > MAX_ID)
        {
            return bad("family", "1 to 24 of a-z, 0-9 and -");
        }
        if !const_header(self.header) {
            return bad("header", "a lower-case header name");
        }
        if let Some(alias) = self.header_alias
            && !const_header(alias)
        {
            return bad("header_alias", "a lower-case header name");
        }
        match self.syntax {
            Syntax::Prefix(text) | Syntax::Items(text) | Syntax::Versioned(text) if text.is_empty() => {
                return bad("syntax", "needs a non-empty name or prefix");
            }
            _ => {}
        }
        let is_ed25519 = matches!(self.algorithm, Algorithm::Ed25519);
        let is_public_key = matches!(self.secret, SecretFormat::HexPublicKey);
        if is_ed25519 != is_public_key {
            return bad("secret", "Ed25519 takes a hex public key, and only Ed25519 does");
        }
        if let Some(ts) = self.timestamp {
            match ts.source {
                TimestampSource::Header(name) if !const_header(name) => {
                    return bad("timestamp.source", "a lower-case header name");
                }
                TimestampSource::Item(_) if !matches!(self.syntax, Syntax::Items(_)) => {
                    return bad("timestamp.source", "an item needs the items syntax");
                }
                TimestampSource::Item(name) | TimestampSource::Body(name) if name.is_empty() => {
                    return bad("timestamp.source", "an empty name");
                }
                TimestampSource::Header(_) | TimestampSource::Item(_) if !ts.required => {
                    return bad("timestamp.required", "only a body field may be optional");
                }
                _ => {}
            }
        }
        match self.delivery_id {
            Some(IdSource::Header { name, .. }) if !const_header(name) => {
                return bad("delivery_id", "a lower-case header name");
            }
            Some(IdSource::Body(name)) if name.is_empty() => return bad("delivery_id", "an empty name"),
            _ => {}
        }
        if let Some(name) = self.type_header
            && !const_header(name)
        {
            return bad("type_header", "a lower-case header name");
        }
        self.check_content()
    }

    // A `const fn` (the table is checked at compile time), so it indexes by hand: every index
    // is below the length its loop tests.
    #[allow(clippy::indexing_slicing)]
    const fn check_content(&self) -> Result<(), SpecError> {
        let template = self.content.as_bytes();
        let (mut i, mut parts, mut bodies, mut ids, mut stamps) = (0, 0, 0, 0, 0);
        // The part before this one: a placeholder (and whether it was `{id}`), or text.
        let (mut after_placeholder, mut after_id, mut id_touches) = (false, false, false);
        while i < template.len() {
            parts += 1;
            if template[i] == b'{' {
                let mut p = 0;
                let mut found = None;
                while p < PLACEHOLDERS.len() {
                    if const_starts_with(template, i, PLACEHOLDERS[p].0.as_bytes()) {
                        found = Some(p);
                    }
                    p += 1;
                }
                let Some(p) = found else {
                    return Err(SpecError {
                        field: "content",
                        reason: "only {body}, {timestamp}, {id} and {url} may be in braces",
                    });
                };
                let is_id = matches!(PLACEHOLDERS[p].1, Part::Id);
                if after_placeholder && (is_id || after_id) {
                    id_touches = true;
                }
                match PLACEHOLDERS[p].1 {
                    Part::Body => bodies += 1,
                    Part::Id => ids += 1,
                    Part::Timestamp => stamps += 1,
                    _ => {}
                }
                (after_placeholder, after_id) = (true, is_id);
                i += PLACEHOLDERS[p].0.len();
            } else {
                while i < template.len() && template[i] != b'{' {
                    i += 1;
                }
                (after_placeholder, after_id) = (false, false);
            }
        }
        let unsigned_stamp = stamps == 0
            && matches!(
                self.timestamp,
                Some(Timestamp { source: TimestampSource::Header(_) | TimestampSource::Item(_), .. })
            );
        let reason = if bodies != 1 {
            "must have {body} exactly once"
        } else if parts > MAX_PARTS {
            "at most 8 parts"
        } else if ids > 0 && !matches!(self.delivery_id, Some(IdSource::Header { signed: true, .. })) {
            "{id} needs a signed delivery id header"
        } else if matches!(self.delivery_id, Some(IdSource::Header { signed: true, .. })) && ids == 0 {
            "a signed delivery id must be in the content"
        } else if stamps > 0
            && !matches!(
                self.timestamp,
                Some(Timestamp { source: TimestampSource::Header(_) | TimestampSource::Item(_), .. })
            )
        {
            "{timestamp} needs a timestamp header or item"
        } else if unsigned_stamp {
            "a timestamp header or item must be signed: put {timestamp} in the content"
        } else if id_touches {
            "{id} must be set apart from the other placeholders by text (the split must be one way)"
        } else {
            return Ok(());
        };
        Err(SpecError { field: "content", reason })
    }

    /// Every header (lower case) this spec reads, so that a caller can copy out just these.
    pub fn header_names(&self) -> impl Iterator<Item = &'static str> {
        [Some(self.header), self.header_alias, self.timestamp_header(), self.id_header(), self.type_header]
            .into_iter()
            .flatten()
    }

    /// The header the timestamp is sent in, if it has one of its own.
    pub(crate) fn timestamp_header(&self) -> Option<&'static str> {
        match self.timestamp {
            Some(Timestamp { source: TimestampSource::Header(name), .. }) => Some(name),
            _ => None,
        }
    }

    /// The header the delivery id is sent in, if it is one.
    pub(crate) fn id_header(&self) -> Option<&'static str> {
        match self.delivery_id {
            Some(IdSource::Header { name, .. }) => Some(name),
            _ => None,
        }
    }

    /// The idempotency keys' prefix.
    pub(crate) fn key_prefix(&self) -> &'static str {
        match self.family {
            Some(family) => family,
            None => self.id,
        }
    }

    /// Whether the signed content has the URL the provider was given (`{url}`): a verifier
    /// for it needs [`Verifier::with_url`](crate::Verifier::with_url).
    #[must_use]
    pub fn signs_url(&self) -> bool {
        self.signs(Part::Url)
    }

    /// Whether the content has `part`.
    pub(crate) fn signs(&self, part: Part) -> bool {
        parts(self.content).any(|p| p == Some(part))
    }
}

// Indexes below the length its loop tests (a `const fn` cannot use iterators).
#[allow(clippy::indexing_slicing)]
const fn const_token(text: &[u8]) -> bool {
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return false;
        }
        i += 1;
    }
    !text.is_empty()
}

/// A header name as hookguard looks it up: lower case token characters.
// Indexes below the length its loop tests (a `const fn` cannot use iterators).
#[allow(clippy::indexing_slicing)]
const fn const_header(name: &str) -> bool {
    let text = name.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_') {
            return false;
        }
        i += 1;
    }
    !text.is_empty()
}

// Indexes below the length its loop tests (a `const fn` cannot use iterators).
#[allow(clippy::indexing_slicing)]
const fn const_starts_with(text: &[u8], at: usize, prefix: &[u8]) -> bool {
    if at + prefix.len() > text.len() {
        return false;
    }
    let mut i = 0;
    while i < prefix.len() {
        if text[at + i] != prefix[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// A webhook signature scheme: a handle on a checked [`Spec`]. Its associated constants are
/// the providers hookguard knows (see [`Scheme::ALL`]); [`Scheme::custom`] takes any other.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scheme(&'static Spec);

impl Scheme {
    /// A scheme for a spec of your own, once [`Spec::check`] accepts it.
    ///
    /// # Errors
    /// The first bad field of the spec.
    pub const fn custom(spec: &'static Spec) -> Result<Scheme, SpecError> {
        match spec.check() {
            Ok(()) => Ok(Scheme(spec)),
            Err(e) => Err(e),
        }
    }

    /// A built-in spec, checked when the crate is compiled.
    pub(crate) const fn builtin(spec: &'static Spec) -> Scheme {
        if let Err(e) = spec.check() {
            panic!("{}", e.reason);
        }
        Scheme(spec)
    }

    /// The spec.
    #[must_use]
    pub const fn spec(self) -> &'static Spec {
        self.0
    }

    /// The provider's id (`trigger`, `cal-com`): its route, its secret's name, its npm name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        self.0.id
    }

    /// The built-in scheme named `name` (see [`Scheme::name`]), if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Scheme> {
        Scheme::ALL.iter().copied().find(|s| s.name() == name)
    }

    /// Every header (lower case) this scheme reads, so that a caller can copy out just these.
    pub fn header_names(self) -> impl Iterator<Item = &'static str> {
        self.0.header_names()
    }

    /// The provider's id as settings name it: upper case with `-` as `_` (`TRIGGER`,
    /// `CAL_COM`), the start of `{ID}_WEBHOOK_SECRET` and the worker's other per-provider
    /// settings.
    #[must_use]
    pub fn setting_prefix(self) -> heapless::String<MAX_ID> {
        let upper = self.0.id.chars().map(|c| if c == '-' { '_' } else { c.to_ascii_uppercase() });
        let mut prefix = heapless::String::new();
        for c in upper {
            // Cannot overflow: ids are at most MAX_ID bytes of ASCII.
            let _ = prefix.push(c);
        }
        prefix
    }

    /// The name of the setting that holds this provider's secret: `{ID}_WEBHOOK_SECRET`
    /// ([`Scheme::setting_prefix`]: `TRIGGER_WEBHOOK_SECRET`, `CAL_COM_WEBHOOK_SECRET`).
    #[must_use]
    pub fn secret_var(self) -> heapless::String<SECRET_VAR_MAX> {
        let mut name = heapless::String::new();
        // Cannot overflow: SECRET_VAR_MAX is the longest prefix and the suffix.
        let _ = name.push_str(&self.setting_prefix());
        let _ = name.push_str("_WEBHOOK_SECRET");
        name
    }
}

/// The longest [`Scheme::secret_var`].
pub const SECRET_VAR_MAX: usize = MAX_ID + "_WEBHOOK_SECRET".len();

impl fmt::Debug for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scheme({})", self.0.id)
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_split_into_parts() {
        let all: heapless::Vec<Option<Part>, 8> = parts("v0:{timestamp}:{body}").collect();
        assert_eq!(
            all.as_slice(),
            [Some(Part::Literal("v0:")), Some(Part::Timestamp), Some(Part::Literal(":")), Some(Part::Body)]
        );
        let bad: heapless::Vec<Option<Part>, 8> = parts("{nope}{body}").collect();
        assert_eq!(bad.as_slice(), [None]);
        assert!(const_token(b"cal-com") && !const_token(b"Cal") && !const_token(b""));
    }

    #[test]
    fn each_name_table_reads_both_ways() {
        for (name, value) in Algorithm::NAMES {
            assert_eq!(value.name(), name);
        }
        for (name, value) in Encoding::NAMES {
            assert_eq!(value.name(), name);
        }
        for (name, value) in Unit::NAMES {
            assert_eq!(value.name(), name);
        }
        for (name, value) in SecretFormat::NAMES {
            assert_eq!(value.name(), name);
        }
        // Every provider's values have names (so a description can say each of them).
        for scheme in Scheme::ALL {
            let spec = scheme.spec();
            assert!(!spec.algorithm.name().is_empty() && !spec.encoding.name().is_empty());
            assert!(
                !spec.secret.name().is_empty() && spec.timestamp.is_none_or(|t| !t.unit.name().is_empty())
            );
        }
    }

    #[test]
    fn units_format_as_signed() {
        assert_eq!(Unit::Seconds.format(1_767_225_600).as_str(), "1767225600");
        assert_eq!(Unit::Milliseconds.format(1_767_225_600).as_str(), "1767225600000");
        assert_eq!(Unit::Rfc3339.format(1_767_225_600).as_str(), "2026-01-01T00:00:00Z");
    }

    #[test]
    fn settings_are_named_after_the_id() {
        assert_eq!(Scheme::CAL_COM.setting_prefix().as_str(), "CAL_COM");
        assert_eq!(Scheme::CAL_COM.secret_var().as_str(), "CAL_COM_WEBHOOK_SECRET");
        assert_eq!(Scheme::TRIGGER.secret_var().as_str(), "TRIGGER_WEBHOOK_SECRET");
        // The longest id fits.
        static LONG: Spec = Spec { id: "abcdefghijklmnopqrstuvw-", ..*Scheme::GITHUB.spec() };
        let long = Scheme::custom(&LONG).expect("a 24-byte id");
        assert_eq!(long.secret_var().as_str(), "ABCDEFGHIJKLMNOPQRSTUVW__WEBHOOK_SECRET");
    }
}
