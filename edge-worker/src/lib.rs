//! hookguard at the edge: a Cloudflare Worker that verifies webhooks, drops duplicates with
//! idempotency keys in Workers KV, records each event and forwards it once to the origin.
//!
//! Pipeline for every webhook, in order: method, size cap, rate limit, verify, parse,
//! deduplicate, record, forward, answer. Each request logs one JSON line.

use hookguard::{Event, Scheme};
use serde_json::json;
use worker::{Context, Date, Env, Method, Request, Response, event};

mod config;
mod forward;
mod log;
mod store;

use config::Config;
use log::LogLine;
use store::{Begin, Store};

/// Why a request is refused: an HTTP status and a stable code, and nothing else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reject {
    status: u16,
    code: &'static str,
    /// Seconds, for 409 and 429.
    retry_after: Option<u64>,
}

impl Reject {
    pub(crate) const fn new(status: u16, code: &'static str) -> Self {
        Reject { status, code, retry_after: None }
    }
    const NOT_FOUND: Reject = Reject::new(404, "not_found");
    const NOT_CONFIGURED: Reject = Reject::new(500, "not_configured");
    const STORAGE_UNAVAILABLE: Reject = Reject::new(503, "storage_unavailable");
    const FORWARD_FAILED: Reject = Reject::new(503, "forward_failed");

    fn response(self) -> Response {
        let retry_after = self.retry_after.map(|s| s.to_string());
        let extra: Vec<(&str, &str)> = retry_after.iter().map(|s| ("retry-after", s.as_str())).collect();
        json_response_with(&json!({ "error": self.code }), self.status, &extra)
    }
}

impl From<hookguard::Error> for Reject {
    fn from(error: hookguard::Error) -> Self {
        Reject::new(error.status(), error.code())
    }
}

fn json_response(value: &serde_json::Value, status: u16) -> Response {
    json_response_with(value, status, &[])
}

fn json_response_with(value: &serde_json::Value, status: u16, extra: &[(&str, &str)]) -> Response {
    let headers = worker::Headers::new();
    // Setting a valid header name and value cannot fail; a failure would only drop the header.
    let _ = headers.set("content-type", "application/json");
    for (name, value) in extra {
        let _ = headers.set(name, value);
    }
    Response::builder().with_status(status).with_headers(headers).fixed(value.to_string().into_bytes())
}

/// Unix seconds from the Workers clock (never `SystemTime`, which traps on wasm32).
fn now_seconds() -> u64 {
    Date::now().as_millis() / 1000
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let started = Date::now().as_millis();
    let mut log = LogLine::new(&req);
    let response = match route(req, &env, &mut log).await {
        Ok(response) => response,
        Err(reject) => {
            log.reject(reject);
            reject.response()
        }
    };
    log.emit(response.status_code(), Date::now().as_millis().saturating_sub(started));
    Ok(response)
}

/// The request's path, read from its URL text. (Not `Request::path`, which parses the URL
/// with the `url` crate and links its IDNA tables: most of the .wasm's size for nothing.)
fn path_of(req: &Request) -> String {
    let url = req.inner().url();
    let after_scheme = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| after_scheme.get(i..).unwrap_or("/"));
    path.split(['?', '#']).next().unwrap_or("/").to_string()
}

async fn route(req: Request, env: &Env, log: &mut LogLine) -> Result<Response, Reject> {
    let path = path_of(&req);
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (allowed, target) = match segments.as_slice() {
        ["healthz"] => (Method::Get, Target::Health),
        ["api", "v2", "webhooks", "trigger"] => (Method::Post, Target::Webhook(Scheme::Trigger)),
        ["webhooks", name] => {
            (Method::Post, Target::Webhook(Scheme::from_name(name).ok_or(Reject::NOT_FOUND)?))
        }
        ["api", "v2", "runs", run_id] if !run_id.is_empty() => {
            (Method::Get, Target::Run((*run_id).to_string()))
        }
        _ => return Err(Reject::NOT_FOUND),
    };
    if req.method() != allowed {
        log.outcome("rejected", Some("method_not_allowed"));
        let body = json!({ "error": "method_not_allowed" });
        return Ok(json_response_with(&body, 405, &[("allow", allowed.as_ref())]));
    }
    match target {
        Target::Health => Ok(json_response(&json!({ "ok": true }), 200)),
        Target::Run(run_id) => {
            config::authorize_runs(env, &req)?;
            run_status(env, &run_id).await
        }
        Target::Webhook(scheme) => webhook(scheme, req, env, log).await,
    }
}

