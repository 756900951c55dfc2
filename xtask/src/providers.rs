//! The README's table of providers, made from the core's table (`hookguard::Scheme::ALL`) so
//! that no list of providers is kept by hand: `cargo xtask providers` writes it, and the test
//! command fails while it is out of date.

use hookguard::{Algorithm, Encoding, IdSource, Scheme, SecretFormat, Spec, Syntax, TimestampSource, Unit};

use crate::{Result, root};

const START: &str = "<!-- providers: made by `cargo xtask providers` from core/src/providers.rs -->";
const END: &str = "<!-- providers: end -->";

fn tag(spec: &Spec) -> String {
    let encoding = match spec.encoding {
        Encoding::Hex => "hex",
        Encoding::Base64 => "base64",
    };
    match spec.syntax {
        Syntax::Bare => encoding.to_string(),
        Syntax::Prefix(prefix) => format!("`{prefix}<{encoding}>`"),
        Syntax::Items(name) => format!("`{name}=<{encoding}>` items"),
        Syntax::Versioned(version) => format!("`{version},<{encoding}>`, space-separated"),
    }
}

fn timestamp(spec: &Spec) -> String {
    let Some(ts) = spec.timestamp else { return "none".into() };
    let source = match ts.source {
        TimestampSource::Header(name) => format!("`{name}`"),
        TimestampSource::Item(name) => format!("item `{name}`"),
        TimestampSource::Body(name) => format!("body `{name}`"),
    };
    let unit = match ts.unit {
        Unit::Seconds => "s",
        Unit::Milliseconds => "ms",
        Unit::Rfc3339 => "RFC 3339",
    };
    let optional = if ts.required { "" } else { ", if present" };
    format!("{source} ({unit}), {} s{optional}", ts.tolerance)
}

fn key(spec: &Spec) -> String {
    match spec.delivery_id {
        None => "content".into(),
        Some(IdSource::Body(name)) => format!("body `{name}`"),
        Some(IdSource::Header { name, signed: true }) => format!("`{name}`"),
        Some(IdSource::Header { name, signed: false }) => format!("`{name}` (unsigned: + replay key)"),
    }
}

/// The table, one row per provider.
fn table() -> String {
    let mut out = String::from(
        "| provider | signature header | tag | algorithm, key | signed content | timestamp | idempotency key |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for scheme in Scheme::ALL {
        let spec = scheme.spec();
        let header = match spec.header_alias {
            Some(alias) => format!("`{}` (or `{alias}`)", spec.header),
            None => format!("`{}`", spec.header),
        };
        let algorithm = match (spec.algorithm, spec.secret) {
            (Algorithm::Ed25519, _) => "Ed25519, public key (hex)",
            (Algorithm::HmacSha1, _) => "HMAC-SHA1, secret's bytes",
            (Algorithm::HmacSha256, SecretFormat::Whsec) => "HMAC-SHA256, `whsec_` key",
            (Algorithm::HmacSha256, _) => "HMAC-SHA256, secret's bytes",
        };
        let family =
            spec.family.filter(|f| *f != spec.id).map(|f| format!(" (keys: `{f}:`)")).unwrap_or_default();
        out.push_str(&format!(
            "| `{}`{family} | {header} | {} | {algorithm} | `{}` | {} | {} |\n",
            spec.id,
            tag(spec),
            spec.content,
            timestamp(spec),
            key(spec),
        ));
    }
    out
}

/// README.md with the table in place of the one between the markers.
fn updated(readme: &str) -> Result<String> {
    let (head, rest) = readme.split_once(START).ok_or("README.md has no providers table marker")?;
    let (_, tail) = rest.split_once(END).ok_or("README.md has no end of the providers table")?;
    Ok(format!("{head}{START}\n{}{END}{tail}", table()))
}

/// Writes the table into README.md.
pub fn write() -> Result {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    std::fs::write(&path, updated(&readme)?).map_err(|e| e.to_string())
}

/// Fails if README.md's table is not the core's.
pub fn check() -> Result {
    let readme = std::fs::read_to_string(root().join("README.md")).map_err(|e| e.to_string())?;
    if updated(&readme)? == readme {
        println!("README.md lists the core's {} providers", Scheme::ALL.len());
        Ok(())
    } else {
        Err("README.md's providers table is not the core's: run `cargo xtask providers`".into())
    }
}
