//! What the Worker answers: JSON bodies, and every refusal mapped to its status, stable code
//! and headers in one `match`.

use serde_json::{Value, json};
use worker::web_sys::{Headers, Response, ResponseInit};

/// Every reason a request is refused. Nothing else is ever said about a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The core refused the request (signature, timestamp, size, JSON, ...).
    Core(hookguard::Error),
    /// No such route or record, or a route that is off because its token is not configured.
    NotFound,
    /// The route exists for another method.
    MethodNotAllowed(&'static str),
    /// The Rate Limiting binding said no.
    RateLimited,
    /// A secret, token or setting is missing or unusable: the route fails closed.
    NotConfigured,
    /// The ledger or KV could not be reached or could not store: the provider should retry.
    StorageUnavailable,
    /// A missing or wrong token on a route that shows data.
    Unauthorized,
    /// The request body could not be read.
    UnreadableBody,
    /// A query parameter is not what the route takes.
    BadRequest,
    /// The delivery's body is gone (older than `RETENTION_SECONDS`): it cannot be replayed.
    BodyExpired,
    /// The delivery has no destination to send it to.
    NoDestination,
    /// A WebSocket route asked without `Upgrade: websocket`.
    UpgradeRequired,
    /// A run already has as many watchers as its object takes.
    TooManyWatchers,
    /// A URL a scheme signs (Square, checked against the URL the request came to) is longer
    /// than the core takes: no provider was given it.
    UrlTooLong,
}

impl Refusal {
    /// Status, stable code, and the one header a refusal may carry.
    fn parts(self) -> (u16, &'static str, Option<(&'static str, &'static str)>) {
        match self {
            Refusal::Core(error) => (error.status(), error.code(), None),
            Refusal::NotFound => (404, "not_found", None),
            Refusal::MethodNotAllowed(allow) => (405, "method_not_allowed", Some(("allow", allow))),
            Refusal::RateLimited => (429, "rate_limited", Some(("retry-after", "10"))),
            Refusal::NotConfigured => (500, "not_configured", None),
            Refusal::StorageUnavailable => (503, "storage_unavailable", Some(("retry-after", "5"))),
            Refusal::Unauthorized => (401, "unauthorized", Some(("www-authenticate", "Bearer"))),
            Refusal::UnreadableBody => (400, "unreadable_body", None),
            Refusal::BadRequest => (400, "bad_request", None),
            Refusal::BodyExpired => (410, "body_expired", None),
            Refusal::UrlTooLong => (414, hookguard::Error::UrlTooLong.code(), None),
            Refusal::TooManyWatchers => (429, "too_many_watchers", Some(("retry-after", "60"))),
            Refusal::NoDestination => (409, "no_destination", None),
            Refusal::UpgradeRequired => (426, "upgrade_required", Some(("upgrade", "websocket"))),
        }
    }

    /// The stable code, as in the JSON body and the log line.
    pub fn code(self) -> &'static str {
        self.parts().1
    }

    pub fn response(self) -> Response {
        let (status, code, header) = self.parts();
        json_with(&json!({ "error": code }), status, header.as_slice())
    }
}

impl From<hookguard::Error> for Refusal {
    fn from(error: hookguard::Error) -> Self {
        Refusal::Core(error)
    }
}

/// A JSON answer.
pub fn json(value: &Value, status: u16) -> Response {
    json_with(value, status, &[])
}

fn json_with(value: &Value, status: u16, extra: &[(&str, &str)]) -> Response {
    // Bodies can quote what a sender chose (a stored delivery): never sniffed as anything else.
    let headers = [
        ("content-type", "application/json"),
        ("cache-control", "no-store"),
        ("x-content-type-options", "nosniff"),
    ];
    answer(&value.to_string(), status, &[&headers, extra].concat())
}

/// An answer made as the runtime's own `Response`, from a string and one init object
/// (`worker::Response` copies its body into a fresh array and builds its init on the way out).
pub fn answer(body: &str, status: u16, headers: &[(&str, &str)]) -> Response {
    let init = ResponseInit::new();
    init.set_status(status);
    if let Ok(set) = Headers::new() {
        for (name, value) in headers {
            // A valid header name and value cannot fail; a failure would only drop the header.
            let _ = set.set(name, value);
        }
        init.set_headers(&set);
    }
    // With a valid status this cannot fail; if it did, the client gets a network error.
    Response::new_with_opt_str_and_init(Some(body).filter(|b| !b.is_empty()), &init)
        .unwrap_or_else(|_| Response::error())
}

/// A request's path and query, read from its URL text. (Not `Request::path`, which parses
/// the URL with the `url` crate and links its IDNA tables: most of the .wasm for nothing.)
pub fn path_and_query(url: &str) -> (&str, &str) {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').and_then(|i| after_scheme.get(i..)).unwrap_or("/");
    let path = path.split('#').next().unwrap_or("/");
    path.split_once('?').unwrap_or((path, ""))
}

/// The percent-decoded value of `name` in a query string (`+` is a space).
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then(|| percent_decode(&value.replace('+', " ")))
    })
}

/// `%XX` escapes decoded; invalid escapes kept as they are; invalid UTF-8 replaced.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| core::str::from_utf8(h).ok());
        match hex.filter(|_| byte == b'%').and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(decoded) => {
                out.push(decoded);
                i += 3;
            }
            None => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::{path_and_query, percent_decode, query_param};

    #[test]
    fn paths_and_queries_are_read_from_the_url_text() {
        assert_eq!(path_and_query("https://h.example/a/b?x=1#f"), ("/a/b", "x=1"));
        assert_eq!(path_and_query("http://localhost"), ("/", ""));
        assert_eq!(
            path_and_query("http://h/api/v2/deliveries?status=failed&limit=5"),
            ("/api/v2/deliveries", "status=failed&limit=5")
        );
        assert_eq!(query_param("status=failed&limit=5", "limit").as_deref(), Some("5"));
        assert_eq!(
            query_param("cursor=1%3Aorigin%3Atrigger%3Aevt+1", "cursor").as_deref(),
            Some("1:origin:trigger:evt 1")
        );
        assert_eq!(query_param("a=1", "b"), None);
        assert_eq!(percent_decode("trigger%3Aevt_%E2%9C%93%zz%4"), "trigger:evt_✓%zz%4");
    }
}
