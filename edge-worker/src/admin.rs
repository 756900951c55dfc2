//! The routes that show or act on stored data, behind bearer tokens compared in constant
//! time. They fail closed: with no token configured they answer 404, as if absent.

use serde_json::json;
use subtle::ConstantTimeEq;
use worker::{Env, Request, Response};

use crate::config::Settings;
use crate::ledger::{Client, Cursor, Filter};
use crate::reply::{self, Refusal};
use crate::runs;

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

/// What an admin route does.
pub enum Action {
    List,
    Show(String),
    Replay(String),
    Recover,
}

/// Checks `Authorization: Bearer <token>` against the first configured token.
fn authorize(req: &Request, tokens: &[Option<&String>]) -> Result<(), Refusal> {
    let configured: Vec<&String> = tokens.iter().flatten().copied().collect();
    if configured.is_empty() {
        return Err(Refusal::NotFound);
    }
    let given = req.headers().get("authorization").ok().flatten().unwrap_or_default();
    let given = given.strip_prefix("Bearer ").unwrap_or_default().as_bytes();
    // Every configured token is compared, whichever matches, so timing tells nothing.
    let matched = configured.iter().fold(0u8, |acc, token| acc | given.ct_eq(token.as_bytes()).unwrap_u8());
    if matched == 1 { Ok(()) } else { Err(Refusal::Unauthorized) }
}

/// The deliveries API (`ADMIN_TOKEN`).
pub async fn deliveries(action: Action, req: &Request, env: &Env, query: &str) -> Result<Response, Refusal> {
    let settings = Settings::load(env)?;
    authorize(req, &[settings.admin_token.as_ref()])?;
    let ledger = Client::open(env, &settings)?;
    let answer = match action {
        Action::List => {
            let status = reply::query_param(query, "status");
            if status.as_deref().is_some_and(|s| !["pending", "delivered", "failed", "recorded"].contains(&s))
            {
                return Err(Refusal::BadRequest);
            }
            let limit = match reply::query_param(query, "limit") {
                None => DEFAULT_LIMIT,
                Some(n) => {
                    n.parse().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or(Refusal::BadRequest)?
                }
            };
            let cursor = match reply::query_param(query, "cursor") {
                None => None,
                Some(text) => Some(Cursor::parse(&text).ok_or(Refusal::BadRequest)?),
            };
            let destination = reply::query_param(query, "destination");
            let page = ledger.list(Filter { status, destination }, limit, cursor).await?;
            json!({ "deliveries": page.rows, "nextCursor": page.next.map(|c| c.text()) })
        }
        Action::Show(key) => ledger.get(&key).await?,
        Action::Replay(key) => ledger.replay(&key, reply::query_param(query, "destination")).await?,
        Action::Recover => {
            let since =
                reply::query_param(query, "since").and_then(|s| s.parse().ok()).ok_or(Refusal::BadRequest)?;
            json!({ "recovered": ledger.recover(since).await? })
        }
    };
    Ok(reply::json(&answer, 200))
}

/// `GET /api/v2/runs/{runId}` (`RUNS_API_TOKEN` or `ADMIN_TOKEN`).
pub async fn run(run_id: &str, req: &Request, env: &Env) -> Result<Response, Refusal> {
    let settings = Settings::load(env)?;
    authorize(req, &[settings.runs_token.as_ref(), settings.admin_token.as_ref()])?;
    Ok(reply::json(&runs::status(env, run_id).await?, 200))
}
