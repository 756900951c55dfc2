//! The ledger's Durable Object: one SQLite database per shard, the authority on which
//! deliveries were taken, and the owner of their attempts, retries and retention.
//!
//! A key is taken by one `INSERT ... ON CONFLICT DO NOTHING RETURNING`: the first copy gets
//! a row back, every other copy none. The taking request then makes the first attempt; a
//! failed one is retried from the object's alarm on the configured schedule, with jitter.
//! Before an attempt starts, its delivery's due time is moved to the end of a lease, so that
//! a crash mid-attempt leaves it due again (the alarm retries it) and an alarm never sends
//! what another request is sending.

// The `#[durable_object]` macro generates public, undocumented wasm-bindgen glue.
#![allow(missing_docs)]

use core::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use worker::wasm_bindgen;
use worker::{
    Date, DurableObject, Env, Request, Response, Result, ScheduledTime, SqlStorage, SqlStorageValue, State,
    durable_object,
};

use super::sql;
use super::wire::{self, Answer, Cursor, Row, Taking};
use crate::cache::Cache;
use crate::config::Settings;
use crate::destinations::Destination;
use crate::forward::{self, Attempt, Envelope};
use crate::objects::{self, int};
use crate::stats;

/// An event's scheme, type, body and chat text.
type Payload = (String, Option<String>, Option<Vec<u8>>, Option<String>);

/// At most this many due deliveries are attempted at once from one alarm; the rest next.
const BATCH: i64 = 16;
/// Retention runs at most this often (ms); more often only when the retention is shorter.
const PURGE_EVERY: u64 = 3_600_000;

#[durable_object]
pub struct Ledger {
    state: State,
    env: Env,
    /// Deliveries with an attempt under way in this object (`key` NUL `destination`).
    busy: RefCell<HashSet<String>>,
    /// When retention last ran (ms).
    purged: Cell<u64>,
}

impl DurableObject for Ledger {
    fn new(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        for statement in sql::SCHEMA {
            // A failure here shows again, as a 503, on the first statement that needs it.
            let _ = sql.exec(statement, None);
        }
        Ledger { state, env, busy: RefCell::new(HashSet::new()), purged: Cell::new(0) }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let op = objects::op(&req);
        let bytes = req.bytes().await?;
        let answer = match op.as_str() {
            "take" => self.take(&bytes).await,
            "claim_replay" => self.claim_replay(&parse(&bytes)?),
            "release_replay" => self.release_replay(&parse(&bytes)?),
            "list" => self.list(&parse(&bytes)?),
            "get" => self.get(&parse::<wire::ByKey>(&bytes)?.key),
            "replay" => self.replay(&parse(&bytes)?).await,
            "recover" => self.recover(parse::<wire::Since>(&bytes)?.since).await,
            "sweep" => self.sweep().await.map(|()| Answer::Ok(json!({}))),
            _ => Ok(Answer::Refused(404)),
        };
        answer
            .or_else(|error| {
                worker::console_error!(
                    "{}",
                    json!({ "outcome": "ledger_error", "op": op, "error": error.to_string() })
                );
                Ok::<_, worker::Error>(Answer::Refused(503))
            })?
            .response()
    }

    async fn alarm(&self) -> Result<Response> {
        let now = now_ms();
        let due: Vec<(String, String)> =
            rows(self.sql().exec(sql::DUE, vec![int(now), SqlStorageValue::Integer(BATCH)])?)?;
        let attempts = due.iter().map(|(key, destination)| self.attempt(key, destination));
        for result in futures_util::future::join_all(attempts).await {
            if let Err(error) = result {
                logged_error("retry_error", &error);
            }
        }
        // A failed purge is tried again next time; it never keeps the alarm from being set.
        if now.saturating_sub(self.purged.get()) >= self.purge_every()?
            && let Err(error) = self.purge(now)
        {
            logged_error("purge_error", &error);
        }
        if let Some(at) = self.next_alarm()? {
            self.state.storage().set_alarm(ScheduledTime::new(js_time(at))).await?;
        }
        Response::ok("")
    }
    // No WebSocket handlers: a ledger never accepts a socket, so the runtime never calls them.
}

impl Ledger {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    /// What an event's attempts send: scheme, type, body (gone after retention), chat text.
    fn payload(&self, key: &str) -> Result<Option<Payload>> {
        Ok(rows(self.sql().exec(sql::PAYLOAD, vec![key.into()])?)?.into_iter().next())
    }

    fn settings(&self) -> Result<Rc<Settings>> {
        Settings::load(&self.env).map_err(|refusal| worker::Error::RustError(refusal.code().into()))
    }

