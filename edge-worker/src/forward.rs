//! One attempt to deliver an event to a destination, signed as a Standard Webhooks delivery
//! with `webhook-id` = the idempotency key (the same on every attempt): the raw body, or for
//! a chat destination `{"text": ...}`. Redirects are never followed: a 3xx is a failed attempt.

use core::time::Duration;

use futures_util::future::{Either, select};
use serde::Serialize;
use worker::{AbortController, Delay, Fetch, Headers, Method, Request, RequestInit, RequestRedirect};

use hookguard::Verifier;

use crate::chat;
use crate::clock;
use crate::destinations::{Destination, Kind};

/// What one attempt came to.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// Unix milliseconds when it started.
    pub at: u64,
    /// The destination's HTTP status, if it answered.
    pub status: Option<u16>,
    /// Why it failed: `http_status`, `redirect`, `timeout`, `network`; `None`: delivered.
    pub error: Option<&'static str>,
    pub duration_ms: u64,
}

impl Attempt {
    pub fn delivered(&self) -> bool {
        self.error.is_none()
    }
}

/// What a delivery carries besides its body.
pub struct Envelope<'a> {
    pub key: &'a str,
    pub scheme: &'a str,
    pub event_type: Option<&'a str>,
    /// The chat text, made when the event was verified.
    pub summary: Option<&'a str>,
}

/// POSTs the raw body; any 2xx is delivered, anything else (a 3xx included) is not.
pub async fn attempt(
    destination: &Destination,
    envelope: &Envelope<'_>,
    body: &[u8],
    timeout: u64,
) -> Attempt {
    let at = clock::now_ms();
    let outcome = send(destination, envelope, body, timeout, at / 1000).await;
    let (status, error) = match outcome {
        Ok(status @ 200..=299) => (Some(status), None),
        Ok(status @ 300..=399) => (Some(status), Some("redirect")),
        Ok(status) => (Some(status), Some("http_status")),
        Err(error) => (None, Some(error)),
    };
    Attempt { at, status, error, duration_ms: clock::now_ms().saturating_sub(at) }
}

async fn send(
    destination: &Destination,
    envelope: &Envelope<'_>,
    body: &[u8],
    timeout: u64,
    now: u64,
) -> Result<u16, &'static str> {
    let chat;
    let body = match destination.kind {
        Kind::Webhook => body,
        Kind::Chat => {
            let text = envelope.summary.unwrap_or(envelope.key);
            chat = chat::message(text).into_bytes();
            &chat
        }
    };
    // Outside the signature, like GitHub's own event header: routing hints, not facts.
    let mut extra = vec![("x-hookguard-scheme", envelope.scheme)];
    extra.extend(envelope.event_type.map(|t| ("x-hookguard-event-type", t)));
    post(&destination.url, destination.signer.as_ref(), envelope.key, body, &extra, timeout, now).await
}

/// POSTs a JSON `body` with `webhook-id: id` and the `extra` headers, signed as a Standard
/// Webhooks delivery when a signer is given (at each call: a retry a day later carries a fresh
/// timestamp, the same id). Never follows a redirect. The status, or why there is none.
pub async fn post(
    url: &str,
    signer: Option<&Verifier>,
    id: &str,
    body: &[u8],
    extra: &[(&str, &str)],
    timeout: u64,
    now: u64,
) -> Result<u16, &'static str> {
    let headers = Headers::new();
    let _ = headers.set("content-type", "application/json");
    // The same id on every attempt, signed or not, so that a receiver can drop repeats. Standard
    // Webhooks signs `{id}.{timestamp}.{body}`, so an id has no `.`: a key's (`stripe:evt.1`)
    // are written `%2E`, which no key holds, so two keys never share an id.
    let id = id.replace('.', "%2E");
    let id = id.as_str();
    let _ = headers.set("webhook-id", id);
    for (name, value) in extra {
        let _ = headers.set(name, value);
    }
    if let Some(signer) = signer {
        let signed = signer.sign(body, Some(id), now).map_err(|_| "unsignable")?;
        for (name, value) in signed.iter() {
            let _ = headers.set(name, value);
        }
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual)
        .with_body(Some(worker::js_sys::Uint8Array::from(body).into()));
    let request = Request::new_with_init(url, &init).map_err(|_| "network")?;
    let fetch = Fetch::Request(request);
    // A destination that never answers has its connection closed at the timeout, not left
    // open beside the next attempts.
    let controller = AbortController::default();
    let signal = controller.signal();
    let send = fetch.send_with_signal(&signal);
    let timeout = Delay::from(Duration::from_secs(timeout));
    futures_util::pin_mut!(send, timeout);
    let outcome = match select(send, timeout).await {
        Either::Left((Ok(response), _)) => Ok(response.status_code()),
        Either::Left((Err(_), _)) => Err("network"),
        Either::Right(_) => Err("timeout"),
    };
    // Only the status counts: the answer's body is never read, and aborting drops it, so that
    // a destination streaming an endless answer (or never answering) holds no connection. An
    // origin answers once it has read the body (it must, to check the signature); a 2xx sent
    // before that is taken at its word, and the rest of the upload dropped.
    controller.abort();
    outcome
}
