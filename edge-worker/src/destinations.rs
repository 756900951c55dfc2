//! Where accepted events go: the destinations of `DESTINATIONS` (JSON), plus `FORWARD_URL`
//! as a destination named `origin` that takes everything. Each destination filters by source
//! scheme and event type; each (event, destination) is a delivery of its own.

use hookguard::{Scheme, Verifier};
use serde::Deserialize;

/// How a destination is sent to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The raw body, signed as a Standard Webhooks delivery.
    Webhook,
    /// `{"text": "..."}` with a short human summary (Slack and most chat incoming webhooks).
    Chat,
}

/// One place events go.
pub struct Destination {
    /// A short name, shown with each delivery: `a-z`, `0-9`, `-`, `_`, at most 32.
    pub name: String,
    /// `https:`, or `http:` to this machine.
    pub url: String,
    pub kind: Kind,
    /// A Standard Webhooks signer (`whsec_...`): required for webhooks, optional for chat.
    pub signer: Option<Verifier>,
    /// Source schemes taken (names or `*`).
    pub schemes: Vec<String>,
    /// Event types taken (exact names, or patterns with `*` such as `alert.run.*`).
    pub types: Vec<String>,
}

impl Destination {
    /// Whether this destination takes an event of `scheme` and `event_type`. An event with
    /// no type matches only `*`.
    pub fn takes(&self, scheme: &str, event_type: Option<&str>) -> bool {
        self.schemes.iter().any(|s| s == "*" || s == scheme)
            && self
                .types
                .iter()
                .any(|pattern| glob(pattern, event_type.unwrap_or_default(), event_type.is_none()))
    }
}

/// One entry of `DESTINATIONS`, as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    url: String,
    #[serde(default = "webhook")]
    kind: Kind,
    secret: Option<String>,
    #[serde(default = "everything")]
    schemes: Vec<String>,
    #[serde(default = "everything")]
    types: Vec<String>,
}

fn webhook() -> Kind {
    Kind::Webhook
}

fn everything() -> Vec<String> {
    vec!["*".into()]
}

/// The destinations: `DESTINATIONS` (a JSON array) and `FORWARD_URL` with `FORWARD_SECRET`.
///
/// # Errors
/// What is wrong, naming the entry and field (never a secret's value).
pub fn load(
    json: Option<&str>,
    forward_url: Option<String>,
    forward_secret: Option<String>,
) -> Result<Vec<Destination>, String> {
    let mut entries: Vec<Entry> = match json {
        None => Vec::new(),
        Some(text) => serde_json::from_str(text).map_err(|e| {
            // serde's message may quote a value it met, and a value may be a secret (a
            // DESTINATIONS encoded twice is one string holding every entry): only messages
            // that name a field are passed on; otherwise, where.
            let message = e.to_string();
            if ["unknown field", "missing field", "duplicate field"].iter().any(|m| message.starts_with(m)) {
                format!("DESTINATIONS is not a JSON array of destinations: {message}")
            } else {
                format!(
                    "DESTINATIONS is not a JSON array of destinations (line {}, column {})",
                    e.line(),
                    e.column()
                )
            }
        })?,
    };
    if let Some(url) = forward_url {
        let secret = forward_secret.ok_or("FORWARD_URL is set but FORWARD_SECRET is not")?;
        entries.push(Entry {
            name: "origin".into(),
            url,
            kind: Kind::Webhook,
            secret: Some(secret),
            schemes: everything(),
            types: everything(),
        });
    }
    let mut destinations: Vec<Destination> = Vec::new();
    for entry in entries {
        let name = entry.name.clone();
        let destination = check(entry).map_err(|why| format!("destination {name:?}: {why}"))?;
        if destinations.iter().any(|d| d.name == destination.name) {
            return Err(format!(
                "destination {name:?}: the name is used twice (FORWARD_URL is named \"origin\")"
            ));
        }
        destinations.push(destination);
    }
    Ok(destinations)
}

fn check(entry: Entry) -> Result<Destination, String> {
    let name_ok = (1..=32).contains(&entry.name.len())
        && entry.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if !name_ok {
        return Err("name must be 1 to 32 of a-z, 0-9, - and _".into());
    }
    let url = entry.url.trim().to_string();
    if !is_allowed_url(&url) {
        return Err("url must be https:, or http: to localhost".into());
    }
    let signer = match entry.secret.as_deref().map(str::trim) {
        None | Some("") if entry.kind == Kind::Webhook => {
            return Err("a webhook destination needs a secret".into());
        }
        None | Some("") => None,
        Some(secret) => Some(
            Verifier::new(Scheme::STANDARD, &[secret])
                .map_err(|_| "secret is not a Standard Webhooks key (whsec_ and base64 of 24 to 64 bytes)")?,
        ),
    };
    if entry.schemes.is_empty() || entry.types.is_empty() {
        return Err("schemes and types must not be empty (use [\"*\"] for everything)".into());
    }
    if let Some(unknown) = entry.schemes.iter().find(|s| *s != "*" && Scheme::from_name(s).is_none()) {
        return Err(format!("schemes: {unknown:?} is not a scheme"));
    }
    Ok(Destination {
        name: entry.name,
        url,
        kind: entry.kind,
        signer,
        schemes: entry.schemes,
        types: entry.types,
    })
}

