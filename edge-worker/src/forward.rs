//! Forwarding verified events to the origin, signed as Standard Webhooks deliveries.

use core::time::Duration;

use futures_util::future::{Either, select};
use hookguard::{Event, Scheme, Verifier};
use worker::{Delay, Env, Fetch, Headers, Method, Request, RequestInit};

use crate::Reject;
use crate::config::text;

/// How long the origin has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The origin to forward to (`FORWARD_URL`) and the key to sign with (`FORWARD_SECRET`).
pub struct Forward {
    url: String,
    signer: Verifier,
}

impl Forward {
    /// `None` without `FORWARD_URL`. The URL must be `https:`, or `http:` to localhost for
    /// development; `FORWARD_SECRET` must then be a Standard Webhooks key (`whsec_...`).
    pub fn load(env: &Env) -> Result<Option<Self>, Reject> {
        let Some(url) = text(env, "FORWARD_URL") else { return Ok(None) };
        let url = url.trim().to_string();
        if !is_allowed(&url) {
            return Err(Reject::NOT_CONFIGURED);
        }
        let secret = text(env, "FORWARD_SECRET").ok_or(Reject::NOT_CONFIGURED)?;
        let signer = Verifier::new(Scheme::Standard, &[secret]).map_err(|_| Reject::NOT_CONFIGURED)?;
        Ok(Some(Forward { url, signer }))
    }

    /// POSTs the raw body with `webhook-id` = the idempotency key; any 2xx is success. The
    /// source scheme and event type go along as `x-hookguard-scheme` and
    /// `x-hookguard-event-type` (outside the signature, like GitHub's own event header).
    pub async fn send(&self, body: &[u8], scheme: Scheme, event: &Event<'_>, now: u64) -> Result<(), Reject> {
        let key = event.idempotency_key.as_str();
        let signed = self.signer.sign(body, Some(key), now).map_err(|_| Reject::FORWARD_FAILED)?;
        let headers = Headers::new();
        let _ = headers.set("content-type", "application/json");
        let _ = headers.set("x-hookguard-scheme", scheme.name());
        if let Some(event_type) = event.event_type {
            let _ = headers.set("x-hookguard-event-type", event_type);
        }
        for (name, value) in signed.iter() {
            let _ = headers.set(name, value);
        }
        let mut init = RequestInit::new();
        init.with_method(Method::Post)
            .with_headers(headers)
            .with_body(Some(worker::js_sys::Uint8Array::from(body).into()));
        let request = Request::new_with_init(&self.url, &init).map_err(|_| Reject::FORWARD_FAILED)?;
        let fetch = Fetch::Request(request);
        let send = fetch.send();
        let timeout = Delay::from(TIMEOUT);
        futures_util::pin_mut!(send, timeout);
        match select(send, timeout).await {
            Either::Left((Ok(response), _)) if (200..300).contains(&response.status_code()) => Ok(()),
            _ => Err(Reject::FORWARD_FAILED),
        }
    }
}

/// `https://` anywhere, `http://` only to this machine. Checked on the text, without the
/// `url` crate (whose IDNA tables would double the .wasm); workerd parses it again on fetch.
fn is_allowed(url: &str) -> bool {
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
    use super::is_allowed;

    #[test]
    fn forward_urls_are_https_or_local_http() {
        for ok in [
            "https://origin.example/webhooks",
            "HTTPS://origin.example",
            "http://localhost:3000/api",
            "http://127.0.0.1/hook",
            "http://[::1]:8080/",
        ] {
            assert!(is_allowed(ok), "{ok}");
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
            assert!(!is_allowed(bad), "{bad}");
        }
    }
}
