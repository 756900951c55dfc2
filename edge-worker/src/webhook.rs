//! One webhook, in order: rate limit (before the body is read), size cap, verify, parse,
//! the KV cache, take in the ledger (which stores, caches the key in KV and makes the first
//! attempt), the run's status, answer. Once this answers 200, the event is stored and will
//! reach its destination.

use hookguard::Scheme;
use serde_json::json;
use worker::js_sys::Uint8Array;
use worker::wasm_bindgen_futures::JsFuture;
use worker::web_sys::{self, Response};
use worker::{Env, Request};

use crate::cache::Cache;
use crate::chat;
use crate::clock;
use crate::config::{Route, Settings};
use crate::destinations::Kind;
use crate::ledger::{Client, Taken, Taking};
use crate::log::{Cost, LogLine};
use crate::rate_limit;
use crate::reply::{self, Refusal};
use crate::runs;

/// The most of an event's type, id and run id the ledger keeps, in bytes.
const MAX_FIELD: usize = 256;

pub async fn handle(
    scheme: Scheme,
    req: web_sys::Request,
    url: &str,
    env: &Env,
    log: &mut LogLine,
) -> Result<Response, Refusal> {
    log.scheme(scheme);
    let request_headers = req.headers();
    rate_limit::check(env, &request_headers, scheme.name()).await?;
    let route = Route::load(env, scheme)?;
    let settings = Settings::load(env)?;
    let body = read_capped(&req, &request_headers, route.max_body).await?;

    // Only the headers the scheme reads, copied once.
    let headers: Vec<(&str, String)> =
        scheme.header_names().filter_map(|name| Some((name, request_headers.get(name).ok()??))).collect();
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let now_ms = clock::now_ms();
    // A scheme that signs its URL (Square) without a registered one configured is checked
    // against the URL this request came to.
    let with_url;
    let verifier = if route.url_from_request {
        with_url = route.verifier.clone().with_url(url).map_err(|_| Refusal::UrlTooLong)?;
        &with_url
    } else {
        &route.verifier
    };
    let verified = verifier.verify(pairs.as_slice(), &body, now_ms / 1000)?;

    // A body-sized scratch holds every unescaped string of a UTF-8 body; otherwise the core
    // says how much it needs.
    let mut scratch = vec![0u8; body.len()];
    let event = match verified.parse(&mut scratch) {
        Err(hookguard::Error::ScratchTooSmall { needed }) => {
            scratch = vec![0u8; needed];
            verified.parse(&mut scratch)
        }
        other => other,
    }?;
    log.event(&event);
    let key = event.idempotency_key.as_str();

    let cache = Cache::open(env);
    if let Some(cache) = &cache {
        log.cost(Cost::KvRead, 1);
        if cache.has(key).await {
            log.outcome("duplicate", Some("kv"));
            return Ok(duplicate());
        }
    }
    let ledger = Client::open(env, &settings)?;
    // A key from an unsigned id (GitHub's delivery header, ...) is backed by one over the
    // signed body: a captured delivery sent again under a new id is a duplicate.
    if let Some(replay) = &event.replay_key {
        log.cost(Cost::LedgerRequest, 1);
        if !ledger.claim_replay(replay.as_str(), key).await? {
            log.outcome("duplicate", Some("replay"));
            return Ok(duplicate());
        }
    }
    let chat = settings.destinations_for(scheme.name(), event.event_type).any(|d| d.kind == Kind::Chat);
    // Stored beside the body, in a row of at most 2 MB: the body's own fields are cut short.
    let field = |text: Option<&str>| text.map(|t| t[..t.floor_char_boundary(MAX_FIELD)].to_string());
    let taking = Taking {
        key: key.into(),
        scheme: scheme.name().into(),
        event_type: field(event.event_type),
        event_id: field(event.id),
        run_id: field(event.run_id),
        summary: chat.then(|| chat::summary(scheme.name(), &event, &body)),
    };
    let taken = ledger.take(&taking, &body).await;
    if let (Err(_), Some(replay)) = (&taken, &event.replay_key) {
        // Not stored: a copy under another id must not be a duplicate of nothing. If this
        // fails too, that copy is answered duplicate (the provider's retry under this id,
        // which holds the claim, is still taken).
        log.cost(Cost::LedgerRequest, 1);
        if ledger.release_replay(replay.as_str(), key).await.is_err() {
            log.note("replay_release_failed");
        }
    }
    let Taken { status, rows_written, cached } = taken?;
    log.cost(Cost::LedgerRequest, 1);
    log.cost(Cost::SqlRowsWritten, rows_written);
    let Some(status) = status else {
        log.outcome("duplicate", Some("ledger"));
        return Ok(duplicate());
    };
    if cached {
        log.cost(Cost::KvWrite, 1);
    }
    // Run statuses are Trigger.dev's: other schemes' senders cannot overwrite them. The
    // event is stored whatever happens here, so a failure is logged, not answered.
    if let Some((run_id, update)) = runs::update_of(&event, now_ms).filter(|_| scheme == Scheme::TRIGGER) {
        log.cost(Cost::RunRequest, 1);
        if runs::update(env, &run_id, &update).await.is_err() {
            log.note("run_update_failed");
        }
    }
    log.outcome("accepted", None);
    log.delivery(&status);
    let answer = json!({
        "received": true,
        "duplicate": false,
        "idempotencyKey": key,
        "type": event.event_type,
        "delivery": status,
    });
    Ok(reply::json(&answer, 200))
}

fn duplicate() -> Response {
    reply::json(&json!({ "received": true, "duplicate": true }), 200)
}

/// Reads the body, refusing it as soon as it is known to exceed `max`: from Content-Length
/// before reading, and from the bytes actually read (a missing or lying length).
pub async fn read_capped(
    req: &web_sys::Request,
    headers: &web_sys::Headers,
    max: usize,
) -> Result<Vec<u8>, Refusal> {
    let too_large = Refusal::Core(hookguard::Error::PayloadTooLarge);
    let declared = headers.get("content-length").ok().flatten();
    let declared = declared.and_then(|n| n.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large);
    }
    // With a declared length within the cap, one read of the whole body (the stream's
    // chunks are only walked when the length is missing).
    if declared.is_some() {
        let read = req.array_buffer().map(JsFuture::from).map_err(|_| Refusal::UnreadableBody)?;
        let body = Uint8Array::new(&read.await.map_err(|_| Refusal::UnreadableBody)?).to_vec();
        return if body.len() > max { Err(too_large) } else { Ok(body) };
    }
    use futures_util::StreamExt;
    let mut body = Vec::new();
    // Another handle on the same request (`Clone::clone`, not the request's own `clone()`,
    // which would tee its body).
    let Ok(mut stream) = Request::from(Clone::clone(req)).stream() else { return Ok(body) };
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| Refusal::UnreadableBody)?;
        if body.len() + chunk.len() > max {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