/// `*` matches any run of characters (none included); everything else matches itself. An
/// absent type is matched only by patterns that are all `*`.
fn glob(pattern: &str, text: &str, absent: bool) -> bool {
    if absent {
        return pattern.bytes().all(|b| b == b'*');
    }
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else { return false };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else { return rest.is_empty() };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = rest.get(at + part.len()..).unwrap_or_default(),
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// `https://` anywhere, `http://` only to this machine. Checked on the text, without the
/// `url` crate (whose IDNA tables would double the .wasm); workerd parses it again on fetch.
pub fn is_allowed_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("https://") {
        return !rest.is_empty();
    }
    let Some(rest) = lower.strip_prefix("http://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // No userinfo: `http://localhost@evil.example` must not pass as localhost.
    if authority.contains('@') {
        return false;
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().map(|h| format!("[{h}]")).unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default().to_string(),
    };
    matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]")
}

#[cfg(test)]
mod tests {
    use super::{glob, is_allowed_url, load};

    const KEY: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    #[test]
    fn urls_are_https_or_local_http() {
        for ok in [
            "https://origin.example/webhooks",
            "HTTPS://origin.example",
            "http://localhost:3000/api",
            "http://127.0.0.1/hook",
            "http://[::1]:8080/",
        ] {
            assert!(is_allowed_url(ok), "{ok}");
        }
        for bad in [
            "http://example.com/hook",
            "http://localhost.example.com/",
            "http://localhost@evil.example/",
            "http://127.0.0.1.evil.example/",
            "ftp://localhost/",
            "https://",
            "localhost:3000",
            "",
        ] {
            assert!(!is_allowed_url(bad), "{bad}");
        }
    }

    #[test]
    fn patterns_match_types() {
        for (pattern, text, expected) in [
            ("*", "anything", true),
            ("alert.run.*", "alert.run.failed", true),
            ("alert.run.*", "alert.run.", true),
            ("alert.run.*", "alert.deployment.failed", false),
            ("run.failed", "run.failed", true),
            ("run.failed", "run.failed2", false),
            ("*.failed", "alert.deployment.failed", true),
            ("alert.*.failed", "alert.run.failed", true),
            ("alert.*.failed", "alert.run.succeeded", false),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXcYb", false),
        ] {
            assert_eq!(glob(pattern, text, false), expected, "{pattern} ~ {text}");
        }
        assert!(glob("*", "", true));
        assert!(!glob("run.*", "", true));
    }

    #[test]
    fn bad_entries_are_named() {
        let cases = [
            (r#"{"name":"x"}"#, "not a JSON array"),
            (r#"[{"name":"Bad Name","url":"https://a.example","secret":"K"}]"#, "\"Bad Name\": name"),
            (r#"[{"name":"a","url":"http://a.example","secret":"K"}]"#, "\"a\": url"),
            (r#"[{"name":"a","url":"https://a.example"}]"#, "\"a\": a webhook destination needs a secret"),
            (r#"[{"name":"a","url":"https://a.example","secret":"nope"}]"#, "\"a\": secret"),
            (
                r#"[{"name":"a","url":"https://a.example","secret":"K","schemes":["paypal"]}]"#,
                "\"a\": schemes",
            ),
            (
                r#"[{"name":"a","url":"https://a.example","secret":"K","types":[]}]"#,
                "\"a\": schemes and types",
            ),
            (r#"[{"name":"a","url":"https://a.example","secret":"K","color":"red"}]"#, "unknown field"),
            // Encoded twice: one string that holds the secret.
            (r#""[{\"name\":\"a\",\"secret\":\"K\"}]""#, "(line 1, column"),
        ];
        for (json, expected) in cases {
            let json =
                json.replace("\"K\"", &format!("\"{KEY}\"")).replace("\\\"K\\\"", &format!("\\\"{KEY}\\\""));
            let error = load(Some(&json), None, None).err().unwrap_or_default();
            assert!(error.contains(expected), "{json}: {error}");
            assert!(!error.contains(KEY), "a secret in an error: {error}");
        }
        let twice = format!(r#"[{{"name":"origin","url":"https://a.example","secret":"{KEY}"}}]"#);
        let error = load(Some(&twice), Some("https://b.example".into()), Some(KEY.into())).err();
        assert!(error.unwrap_or_default().contains("used twice"));
    }

    #[test]
    fn forward_url_is_the_origin_destination_and_chat_needs_no_secret() {
        let json = r#"[{"name":"chat","kind":"chat","url":"https://hooks.example/T1","types":["alert.run.*","run.failed"]}]"#;
        let all =
            load(Some(json), Some("https://origin.example".into()), Some(KEY.into())).unwrap_or_default();
        let names: Vec<&str> = all.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["chat", "origin"]);
        let chat = &all[0];
        assert!(chat.takes("trigger", Some("alert.run.failed")) && chat.takes("github", Some("run.failed")));
        assert!(!chat.takes("trigger", Some("run.completed")) && !chat.takes("trigger", None));
        assert!(all[1].takes("stripe", None));
    }
}