    /// Takes the key if no copy took it before, stores the event with a delivery for each
    /// destination that takes it, and makes their first attempts, all at once. Says how many
    /// SQLite rows it wrote (index rows included, as billed).
    async fn take(&self, bytes: &[u8]) -> Result<Answer> {
        let (taking, body) =
            wire::split_take(bytes).ok_or_else(|| worker::Error::RustError("bad take".into()))?;
        let settings = self.settings()?;
        let now = now_ms();
        let sql = self.sql();
        let taken = sql.exec(
            sql::TAKE,
            vec![
                taking.key.as_str().into(),
                taking.scheme.as_str().into(),
                taking.event_type.clone().into(),
                taking.event_id.clone().into(),
                taking.run_id.clone().into(),
                int(now),
                body.to_vec().into(),
                taking.summary.clone().into(),
            ],
        )?;
        let first = !taken.to_array::<Value>()?.is_empty();
        let mut written = taken.rows_written();
        if !first {
            return Ok(Answer::Ok(json!({ "taken": false, "rowsWritten": written })));
        }
        // Stored with its deliveries in the same synchronous turn; the alarm is the safety net
        // if this request dies before its attempts are recorded.
        let lease = now + lease_ms(&settings);
        let destinations: Vec<&Destination> =
            settings.destinations_for(&taking.scheme, taking.event_type.as_deref()).collect();
        for destination in &destinations {
            let pending = sql.exec(
                sql::PENDING,
                vec![taking.key.as_str().into(), destination.name.as_str().into(), int(lease), int(now)],
            );
            match pending {
                Ok(pending) => written += pending.rows_written(),
                Err(error) => {
                    // A failed statement does not undo the others: the event is taken back,
                    // so that the provider's retry (after this 503) finds its key free.
                    for untake in sql::UNTAKE {
                        let _ = sql.exec(untake, vec![taking.key.as_str().into()]);
                    }
                    return Err(error);
                }
            }
        }
        // Only once stored with its deliveries: a key cached before would answer that retry
        // "duplicate".
        let cached = self.cache_taken(&taking.key, &settings);
        if destinations.is_empty() {
            return Ok(Answer::Ok(json!({
                "taken": true, "status": "recorded", "rowsWritten": written, "cached": cached,
            })));
        }
        // Stored: from here on the answer is 200 whatever fails, since a 503 would only bring
        // the provider's retry, answered duplicate. A delivery whose attempt could not be
        // recorded stays pending (its lease runs out); a missing alarm, the sweep sets.
        if let Err(error) = self.alarm_by(lease).await {
            logged_error("alarm_error", &error);
        }
        let sends = destinations.iter().map(|d| self.send(&settings, d, &taking, body));
        let mut statuses = serde_json::Map::new();
        for (destination, sent) in destinations.iter().zip(futures_util::future::join_all(sends).await) {
            let status = sent.map_or_else(
                |error| {
                    logged_error("attempt_error", &error);
                    "pending"
                },
                |(status, rows)| {
                    written += rows;
                    status
                },
            );
            statuses.insert(destination.name.clone(), status.into());
        }
        let overall = ["pending", "failed"]
            .into_iter()
            .find(|s| statuses.values().any(|v| v == s))
            .unwrap_or("delivered");
        Ok(Answer::Ok(json!({
            "taken": true, "status": overall, "deliveries": statuses, "rowsWritten": written, "cached": cached,
        })))
    }

    /// Caches a key just taken in KV, the edge cache, as soon as it is taken rather than after
    /// its first attempt: copies arriving meanwhile are answered there instead of asking here.
    /// The write leaves once the take is stored (the output gate holds it until then). Says
    /// whether there is a KV binding to write to.
    fn cache_taken(&self, key: &str, settings: &Settings) -> bool {
        let Some(cache) = Cache::open(&self.env) else { return false };
        let (key, ttl) = (key.to_string(), settings.dedupe_window);
        self.state.wait_until(async move { cache.remember(&key, ttl).await });
        true
    }

    /// One attempt of a delivery that is due: leased, sent, recorded. A delivery whose
    /// destination is no longer configured fails at once (it is kept, and can be replayed
    /// if the destination comes back).
    async fn attempt(&self, key: &str, destination_name: &str) -> Result<()> {
        let settings = self.settings()?;
        let Some(destination) = settings.destination(destination_name) else {
            let failed =
                vec![key.into(), destination_name.into(), "destination_removed".into(), int(now_ms())];
            self.sql().exec(sql::FAIL, failed)?;
            self.report(&settings, destination_name, false, "failed", key);
            return Ok(());
        };
        let Some((scheme, event_type, Some(body), summary)) = self.payload(key)? else {
            return Ok(());
        };
        let lease = now_ms() + lease_ms(&settings);
        self.sql().exec(sql::LEASE, vec![key.into(), destination_name.into(), int(lease)])?;
        let taking = Taking { key: key.into(), scheme, event_type, summary, ..Taking::default() };
        self.send(&settings, destination, &taking, &body).await.map(|_| ())
    }

