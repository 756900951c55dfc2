//! Each Trigger.dev run's latest status, in a Durable Object of its own (named by the run
//! id), so that an update is one atomic conditional write: a terminal status is never
//! replaced by a non-terminal one, and an older event (by its signed `created`) never
//! overwrites a newer one.
//!
//! Browsers watch a run over a WebSocket that the run's object holds with the Hibernation API
//! (`accept_web_socket`), so idle watchers cost nothing: on connect a watcher gets the current
//! status (`{"status":null}` if none yet); every update that applies is pushed to every watcher
//! within the webhook's request; after a terminal status the sockets are closed with 1000.
//! A watcher's socket closes (1008) once its run token has expired, at the next update, and
//! when it sends anything (watchers only listen); a run takes at most `LIVE_MAX_WATCHERS`.

// The `#[durable_object]` macro generates public, undocumented wasm-bindgen glue.
#![allow(missing_docs)]

use hookguard::Event;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use worker::wasm_bindgen;
use worker::{
    DurableObject, Env, Headers, Method, Request, RequestInit, Response, Result, SqlStorageValue, State,
    WebSocket, WebSocketIncomingMessage, WebSocketPair, durable_object,
};

use crate::clock;
use crate::config::RUNS_BINDING;
use crate::objects::{self, int};
use crate::reply::Refusal;

/// Statuses after which a run never changes again.
const TERMINAL: [&str; 7] =
    ["COMPLETED", "FAILED", "CANCELED", "CRASHED", "SYSTEM_FAILURE", "EXPIRED", "TIMED_OUT"];
/// Run ids longer than this are not recorded.
const MAX_RUN_ID: usize = 256;
/// The headers that carry a watcher's token expiry (Unix seconds) and the run's watcher limit
/// from the worker to the run's object (set there, never taken from the client).
const EXPIRES_HEADER: &str = "x-hookguard-token-expires";
const MAX_WATCHERS_HEADER: &str = "x-hookguard-max-watchers";
/// A run's status is forgotten this long after its last update (ms).
const KEEP_MS: i64 = 30 * 24 * 3600 * 1000;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS run (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    run_id TEXT NOT NULL, status TEXT, type TEXT, event_id TEXT, number INTEGER, task_id TEXT,
    error_message TEXT, created_ms INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    terminal INTEGER NOT NULL
)";

/// Applies an update unless the stored status is terminal and the new one is not, or the
/// stored event is newer; one row back if it applied.
const UPDATE: &str = "INSERT INTO run
    (one, run_id, status, type, event_id, number, task_id, error_message, created_ms, updated_at, terminal)
    VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
    ON CONFLICT (one) DO UPDATE SET
        status = COALESCE(excluded.status, run.status), type = excluded.type,
        event_id = excluded.event_id, number = COALESCE(excluded.number, run.number),
        task_id = COALESCE(excluded.task_id, run.task_id), error_message = excluded.error_message,
        created_ms = excluded.created_ms, updated_at = excluded.updated_at,
        terminal = MAX(run.terminal, excluded.terminal)
    WHERE NOT (run.terminal = 1 AND excluded.terminal = 0) AND excluded.created_ms >= run.created_ms
    RETURNING run_id";

const READ: &str = "SELECT run_id AS runId, status, type, event_id AS eventId, number, task_id AS taskId,
    error_message AS errorMessage, updated_at / 1000 AS updatedAt FROM run";

/// A run's status as the API shows it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunStatus {
    pub run_id: String,
    pub status: Option<String>,
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub number: Option<u64>,
    pub task_id: Option<String>,
    pub error_message: Option<String>,
    /// Unix seconds when hookguard took the event.
    pub updated_at: u64,
}

#[derive(Serialize, Deserialize)]
struct Update {
    status: RunStatus,
    /// The event's signed `created` (ms), or when it was received if it has none.
    created_ms: u64,
}

/// The update a Trigger.dev event makes, if it names a run.
pub fn update_of(event: &Event<'_>, now_ms: u64) -> Option<(String, Value)> {
    let run_id = event.run_id.filter(|id| !id.is_empty() && id.len() <= MAX_RUN_ID)?;
    let created = event.created.map(worker::js_sys::Date::parse).filter(|t| t.is_finite() && *t >= 0.0);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let created_ms = created.map_or(now_ms, |t| t as u64);
    let status = RunStatus {
        run_id: run_id.into(),
        status: event.run_status.map(Into::into),
        event_type: event.event_type.map(Into::into),
        event_id: event.id.map(Into::into),
        number: event.run_number,
        task_id: event.task_id.map(Into::into),
        error_message: event.error_message.map(Into::into),
        updated_at: now_ms / 1000,
    };
    Some((run_id.into(), serde_json::to_value(Update { status, created_ms }).ok()?))
}

