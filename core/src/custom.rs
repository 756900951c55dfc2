//! Custom schemes described in JSON, as the worker's `CUSTOM_SCHEMES` and the npm package's
//! `verify({ scheme: {...} })` take them: read into a [`Spec`] and checked.
//!
//! ```json
//! { "algorithm": "hmac-sha256", "encoding": "hex", "header": "x-acme-signature",
//!   "prefix": "sha256=", "content": "{timestamp}.{body}",
//!   "timestamp": { "header": "x-acme-timestamp", "unit": "s", "tolerance": 300 },
//!   "secret": "text", "delivery_id": { "header": "x-acme-delivery", "signed": false } }
//! ```
//!
//! The tag syntax is one of `prefix`, `items` (the tag item's name, as Stripe's `v1`) or
//! `versioned` (as Standard Webhooks' `v1`), or none of them for a bare tag. Unknown fields are
//! refused by name, so a misspelt one never goes unnoticed.

use serde::Deserialize;

use crate::spec::{
    Algorithm, Encoding, IdSource, SecretFormat, Spec, SpecError, Syntax, Timestamp, TimestampSource, Unit,
};
use crate::typed;
use crate::verify::DEFAULT_TOLERANCE_SECS;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Description<'a> {
    family: Option<&'a str>,
    algorithm: &'a str,
    encoding: &'a str,
    header: &'a str,
    header_alias: Option<&'a str>,
    prefix: Option<&'a str>,
    items: Option<&'a str>,
    versioned: Option<&'a str>,
    content: &'a str,
    timestamp: Option<TimestampDescription<'a>>,
    secret: &'a str,
    delivery_id: Option<IdDescription<'a>>,
    type_header: Option<&'a str>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TimestampDescription<'a> {
    header: Option<&'a str>,
    item: Option<&'a str>,
    body: Option<&'a str>,
    unit: &'a str,
    tolerance: Option<u64>,
    required: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdDescription<'a> {
    header: Option<&'a str>,
    body: Option<&'a str>,
    signed: Option<bool>,
}

/// The fields a description may have, top level and inside `timestamp` and `delivery_id`.
const FIELDS: [&str; 13] = [
    "family",
    "algorithm",
    "encoding",
    "header",
    "header_alias",
    "prefix",
    "items",
    "versioned",
    "content",
    "timestamp",
    "secret",
    "delivery_id",
    "type_header",
];
const TIMESTAMP_FIELDS: [&str; 6] = ["header", "item", "body", "unit", "tolerance", "required"];
const ID_FIELDS: [&str; 3] = ["header", "body", "signed"];

/// The first field name of an object (and of its `timestamp` and `delivery_id` objects) that a
/// description does not have: serde-json-core, without its messages, cannot say which.
struct UnknownField(Option<&'static str>);

impl<'de: 'static> Deserialize<'de> for UnknownField {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(Names(&FIELDS))
    }
}

/// Finds the first key of a map that is not in its list.
struct Names(&'static [&'static str]);

impl<'de: 'static> serde::de::Visitor<'de> for Names {
    type Value = UnknownField;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<UnknownField, A::Error> {
        let mut unknown = None;
        while let Some(key) = map.next_key::<&'static str>()? {
            let nested = match key {
                "timestamp" if self.0 == FIELDS => Some(&TIMESTAMP_FIELDS[..]),
                "delivery_id" if self.0 == FIELDS => Some(&ID_FIELDS[..]),
                _ => None,
            };
            let inner = match nested {
                Some(names) => map.next_value_seed(Nested(names))?,
                None => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    None
                }
            };
            let here = (!self.0.contains(&key)).then_some(key);
            unknown = unknown.or(here).or(inner);
        }
        Ok(UnknownField(unknown))
    }
}

/// A nested object's first unknown key (anything else, such as `null`, has none).
struct Nested(&'static [&'static str]);

impl<'de: 'static> serde::de::DeserializeSeed<'de> for Nested {
    type Value = Option<&'static str>;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(Names(self.0)).map(|found| found.0)
    }
}

/// The value named `text` in `table`, or the error for `field`.
fn pick<T: Copy>(
    table: &[(&str, T)],
    text: &str,
    field: &'static str,
    reason: &'static str,
) -> Result<T, SpecError> {
    table.iter().find(|(name, _)| *name == text).map(|(_, v)| *v).ok_or(SpecError { field, reason })
}

/// Exactly one of `options` (`None` for none).
fn one_of<T>(options: [Option<T>; 3], field: &'static str) -> Result<Option<T>, SpecError> {
    let mut given = options.into_iter().flatten();
    let first = given.next();
    match given.next() {
        Some(_) => Err(SpecError { field, reason: "give only one of its forms" }),
        None => Ok(first),
    }
}