    /// Sends one attempt (unless one is under way here) and records it; returns the
    /// delivery's status after it and the rows written. A retry brings the alarm forward if
    /// needed; nothing moves it later here (an early alarm finds nothing due and re-arms).
    async fn send(
        &self,
        settings: &Settings,
        destination: &Destination,
        taking: &Taking,
        body: &[u8],
    ) -> Result<(&'static str, usize)> {
        let busy_key = format!("{}\0{}", taking.key, destination.name);
        if !self.busy.borrow_mut().insert(busy_key.clone()) {
            return Ok(("pending", 0));
        }
        let envelope = Envelope {
            key: &taking.key,
            scheme: &taking.scheme,
            event_type: taking.event_type.as_deref(),
            summary: taking.summary.as_deref(),
        };
        let attempt = forward::attempt(destination, &envelope, body, settings.forward_timeout).await;
        self.busy.borrow_mut().remove(&busy_key);
        let (status, next, written) = self.record(settings, &taking.key, &destination.name, &attempt)?;
        let log = json!({
            "outcome": "attempt", "idempotency_key": taking.key, "destination": destination.name,
            "status": attempt.status, "error": attempt.error, "duration_ms": attempt.duration_ms,
            "delivery": status,
        });
        worker::console_log!("{log}");
        self.report(settings, &destination.name, attempt.delivered(), status, &taking.key);
        if let Some(next) = next {
            self.alarm_by(next).await?;
        }
        Ok((status, written))
    }

    /// Tells the stats (and so the alerts) how a delivery's attempt went, sending now when
    /// they say so.
    fn report(&self, settings: &Settings, destination: &str, delivered: bool, status: &str, key: &str) {
        if let Some(report) = stats::attempted(settings, destination, delivered, status, key) {
            let env = self.env.clone();
            self.state.wait_until(async move { stats::send(&env, report).await });
        }
    }

    /// Writes the attempt and moves the delivery on: delivered, pending again after the next
    /// delay of the schedule (with jitter), or failed once the schedule is spent. Returns the
    /// new status, when the next attempt is due, and the rows written.
    fn record(
        &self,
        settings: &Settings,
        key: &str,
        destination: &str,
        attempt: &Attempt,
    ) -> Result<(&'static str, Option<u64>, usize)> {
        let sql = self.sql();
        let tries: Vec<(i64,)> = rows(sql.exec(sql::TRIES, vec![key.into(), destination.into()])?)?;
        let tries = tries.first().map_or(0, |(t,)| usize::try_from(*t).unwrap_or(0));
        let now = now_ms();
        let (status, next) = match settings.schedule.get(tries) {
            _ if attempt.delivered() => ("delivered", None),
            Some(delay) => ("pending", Some(now + jittered(delay * 1000))),
            None => ("failed", None),
        };
        let moved = sql.exec(
            sql::AFTER_ATTEMPT,
            vec![
                key.into(),
                destination.into(),
                status.into(),
                next.map(int).unwrap_or(SqlStorageValue::Null),
                attempt.status.map(i64::from).into(),
                attempt.error.into(),
                int(attempt.duration_ms),
                int(now),
            ],
        )?;
        // The attempts log is a record, not the schedule: a log row that cannot be written
        // loses only itself. Written first and failing, it held the delivery at its lease, sent
        // again every lease and never counted.
        let logged = sql.exec(
            sql::RECORD_ATTEMPT,
            vec![
                key.into(),
                destination.into(),
                int(attempt.at),
                attempt.status.map(i64::from).into(),
                attempt.error.into(),
                int(attempt.duration_ms),
            ],
        );
        Ok((status, next, moved.rows_written() + logged.map_or(0, |c| c.rows_written())))
    }

    fn list(&self, query: &wire::List) -> Result<Answer> {
        let cursor = query.cursor.clone().unwrap_or_else(Cursor::start);
        let rows: Vec<Row> = self
            .sql()
            .exec(
                &sql::list(),
                vec![
                    query.status.clone().into(),
                    int(cursor.received_at),
                    cursor.key.into(),
                    cursor.destination.into(),
                    SqlStorageValue::Integer(i64::from(query.limit)),
                    query.destination.clone().into(),
                    query.scheme.clone().into(),
                    query.event_type.clone().into(),
                ],
            )?
            .to_array()?;
        Ok(Answer::Ok(json!({ "rows": rows })))
    }