enum Target {
    Health,
    Webhook(Scheme),
    Run(String),
}

async fn run_status(env: &Env, run_id: &str) -> Result<Response, Reject> {
    let store = Store::open(env, &config::Ttls::default())?;
    match store.run(run_id).await? {
        Some(record) => Ok(json_response(&record, 200)),
        None => Err(Reject::NOT_FOUND),
    }
}

async fn webhook(scheme: Scheme, mut req: Request, env: &Env, log: &mut LogLine) -> Result<Response, Reject> {
    log.scheme(scheme);
    let config = Config::load(env, scheme)?;

    let body = read_capped(&mut req, config.max_body).await?;

    let client = req.headers().get("cf-connecting-ip").ok().flatten().unwrap_or_default();
    if !config::allowed_by_rate_limit(env, &format!("{}:{client}", scheme.name())).await {
        return Err(Reject { retry_after: Some(10), ..Reject::new(429, "rate_limited") });
    }

    // Only the headers the scheme reads, copied once.
    let headers: Vec<(&str, String)> =
        scheme.header_names().filter_map(|name| Some((name, req.headers().get(name).ok()??))).collect();
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let now = now_seconds();
    let verified = config.verifier.verify(pairs.as_slice(), &body, now)?;

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

    let store = Store::open(env, &config.ttls)?;
    let claim = match store.begin(key).await? {
        Begin::Done => {
            log.outcome("duplicate", None);
            return Ok(json_response(&json!({ "received": true, "duplicate": true }), 200));
        }
        Begin::InFlight => {
            log.outcome("in_flight", Some("in_flight"));
            return Err(Reject { retry_after: Some(config.ttls.in_flight), ..Reject::new(409, "in_flight") });
        }
        Begin::Started(claim) => claim,
    };

    let delivered = deliver(&store, &config, scheme, &event, &body, now).await;
    match delivered {
        Ok(()) => {
            // Recorded and forwarded: the answer is 200 even if the done mark cannot be
            // written (a 5xx would make the provider send it again, and it would be forwarded
            // twice). The in-flight mark still holds repeats off for its TTL.
            let finished = store.finish(claim).await;
            log.outcome("accepted", finished.err().map(|_| "done_mark_failed"));
            Ok(json_response(
                &json!({
                    "received": true,
                    "duplicate": false,
                    "idempotencyKey": key,
                    "type": event.event_type,
                }),
                200,
            ))
        }
        Err(reject) => {
            // Nothing is marked done, so the provider's retry is processed in full.
            store.abort(claim).await;
            Err(reject)
        }
    }
}

/// Records the event, then forwards it if a target is configured.
async fn deliver(
    store: &Store,
    config: &Config,
    scheme: Scheme,
    event: &Event<'_>,
    body: &[u8],
    now: u64,
) -> Result<(), Reject> {
    store.record(scheme, event, now).await?;
    if let Some(forward) = &config.forward {
        forward.send(body, scheme, event, now).await?;
    }
    Ok(())
}

/// Reads the body, refusing it as soon as it is known to exceed `max`: from Content-Length
/// before reading, and from the bytes actually read (a missing or lying length).
async fn read_capped(req: &mut Request, max: usize) -> Result<Vec<u8>, Reject> {
    use futures_util::StreamExt;
    let too_large = Reject::from(hookguard::Error::PayloadTooLarge);
    let declared = req.headers().get("content-length").ok().flatten();
    if declared.and_then(|n| n.trim().parse::<u64>().ok()).is_some_and(|n| n > max as u64) {
        return Err(too_large);
    }
    let mut body = Vec::new();
    let Ok(mut stream) = req.stream() else { return Ok(body) };
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| Reject::new(400, "unreadable_body"))?;
        if body.len() + chunk.len() > max {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
