//! The routes that show or act on stored data, behind bearer tokens compared in constant
//! time. They fail closed: with no token configured they answer 404, as if absent.

use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};
use worker::web_sys::Response;
use worker::{Env, Method, Request};

use crate::clock;
use crate::config::{Secret, Settings};
use crate::ledger::{Client, Cursor, Filter};
use crate::reply::{self, Refusal};
use crate::{runs, session, stats};

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

/// What an admin route does.
pub enum Action {
    List,
    Show(String),
    Replay(String),
    Recover,
}

/// Lets in `Authorization: Bearer <token>` with `ADMIN_TOKEN` or the route's `other` token,
/// or the dashboard's sign-in cookie (signed with `ADMIN_TOKEN`); a POST with the cookie only
/// from the dashboard's own origin. With no token configured the route is absent (404); with
/// one too short to use, `not_configured`.
pub fn authorize(req: &Request, settings: &Settings, other: Option<&Secret>) -> Result<(), Refusal> {
    let admin = settings.admin_token.get()?;
    let other = other.map(Secret::get).transpose()?.flatten();
    let configured: Vec<&str> = [admin, other].into_iter().flatten().collect();
    if configured.is_empty() {
        return Err(Refusal::NotFound);
    }
    let header = |name: &str| req.headers().get(name).ok().flatten().unwrap_or_default();
    let bearer = header("authorization");
    let given = bearer.strip_prefix("Bearer ").unwrap_or_default().as_bytes();
    // Every configured token is compared, whichever matches, so timing tells nothing.
    let matched = configured.iter().fold(Choice::from(0), |acc, token| acc | token_matches(given, token));
    if bool::from(matched) {
        return Ok(());
    }
    let now = clock::now_ms() / 1000;
    let signed_in = admin.is_some_and(|token| session::valid(&header("cookie"), token, now));
    if signed_in && (req.method() == Method::Get || same_origin(req)) {
        return Ok(());
    }
    Err(Refusal::Unauthorized)
}

/// Whether `given` is `token`, in a time that tells nothing of either: their SHA-256 digests
/// are compared in constant time. Comparing the texts would answer a wrong length at once,
/// which tells a guesser the token's length.
pub fn token_matches(given: &[u8], token: &str) -> Choice {
    Sha256::digest(given).as_slice().ct_eq(Sha256::digest(token.as_bytes()).as_slice())
}

/// Whether a request comes from a page of this origin (the browser says so: `Sec-Fetch-Site`,
/// or an `Origin` equal to the request's own).
pub fn same_origin(req: &Request) -> bool {
    let header = |name: &str| req.headers().get(name).ok().flatten();
    if header("sec-fetch-site").as_deref() == Some("same-origin") {
        return true;
    }
    let url = req.inner().url();
    let own =
        url.find("://").and_then(|i| url.get(i + 3..)).map(|rest| rest.split('/').next().unwrap_or_default());
    let own = own.map(|host| format!("{}://{host}", url.split("://").next().unwrap_or_default()));
    header("origin").is_some_and(|origin| Some(origin) == own)
}

/// The deliveries API (`ADMIN_TOKEN`).
pub async fn deliveries(action: Action, req: &Request, env: &Env, query: &str) -> Result<Response, Refusal> {
    let settings = Settings::load(env)?;
    authorize(req, &settings, None)?;
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
            let filter = Filter {
                status,
                destination: reply::query_param(query, "destination"),
                scheme: reply::query_param(query, "scheme"),
                event_type: reply::query_param(query, "type"),
            };
            let page = ledger.list(filter, limit, cursor).await?;
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

/// `GET /api/v2/runs/{runId}` (`RUNS_API_TOKEN` or `ADMIN_TOKEN`, or a run token for this
/// run as a bearer token).
pub async fn run(run_id: &str, req: &Request, env: &Env) -> Result<Response, Refusal> {
    let settings = Settings::load(env)?;
    if let Err(refusal) = run_token(req, &settings, run_id, None) {
        // Refused by every token: say so, unless the run-token secret itself is unusable.
        authorize(req, &settings, Some(&settings.runs_token))
            .map_err(|other| if refusal == Refusal::NotConfigured { refusal } else { other })?;
    }
    Ok(reply::json(&runs::status(env, run_id).await?, 200))
}

/// `GET /api/v2/runs/{runId}/live`: a WebSocket of the run's statuses, for a run token of
/// this run (`?token=`, since browsers cannot give a WebSocket headers, or a bearer header),
/// checked before the upgrade; the socket is closed once the token expires.
pub async fn live(run_id: &str, req: &Request, env: &Env, query: &str) -> Result<Response, Refusal> {
    let settings = Settings::load(env)?;
    let expires_at = run_token(req, &settings, run_id, Some(query))?;
    runs::watch(env, run_id, req, expires_at, settings.max_watchers).await.map(Into::into)
}

/// A run token for `run_id`, from `query`'s `token` (the live route only: URLs end up in
/// access logs) or `Authorization: Bearer`, signed with `LIVE_TOKEN_SECRET` and not expired;
/// returns when it expires. Without the secret the routes it opens are absent; with one the
/// core refuses (shorter than its `MIN_SECRET_LEN`), they answer `not_configured`.
fn run_token(req: &Request, settings: &Settings, run_id: &str, query: Option<&str>) -> Result<u64, Refusal> {
    let secret = settings.live_secret.get()?.ok_or(Refusal::NotFound)?;
    let bearer = req.headers().get("authorization").ok().flatten().unwrap_or_default();
    let token = query
        .and_then(|query| reply::query_param(query, "token"))
        .or_else(|| bearer.strip_prefix("Bearer ").map(str::to_string))
        .ok_or(Refusal::Unauthorized)?;
    let now = clock::now_ms() / 1000;
    hookguard::verify_run_token(secret.as_bytes(), run_id, &token, now).map_err(|_| Refusal::Unauthorized)
}

/// `GET /api/v2/stats` (`ADMIN_TOKEN`): counts of the last hour and day, and the chart.
pub async fn stats(req: &Request, env: &Env) -> Result<Response, Refusal> {
    let settings = Settings::load(env)?;
    authorize(req, &settings, None)?;
    Ok(reply::json(&stats::read(env).await?, 200))
}

#[cfg(test)]
mod tests {
    use super::token_matches;

    #[test]
    fn only_the_token_itself_matches() {
        let token = "a-long-admin-token";
        assert!(bool::from(token_matches(token.as_bytes(), token)));
        for wrong in
            ["", "a-long-admin-toke", "a-long-admin-token!", "A-long-admin-token", "b-long-admin-token"]
        {
            assert!(!bool::from(token_matches(wrong.as_bytes(), token)), "{wrong:?}");
        }
    }
}
