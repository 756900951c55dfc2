//! hookguard at the edge: a Cloudflare Worker that verifies webhooks, takes each delivery
//! exactly once in a SQLite Durable Object ledger (with Workers KV as its edge cache), stores
//! it, and delivers it to the origin with its own retries.
//!
//! Each request logs one JSON line; each delivery attempt one more.

use hookguard::Scheme;
use serde_json::json;
use worker::web_sys::{self, Response};
use worker::{Context, Env, Method, Request, ScheduleContext, ScheduledEvent, event};

mod admin;
mod cache;
mod chat;
mod clock;
mod config;
mod dashboard;
mod destinations;
mod forward;
mod ledger;
mod log;
mod objects;
mod rate_limit;
mod reply;
mod runs;
mod session;
mod stats;
mod webhook;

pub use ledger::Ledger;
pub use runs::Run;
pub use stats::Stats;

use admin::Action;
use clock::now_ms;
use log::LogLine;
use reply::Refusal;

/// Takes the runtime's request as it is: `worker::Request` would read its method, URL,
/// headers and `cf` object up front, and building `cf` (the runtime parses it on each request)
/// was the largest share of the worker's own time per webhook. Webhooks read only what they
/// use; other routes convert.
#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> worker::Result<Response> {
    let started = now_ms();
    let url = req.url();
    let method = Method::from(req.method());
    let mut log = LogLine::new(&method, &url);
    let response = match route(req, &url, method, &env, &ctx, &mut log).await {
        Ok(response) => response,
        Err(refusal) => {
            log.refusal(refusal);
            refusal.response()
        }
    };
    log.emit(response.status(), now_ms().saturating_sub(started));
    Ok(response)
}

/// The safety net under the ledger's alarms: every ledger object re-arms its alarm for its
/// next due delivery (a cron trigger in wrangler.toml).
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let sweep = async { ledger::Client::open(&env, &*config::Settings::load(&env)?)?.sweep().await };
    let swept: Result<(), Refusal> = sweep.await;
    worker::console_log!("{}", json!({ "outcome": "sweep", "error": swept.err().map(Refusal::code) }));
}

/// Where a request goes: a webhook, or a page that takes the request as `worker::Request`.
enum Target {
    Webhook(Scheme),
    Page(Page),
}

enum Page {
    Health,
    Run(String),
    Live(String),
    Deliveries(Action),
    Stats,
    Dashboard(dashboard::Asset),
}

async fn route(
    req: web_sys::Request,
    url: &str,
    method: Method,
    env: &Env,
    ctx: &Context,
    log: &mut LogLine,
) -> Result<Response, Refusal> {
    let (path, query) = reply::path_and_query(url);
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let key = |segment: &str| reply::percent_decode(segment);
    let (allowed, target) = match segments.as_slice() {
        ["healthz"] => (Method::Get, Target::Page(Page::Health)),
        ["api", "v2", "webhooks", "trigger"] => (Method::Post, Target::Webhook(Scheme::TRIGGER)),
        ["webhooks", name] => (Method::Post, Target::Webhook(config::scheme(env, name)?)),
        ["api", "v2", "runs", run_id] if !run_id.is_empty() => {
            (Method::Get, Target::Page(Page::Run(key(run_id))))
        }
        ["api", "v2", "runs", run_id, "live"] if !run_id.is_empty() => {
            (Method::Get, Target::Page(Page::Live(key(run_id))))
        }
        ["api", "v2", "deliveries"] => (Method::Get, Target::Page(Page::Deliveries(Action::List))),
        ["api", "v2", "stats"] => (Method::Get, Target::Page(Page::Stats)),
        ["dashboard", rest @ ..] => {
            let asset = match rest {
                [] => dashboard::Asset::Page,
                ["app.js"] => dashboard::Asset::Script,
                ["app.css"] => dashboard::Asset::Style,
                ["sign-in"] => dashboard::Asset::SignIn,
                ["sign-out"] => dashboard::Asset::SignOut,
                _ => return Err(Refusal::NotFound),
            };
            (dashboard::method(&asset), Target::Page(Page::Dashboard(asset)))
        }
        ["api", "v2", "deliveries", "recover"] => {
            (Method::Post, Target::Page(Page::Deliveries(Action::Recover)))
        }
        ["api", "v2", "deliveries", k] if !k.is_empty() => {
            (Method::Get, Target::Page(Page::Deliveries(Action::Show(key(k)))))
        }
        ["api", "v2", "deliveries", k, "replay"] if !k.is_empty() => {
            (Method::Post, Target::Page(Page::Deliveries(Action::Replay(key(k)))))
        }
        _ => return Err(Refusal::NotFound),
    };
    if method != allowed {
        return Err(Refusal::MethodNotAllowed(if allowed == Method::Get { "GET" } else { "POST" }));
    }
    match target {
        Target::Webhook(scheme) => {
            let answer = webhook::handle(scheme, req, url, env, log).await;
            let (kind, code) = match &answer {
                Ok(_) => (log.outcome_name(), ""),
                Err(refusal) => ("refused", refusal.code()),
            };
            stats::tally(env, ctx, scheme, kind, code);
            answer
        }
        Target::Page(page) => serve(page, Request::from(req), env, query).await,
    }
}

/// The pages: every route but the webhooks.
async fn serve(page: Page, req: Request, env: &Env, query: &str) -> Result<Response, Refusal> {
    match page {
        Page::Health => Ok(reply::json(&json!({ "ok": true }), 200)),
        Page::Run(run_id) => admin::run(&run_id, &req, env).await,
        Page::Live(run_id) => admin::live(&run_id, &req, env, query).await,
        Page::Deliveries(action) => admin::deliveries(action, &req, env, query).await,
        Page::Stats => admin::stats(&req, env).await,
        Page::Dashboard(asset) => dashboard::serve(asset, req, env).await,
    }
}