    fn get(&self, key: &str) -> Result<Answer> {
        let sql = self.sql();
        let deliveries: Vec<Row> = sql.exec(&sql::one(), vec![key.into()])?.to_array()?;
        if deliveries.is_empty() {
            return Ok(Answer::Refused(404));
        }
        let attempts: Vec<Value> = sql.exec(sql::ATTEMPTS, vec![key.into()])?.to_array()?;
        let body = self.payload(key)?.and_then(|(_, _, body, _)| body);
        Ok(Answer::Ok(json!({
            "deliveries": deliveries,
            "attempts": attempts,
            "body": body.as_deref().map(String::from_utf8_lossy),
        })))
    }

    /// Makes the event's deliveries (or one destination's) pending again and attempts them
    /// now, even if delivered. Without deliveries yet (no destination took it when it came),
    /// it goes to the destinations that take it now.
    async fn replay(&self, by: &wire::ByKey) -> Result<Answer> {
        let settings = self.settings()?;
        let key = by.key.as_str();
        let kept: Vec<(Option<i64>,)> = rows(self.sql().exec(sql::BODY_KEPT, vec![key.into()])?)?;
        match kept.first() {
            None => return Ok(Answer::Refused(404)),
            Some((Some(0) | None,)) => return Ok(Answer::Refused(410)),
            Some(_) => {}
        }
        let existing: Vec<(String,)> = rows(self.sql().exec(sql::DESTINATIONS, vec![key.into()])?)?;
        let mut names: Vec<String> = existing.into_iter().map(|(name,)| name).collect();
        if names.is_empty()
            && let Some((scheme, event_type, _, _)) = self.payload(key)?
        {
            names =
                settings.destinations_for(&scheme, event_type.as_deref()).map(|d| d.name.clone()).collect();
        }
        if let Some(only) = &by.destination {
            names.retain(|name| name == only);
        }
        names.retain(|name| settings.destination(name).is_some());
        if names.is_empty() {
            return Ok(Answer::Refused(409));
        }
        let now = now_ms();
        let lease = now + lease_ms(&settings);
        for name in &names {
            self.sql().exec(sql::PENDING, vec![key.into(), name.as_str().into(), int(lease), int(now)])?;
        }
        self.alarm_by(lease).await?;
        for result in futures_util::future::join_all(names.iter().map(|name| self.attempt(key, name))).await {
            result?;
        }
        self.get(key)
    }

    /// Records a replay key for an event key, unless it was first seen with another: then the
    /// delivery is a captured one, sent again under a new (unsigned) id.
    fn claim_replay(&self, replay: &wire::Replay) -> Result<Answer> {
        let claimed = self.sql().exec(
            sql::CLAIM_REPLAY,
            vec![replay.key.as_str().into(), replay.event_key.as_str().into(), int(now_ms())],
        )?;
        let first: Vec<(String,)> = rows(claimed)?;
        let owner = first.into_iter().next().map(|(key,)| key).unwrap_or_default();
        Ok(Answer::Ok(json!({ "fresh": owner == replay.event_key })))
    }

    /// Drops a replay key's claim by an event key whose event could not be stored, so that a
    /// copy sent again under another id is not a duplicate of nothing.
    fn release_replay(&self, replay: &wire::Replay) -> Result<Answer> {
        let args = vec![replay.key.as_str().into(), replay.event_key.as_str().into()];
        self.sql().exec(sql::RELEASE_REPLAY, args)?;
        Ok(Answer::Ok(json!({})))
    }

    /// Failed deliveries of events received since `since` (Unix seconds) are due again now.
    async fn recover(&self, since: u64) -> Result<Answer> {
        let now = now_ms();
        let recovered = self.sql().exec(sql::RECOVER, vec![int(now), int(since.saturating_mul(1000))])?;
        let count = recovered.to_array::<Value>()?.len();
        self.alarm_by(now).await?;
        Ok(Answer::Ok(json!({ "recovered": count })))
    }

    fn purge(&self, now: u64) -> Result<()> {
        let settings = self.settings()?;
        let sql = self.sql();
        sql.exec(sql::PURGE_BODIES, vec![int(now.saturating_sub(settings.retention * 1000))])?;
        for statement in sql::PURGE_KEYS {
            sql.exec(statement, vec![int(now.saturating_sub(settings.key_window() * 1000))])?;
        }
        self.purged.set(now);
        Ok(())
    }