/// Sends an update to the run's object; an answer other than 200 is an error too.
pub async fn update(env: &Env, run_id: &str, update: &Value) -> Result<()> {
    let response =
        objects::call(env, RUNS_BINDING, run_id, "update", Some(update.to_string().as_bytes())).await?;
    match response.status_code() {
        200 => Ok(()),
        status => Err(worker::Error::RustError(format!("run object answered {status}"))),
    }
}

/// The run's latest status, if any.
///
/// # Errors
/// `NotFound` for a run never seen (or an id too long to have been recorded).
pub async fn status(env: &Env, run_id: &str) -> core::result::Result<Value, Refusal> {
    if run_id.len() > MAX_RUN_ID {
        return Err(Refusal::NotFound);
    }
    let call = objects::call(env, RUNS_BINDING, run_id, "get", None);
    let mut response = call.await.map_err(|_| Refusal::StorageUnavailable)?;
    match response.status_code() {
        200 => response.json().await.map_err(|_| Refusal::StorageUnavailable),
        404 => Err(Refusal::NotFound),
        _ => Err(Refusal::StorageUnavailable),
    }
}

#[durable_object]
pub struct Run {
    state: State,
}

impl DurableObject for Run {
    fn new(state: State, _env: Env) -> Self {
        // A failure here shows again on the first statement that needs the table.
        let _ = state.storage().sql().exec(SCHEMA, None);
        Run { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let op = objects::op(&req);
        let sql = self.state.storage().sql();
        if op == "live" {
            let number = |name: &str| req.headers().get(name).ok().flatten().and_then(|n| n.parse().ok());
            return match (number(EXPIRES_HEADER), number(MAX_WATCHERS_HEADER)) {
                (Some(expires_at), Some(max)) => self.watch(expires_at, max),
                _ => Response::error("no token expiry or watcher limit", 400),
            };
        }
        if op == "update" {
            let Update { status: s, created_ms } = req.json().await?;
            let terminal = s.status.as_deref().is_some_and(|status| TERMINAL.contains(&status));
            let applied = sql.exec(
                UPDATE,
                vec![
                    s.run_id.into(),
                    s.status.into(),
                    s.event_type.into(),
                    s.event_id.into(),
                    s.number.map(|n| i64::try_from(n).unwrap_or(i64::MAX)).into(),
                    s.task_id.into(),
                    s.error_message.into(),
                    int(created_ms),
                    int(s.updated_at * 1000),
                    SqlStorageValue::Integer(i64::from(terminal)),
                ],
            )?;
            let applied = !applied.to_array::<Value>()?.is_empty();
            if applied {
                self.push(terminal)?;
            }
            // One alarm at a time; when it fires it looks at the last update.
            if self.state.storage().get_alarm().await?.is_none() {
                self.state.storage().set_alarm(KEEP_MS).await?;
            }
            return Response::from_json(&serde_json::json!({ "applied": applied }));
        }
        match self.current()? {
            Some(status) => Response::from_json(&status),
            None => Ok(Response::empty()?.with_status(404)),
        }
    }

    /// Forgets the run once it has not changed for `KEEP_MS`, else looks again then.
    async fn alarm(&self) -> Result<Response> {
        let storage = self.state.storage();
        let last: Vec<Value> = storage.sql().exec("SELECT updated_at FROM run", None)?.to_array()?;
        let updated = last.first().and_then(|row| row["updated_at"].as_i64()).unwrap_or(0);
        let idle = i64::try_from(clock::now_ms()).unwrap_or(i64::MAX) - updated;
        if idle >= KEEP_MS {
            storage.delete_all().await?;
        } else {
            storage.set_alarm(KEEP_MS - idle).await?;
        }
        Response::ok("")
    }

    /// Watchers only listen: one that sends is closed, so that messages cannot keep the
    /// object awake.
    async fn websocket_message(&self, ws: WebSocket, _message: WebSocketIncomingMessage) -> Result<()> {
        ws.close(Some(1008), Some("watchers do not send"))
    }

    async fn websocket_close(
        &self,
        _ws: WebSocket,
        _code: usize,
        _reason: String,
        _clean: bool,
    ) -> Result<()> {
        Ok(())
    }

    async fn websocket_error(&self, _ws: WebSocket, _error: worker::Error) -> Result<()> {
        Ok(())
    }
}

impl Run {
    fn current(&self) -> Result<Option<RunStatus>> {
        Ok(self.state.storage().sql().exec(READ, None)?.to_array::<RunStatus>()?.into_iter().next())
    }