impl Spec {
    /// Reads a scheme described in JSON (see the module docs) as the provider `id`, and checks
    /// it ([`Spec::check`]). The spec borrows `text` for good: read descriptions once, when the
    /// program starts.
    ///
    /// # Errors
    /// The bad field by name (an unknown one too); `json` for text that is not such a
    /// description (not JSON, a value of the wrong type, an escaped string).
    pub fn from_json(id: &'static str, text: &'static str) -> Result<Spec, SpecError> {
        let json =
            SpecError { field: "json", reason: "not a scheme description (a value of the wrong type?)" };
        let unknown: UnknownField = typed::deserialize(text.as_bytes(), &mut []).map_err(|_| json)?;
        if let Some(field) = unknown.0 {
            return Err(SpecError { field, reason: "unknown field" });
        }
        let d: Description<'static> = typed::deserialize(text.as_bytes(), &mut []).map_err(|_| json)?;
        let algorithm =
            pick(&Algorithm::NAMES, d.algorithm, "algorithm", "one of hmac-sha256, hmac-sha1, ed25519")?;
        let encoding = pick(&Encoding::NAMES, d.encoding, "encoding", "hex or base64")?;
        let secret = pick(&SecretFormat::NAMES, d.secret, "secret", "one of text, whsec, hex-public-key")?;
        let syntax = one_of(
            [d.prefix.map(Syntax::Prefix), d.items.map(Syntax::Items), d.versioned.map(Syntax::Versioned)],
            "syntax",
        )?
        .unwrap_or(Syntax::Bare);
        let timestamp = match d.timestamp {
            None => None,
            Some(t) => {
                let source = one_of(
                    [
                        t.header.map(TimestampSource::Header),
                        t.item.map(TimestampSource::Item),
                        t.body.map(TimestampSource::Body),
                    ],
                    "timestamp",
                )?
                .ok_or(SpecError { field: "timestamp", reason: "needs a header, an item or a body field" })?;
                let unit = pick(&Unit::NAMES, t.unit, "timestamp.unit", "s, ms or rfc3339")?;
                let tolerance = t.tolerance.unwrap_or(DEFAULT_TOLERANCE_SECS);
                Some(Timestamp { source, unit, tolerance, required: t.required.unwrap_or(true) })
            }
        };
        let delivery_id = match d.delivery_id {
            None => None,
            Some(IdDescription { header: Some(name), body: None, signed }) => {
                Some(IdSource::Header { name, signed: signed.unwrap_or(false) })
            }
            Some(IdDescription { header: None, body: Some(name), signed: None | Some(true) }) => {
                Some(IdSource::Body(name))
            }
            Some(_) => {
                return Err(SpecError {
                    field: "delivery_id",
                    reason: "a header (signed or not) or a body field",
                });
            }
        };
        let spec = Spec {
            id,
            family: d.family,
            algorithm,
            encoding,
            header: d.header,
            header_alias: d.header_alias,
            syntax,
            content: d.content,
            timestamp,
            secret,
            delivery_id,
            type_header: d.type_header,
            retried_by_content: None,
        };
        spec.check()?;
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scheme;

    #[test]
    fn a_description_reads_as_the_spec_it_describes() {
        let stripe = r#"{"algorithm":"hmac-sha256","encoding":"hex","header":"stripe-signature","items":"v1",
            "content":"{timestamp}.{body}","timestamp":{"item":"t","unit":"s","tolerance":300},"secret":"text",
            "delivery_id":{"body":"id"}}"#;
        assert_eq!(Spec::from_json("stripe", stripe), Ok(*Scheme::STRIPE.spec()));
        let svix = r#"{"family":"standard","algorithm":"hmac-sha256","encoding":"base64","header":"svix-signature",
            "versioned":"v1","content":"{id}.{timestamp}.{body}","timestamp":{"header":"svix-timestamp","unit":"s"},
            "secret":"whsec","delivery_id":{"header":"svix-id","signed":true}}"#;
        assert_eq!(Spec::from_json("svix", svix), Ok(*Scheme::SVIX.spec()));
    }

    #[test]
    fn a_bad_description_names_its_field() {
        let base = |extra: &str| -> &'static str {
            std::boxed::Box::leak(
                std::format!(r#"{{"algorithm":"hmac-sha256","encoding":"hex","header":"x-sig","secret":"text"{extra}}}"#)
                    .into_boxed_str(),
            )
        };
        let cases = [
            (r#","content":"{body}","algorithm2":1"#, "algorithm2"),
            (r#","content":["{body}"]"#, "json"),
            (r#","content":"{body}","tolerence":1"#, "tolerence"),
            (r#","content":"{body}","timestamp":{"header":"x-ts","unit":"s","tolerence":1}"#, "tolerence"),
            (r#","content":"{body}","delivery_id":{"header":"x-id","sign":true}"#, "sign"),
            (r#","content":"{body}","tolerance":"300""#, "tolerance"),
            (r#","content":"{payload}""#, "content"),
            (r#","content":"{timestamp}.{body}""#, "content"),
            (r#","content":"{body}","prefix":"a=","items":"v1""#, "syntax"),
            (r#","content":"{body}","timestamp":{"unit":"s"}"#, "timestamp"),
            (r#","content":"{body}","timestamp":{"header":"x-ts","unit":"minutes"}"#, "timestamp.unit"),
            (r#","content":"{body}","timestamp":{"item":"t","unit":"s"}"#, "timestamp.source"),
            (r#","content":"{body}","delivery_id":{"header":"X-Id"}"#, "delivery_id"),
            (r#","content":"{body}","delivery_id":{"body":"id","signed":false}"#, "delivery_id"),
            (r#","content":"{body}","header_alias":"Bad Name""#, "header_alias"),
            // A timestamp header the signature does not cover could be set to now on a replay.
            (r#","content":"{body}","timestamp":{"header":"x-ts","unit":"s"}"#, "content"),
            // `{id}` against another placeholder splits more than one way.
            (
                r#","content":"{id}{timestamp}.{body}","timestamp":{"header":"x-ts","unit":"s"},"delivery_id":{"header":"x-id","signed":true}"#,
                "content",
            ),
        ];
        for (extra, field) in cases {
            assert_eq!(Spec::from_json("acme", base(extra)).map_err(|e| e.field), Err(field), "{extra}");
        }
        assert_eq!(Spec::from_json("acme", "[]").map_err(|e| e.field), Err("json"));
        assert_eq!(Spec::from_json("Acme", base(r#","content":"{body}""#)).map_err(|e| e.field), Err("id"));
        let ok = Spec::from_json("acme", base(r#","content":"{body}""#)).expect("a plain HMAC spec");
        assert!(Scheme::custom(std::boxed::Box::leak(std::boxed::Box::new(ok))).is_ok());
    }
}