    /// When the alarm is next needed: the next due delivery, or retention while anything is
    /// stored.
    fn next_alarm(&self) -> Result<Option<u64>> {
        let next: Vec<(Option<i64>, i64)> = rows(self.sql().exec(sql::NEXT_DUE, None)?)?;
        let Some((due, events)) = next.into_iter().next() else { return Ok(None) };
        let every = self.purge_every()?;
        let retention = (events > 0).then(|| self.purged.get().max(now_ms()) + every);
        Ok(due.and_then(|d| u64::try_from(d).ok()).into_iter().chain(retention).min())
    }

    /// How often retention runs (ms): hourly, or as often as the retention itself if shorter.
    fn purge_every(&self) -> Result<u64> {
        Ok(PURGE_EVERY.min(self.settings()?.retention.saturating_mul(1000)).max(1000))
    }

    /// The scheduled safety net: brings the alarm forward to when it is next needed, never
    /// later (pushed on every sweep, an alarm an hour away would never ring, and retention
    /// would never run).
    async fn sweep(&self) -> Result<()> {
        match self.next_alarm()? {
            Some(at) => self.alarm_by(at).await,
            None => Ok(()),
        }
    }

    /// Brings the alarm forward to `at` if it is later or unset.
    async fn alarm_by(&self, at: u64) -> Result<()> {
        let storage = self.state.storage();
        let current = storage.get_alarm().await?.and_then(|t| u64::try_from(t).ok());
        if current.is_none_or(|current| current > at) {
            storage.set_alarm(ScheduledTime::new(js_time(at))).await?;
        }
        Ok(())
    }
}

/// Logs an error the ledger goes on after.
fn logged_error(outcome: &str, error: &worker::Error) {
    worker::console_error!("{}", json!({ "outcome": outcome, "error": error.to_string() }));
}

/// How long an attempt may take before its delivery is due again.
fn lease_ms(settings: &Settings) -> u64 {
    (settings.forward_timeout + 5) * 1000
}

/// A delay with ±20% jitter, so that retries after an outage do not arrive all at once.
fn jittered(ms: u64) -> u64 {
    let factor = 0.8 + 0.4 * worker::js_sys::Math::random();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let ms = (ms as f64 * factor) as u64;
    ms
}

fn now_ms() -> u64 {
    Date::now().as_millis()
}

fn js_time(ms: u64) -> worker::js_sys::Date {
    #[allow(clippy::cast_precision_loss)]
    let date = worker::js_sys::Date::new(&(ms as f64).into());
    date
}

fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| worker::Error::RustError(e.to_string()))
}

/// Rows as tuples, column by column (for blobs, which serde cannot read as objects).
fn rows<T: FromRow>(cursor: worker::SqlCursor) -> Result<Vec<T>> {
    cursor.raw().map(|row| row.and_then(|values| T::from_row(values))).collect()
}

/// A tuple read from one raw SQL row.
trait FromRow: Sized {
    fn from_row(values: Vec<SqlStorageValue>) -> Result<Self>;
}

trait FromValue: Sized {
    fn from_value(value: SqlStorageValue) -> Option<Self>;
}

impl FromValue for i64 {
    fn from_value(value: SqlStorageValue) -> Option<Self> {
        match value {
            SqlStorageValue::Integer(n) => Some(n),
            SqlStorageValue::Boolean(b) => Some(i64::from(b)),
            _ => None,
        }
    }
}

impl FromValue for String {
    fn from_value(value: SqlStorageValue) -> Option<Self> {
        if let SqlStorageValue::String(s) = value { Some(s) } else { None }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: SqlStorageValue) -> Option<Self> {
        if let SqlStorageValue::Blob(b) = value { Some(b) } else { None }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: SqlStorageValue) -> Option<Self> {
        match value {
            SqlStorageValue::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

fn column<T: FromValue>(values: &mut std::vec::IntoIter<SqlStorageValue>) -> Result<T> {
    values
        .next()
        .and_then(T::from_value)
        .ok_or_else(|| worker::Error::RustError("unexpected SQL column".into()))
}

macro_rules! from_row {
    ($($t:ident),+) => {
        impl<$($t: FromValue),+> FromRow for ($($t,)+) {
            fn from_row(values: Vec<SqlStorageValue>) -> Result<Self> {
                let mut values = values.into_iter();
                Ok(($(column::<$t>(&mut values)?,)+))
            }
        }
    };
}
from_row!(A);
from_row!(A, B);
from_row!(A, B, C);
from_row!(A, B, C, D);