    /// What a watcher is told: the current status, or `{"status":null}`.
    fn message(&self) -> Result<(String, bool)> {
        Ok(match self.current()? {
            Some(status) => {
                let terminal = status.status.as_deref().is_some_and(|s| TERMINAL.contains(&s));
                (serde_json::to_string(&status)?, terminal)
            }
            None => (r#"{"status":null}"#.to_string(), false),
        })
    }

    /// A new watcher whose token expires at `expires_at`: told the current status at once, and
    /// accepted for hibernation with its expiry; or, if the run is already over, closed at
    /// once without ever hibernating. A hibernatable socket's connection outlives its close by
    /// about 10 s in workerd (10,013 ms measured from a plain WebSocket client, 6-15 ms for
    /// one accepted without hibernation), and so would the watcher's wait for its close event.
    fn watch(&self, expires_at: u64, max_watchers: u64) -> Result<Response> {
        // Only watchers whose token still holds take a place: the others are closed now, not
        // at the run's next update, which may never come.
        let now = clock::now_ms() / 1000;
        let watching = self.state.get_websockets().iter().filter(|ws| !close_if_expired(ws, now)).count();
        if watching as u64 >= max_watchers {
            return Response::error("too many watchers", 429);
        }
        let pair = WebSocketPair::new()?;
        let (message, terminal) = self.message()?;
        if terminal {
            pair.server.accept()?;
        } else {
            self.state.accept_web_socket(&pair.server);
            pair.server.serialize_attachment(expires_at)?;
        }
        pair.server.send_with_str(&message)?;
        if terminal {
            pair.server.close(Some(1000), Some("run finished"))?;
        }
        Response::from_websocket(pair.client)
    }

    /// Tells every watcher the new status; closes them all after a terminal one, and those
    /// whose token has expired instead of telling them.
    fn push(&self, terminal: bool) -> Result<()> {
        let (message, _) = self.message()?;
        let now = clock::now_ms() / 1000;
        for ws in self.state.get_websockets() {
            // A watcher that has gone away is skipped; the others still hear.
            if close_if_expired(&ws, now) {
                continue;
            }
            let _ = ws.send_with_str(&message);
            if terminal {
                let _ = ws.close(Some(1000), Some("run finished"));
            }
        }
        Ok(())
    }
}

/// Whether a watcher's token has expired at `now` (or its expiry cannot be read); if so, the
/// watcher is closed (1008) without being told anything more.
fn close_if_expired(ws: &WebSocket, now: u64) -> bool {
    let expires_at: Option<u64> = ws.deserialize_attachment().ok().flatten();
    let expired = expires_at.is_none_or(|expires_at| expires_at <= now);
    if expired {
        let _ = ws.close(Some(1008), Some("token expired"));
    }
    expired
}

/// Opens a watcher's WebSocket on the run's object (the caller has checked the token, which
/// expires at `expires_at`), unless the run has `max_watchers` already (429).
pub async fn watch(
    env: &Env,
    run_id: &str,
    req: &Request,
    expires_at: u64,
    max_watchers: u64,
) -> core::result::Result<Response, Refusal> {
    let upgrade = req.headers().get("upgrade").ok().flatten().unwrap_or_default();
    if !upgrade.eq_ignore_ascii_case("websocket") {
        return Err(Refusal::UpgradeRequired);
    }
    if run_id.len() > MAX_RUN_ID {
        return Err(Refusal::NotFound);
    }
    let live = async {
        let stub = env.durable_object(RUNS_BINDING)?.get_by_name(run_id)?;
        // A copy of the request's headers (its own cannot change), with the token's expiry.
        let headers = Headers::new();
        for (name, value) in req.headers().entries() {
            headers.set(&name, &value)?;
        }
        headers.set(EXPIRES_HEADER, &expires_at.to_string())?;
        headers.set(MAX_WATCHERS_HEADER, &max_watchers.to_string())?;
        let mut init = RequestInit::new();
        init.with_method(Method::Get).with_headers(headers);
        stub.fetch_with_request(Request::new_with_init("https://object/live", &init)?).await
    };
    let response = live.await.map_err(|_| Refusal::StorageUnavailable)?;
    match response.status_code() {
        101 => Ok(response),
        429 => Err(Refusal::TooManyWatchers),
        _ => Err(Refusal::StorageUnavailable),
    }
}
