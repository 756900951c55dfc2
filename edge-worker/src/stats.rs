//! What happened, counted per minute, and the alerts that follow from it.
//!
//! Each isolate counts its webhooks (accepted, duplicate, refused by scheme and code) in
//! memory and flushes the counts to one `Stats` Durable Object at most every
//! `STATS_FLUSH_SECONDS`, after the answer (`wait_until`): the webhook path never waits for it.
//! The ledger reports delivery attempts the same way: a delivered one (which only ends the
//! destination's failure streak) waits for the next flush, unless it ends failures this
//! isolate reported; a failed one goes at once, after what this isolate still holds, so the
//! object sees one isolate's attempts in order.
//!
//! The object keeps a day of per-minute counts, the origin's failures in a row per
//! destination, and sends alerts to `ALERT_URL` (at most one per kind and route per
//! cooldown); an alert that cannot be sent is logged and never touches a webhook.

// The `#[durable_object]` macro generates public, undocumented wasm-bindgen glue.
#![allow(missing_docs)]

use core::cell::{Cell, RefCell};
use std::collections::HashMap;

use hookguard::{Scheme, Verifier};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use worker::wasm_bindgen;
use worker::{
    Context, DurableObject, Env, Request, Response, Result, SqlStorage, SqlStorageValue, State,
    durable_object,
};

use crate::chat;
use crate::clock;
use crate::config::{STATS_BINDING, Settings, text};
use crate::forward;
use crate::objects::{self, int};

/// Counts are kept per minute, for a day.
const MINUTE: u64 = 60_000;
const DAY: u64 = 24 * 60 * MINUTE;
/// The window of the refused-signatures rule.
const REJECT_WINDOW: u64 = 5 * MINUTE;
/// The chart's interval.
const INTERVAL: u64 = 5 * MINUTE;

const SCHEMA: [&str; 3] = [
    "CREATE TABLE IF NOT EXISTS counts (
        minute INTEGER NOT NULL, kind TEXT NOT NULL, scheme TEXT NOT NULL, code TEXT NOT NULL,
        n INTEGER NOT NULL, PRIMARY KEY (minute, kind, scheme, code))",
    "CREATE TABLE IF NOT EXISTS streaks (destination TEXT PRIMARY KEY, failures INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS alerts (kind TEXT NOT NULL, route TEXT NOT NULL, sent_at INTEGER NOT NULL,
        PRIMARY KEY (kind, route))",
];
const ADD: &str = "INSERT INTO counts (minute, kind, scheme, code, n) VALUES (?1, ?2, ?3, ?4, ?5)
    ON CONFLICT (minute, kind, scheme, code) DO UPDATE SET n = n + excluded.n";
const SINCE: &str = "SELECT minute, kind, scheme, code, n FROM counts WHERE minute >= ?1";
const REFUSED_SIGNATURES: &str = "SELECT COALESCE(SUM(n), 0) FROM counts
    WHERE kind = 'refused' AND scheme = ?1 AND code IN ('invalid_signature', 'missing_signature', 'malformed_signature')
        AND minute >= ?2";
const FORGET: &str = "DELETE FROM counts WHERE minute < ?1";
const FAILED_ATTEMPT: &str = "INSERT INTO streaks (destination, failures) VALUES (?1, 1)
    ON CONFLICT (destination) DO UPDATE SET failures = failures + 1 RETURNING failures";
const DELIVERED_ATTEMPT: &str = "DELETE FROM streaks WHERE destination = ?1";
/// Claims the right to send an alert of kind `?1` for route `?2`: a row back if the last one
/// was sent before `?4` (the cooldown), or never.
const MAY_ALERT: &str = "INSERT INTO alerts (kind, route, sent_at) VALUES (?1, ?2, ?3)
    ON CONFLICT (kind, route) DO UPDATE SET sent_at = excluded.sent_at WHERE alerts.sent_at < ?4
    RETURNING kind";

/// What the isolate or the ledger tells the stats object.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Report {
    /// `(kind, scheme, code, count)`: kind `accepted`, `duplicate` or `refused`.
    counts: Vec<(String, String, String, u64)>,
    /// Destinations that had a delivered attempt since the last report: their failure streaks
    /// end, before `failure` counts.
    #[serde(default)]
    delivered: Vec<String>,
    /// One failed attempt: destination, the delivery's status after it, idempotency key.
    failure: Option<(String, String, String)>,
}

thread_local! {
    /// Counts by `(kind, scheme, code)`: names the code has, so counting allocates nothing.
    static PENDING: RefCell<HashMap<(&'static str, &'static str, &'static str), u64>> = RefCell::new(HashMap::new());
    /// Destinations this isolate had a delivered attempt to since its last report.
    static DELIVERED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// Destinations this isolate reported a failed attempt to since its last delivered one.
    static FAILING: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    static FLUSHED: Cell<u64> = const { Cell::new(0) };
}

/// Counts one webhook in this isolate (`accepted`, `duplicate`, or `refused` with its code)
/// and, when a flush is due, sends the isolate's counts after the answer.
pub fn tally(env: &Env, ctx: &Context, scheme: Scheme, kind: &'static str, code: &'static str) {
    PENDING.with(|pending| {
        *pending.borrow_mut().entry((kind, scheme.name(), code)).or_insert(0) += 1;
    });
    if let Ok(settings) = Settings::load(env)
        && let Some(report) = due(&settings, false, None)
    {
        let env = env.clone();
        ctx.wait_until(async move { send(&env, report).await });
    }
}

/// Notes one delivery attempt to `destination`; returns the report to send now, if any: at
/// once for a failed attempt, and for a delivered one that ends failures this isolate
/// reported (a ledger object's isolate may be gone before its next flush); otherwise at the
/// next flush.
pub fn attempted(
    settings: &Settings,
    destination: &str,
    delivered: bool,
    status: &str,
    key: &str,
) -> Option<Value> {
    if !delivered {
        FAILING.with(|f| note(&mut f.borrow_mut(), destination));
        return due(settings, true, Some((destination.into(), status.into(), key.into())));
    }
    DELIVERED.with(|d| note(&mut d.borrow_mut(), destination));
    let ends_failures = FAILING.with(|f| {
        let mut f = f.borrow_mut();
        let before = f.len();
        f.retain(|name| name != destination);
        f.len() < before
    });
    due(settings, ends_failures, None)
}

/// Adds `destination` to `list` unless it is there.
fn note(list: &mut Vec<String>, destination: &str) {
    if !list.iter().any(|name| name == destination) {
        list.push(destination.into());
    }
}

/// What this isolate holds, to send: `now`, or once the last flush is old enough
/// (`STATS_FLUSH_SECONDS`), if there is anything to send.
fn due(settings: &Settings, now: bool, failure: Option<(String, String, String)>) -> Option<Value> {
    let at = clock::now_ms();
    if !now && at.saturating_sub(FLUSHED.get()) < settings.alerts.flush_seconds * 1000 {
        return None;
    }
    let counts: Vec<(String, String, String, u64)> = PENDING.with(|pending| {
        let mut pending = pending.borrow_mut();
        pending
            .drain()
            .map(|((kind, scheme, code), n)| (kind.into(), scheme.into(), code.into(), n))
            .collect()
    });
    let delivered = DELIVERED.with(|d| core::mem::take(&mut *d.borrow_mut()));
    if counts.is_empty() && delivered.is_empty() && failure.is_none() {
        return None;
    }
    FLUSHED.set(at);
    serde_json::to_value(Report { counts, delivered, failure }).ok()
}

/// Sends a report to the stats object; a failure is logged (the counts are lost, nothing else).
pub async fn send(env: &Env, report: Value) {
    let sent =
        objects::call(env, STATS_BINDING, "stats", "report", Some(report.to_string().as_bytes())).await;
    if !sent.is_ok_and(|response| response.status_code() == 200) {
        worker::console_error!("{}", json!({ "outcome": "stats_unavailable" }));
    }
}

/// The counts of the last hour and day, and the chart's series (`GET /api/v2/stats`).
pub async fn read(env: &Env) -> core::result::Result<Value, crate::reply::Refusal> {
    let call = objects::call(env, STATS_BINDING, "stats", "read", None);
    let mut response = call.await.map_err(|_| crate::reply::Refusal::StorageUnavailable)?;
    response.json().await.map_err(|_| crate::reply::Refusal::StorageUnavailable)
}

#[durable_object]
pub struct Stats {
    state: State,
    env: Env,
}

impl DurableObject for Stats {
    fn new(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        for statement in SCHEMA {
            // A failure here shows again on the first statement that needs the table.
            let _ = sql.exec(statement, None);
        }
        Stats { state, env }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let now = clock::now_ms();
        if objects::op(&req) == "read" {
            return Response::from_json(&self.summary(now)?);
        }
        let report: Report = req.json().await?;
        let sql = self.sql();
        let minute = now / MINUTE * MINUTE;
        for (kind, scheme, code, n) in &report.counts {
            sql.exec(
                ADD,
                vec![
                    int(minute),
                    kind.as_str().into(),
                    scheme.as_str().into(),
                    code.as_str().into(),
                    int(*n),
                ],
            )?;
        }
        sql.exec(FORGET, vec![int(now.saturating_sub(DAY))])?;
        let mut alerts = Vec::new();
        for scheme in report.counts.iter().filter(|c| c.0 == "refused").map(|c| c.1.as_str()) {
            alerts.extend(self.refused_alert(scheme, now)?);
        }
        for destination in &report.delivered {
            sql.exec(DELIVERED_ATTEMPT, vec![destination.as_str().into()])?;
        }
        if let Some((destination, status, key)) = &report.failure {
            alerts.extend(self.failure_alerts(destination, status, key, now)?);
        }
        for (kind, route, text) in alerts {
            self.alert(kind, &route, &text, now).await;
        }
        Response::ok("")
    }
}

impl Stats {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    fn settings(&self) -> Result<std::rc::Rc<Settings>> {
        Settings::load(&self.env).map_err(|refusal| worker::Error::RustError(refusal.code().into()))
    }

    /// Refused signatures on `scheme`'s route over the threshold within five minutes.
    fn refused_alert(&self, scheme: &str, now: u64) -> Result<Option<(&'static str, String, String)>> {
        let threshold = self.settings()?.alerts.reject_threshold;
        let since = (now.saturating_sub(REJECT_WINDOW)) / MINUTE * MINUTE;
        let sum: Vec<Vec<SqlStorageValue>> = self
            .sql()
            .exec(REFUSED_SIGNATURES, vec![scheme.into(), int(since)])?
            .raw()
            .collect::<Result<_>>()?;
        let refused = match sum.first().and_then(|row| row.first()) {
            Some(SqlStorageValue::Integer(n)) => u64::try_from(*n).unwrap_or(0),
            _ => 0,
        };
        Ok((refused > threshold).then(|| {
            let text = format!(
                "hookguard: {refused} webhooks refused for their signature on /webhooks/{scheme} in 5 minutes \
                 (threshold {threshold}): a secret mismatch, or someone probing the route"
            );
            ("refused_signatures", scheme.to_string(), text)
        }))
    }

    /// After a failed attempt: the origin failing too many attempts in a row; a delivery that
    /// exhausted its schedule.
    fn failure_alerts(
        &self,
        destination: &str,
        status: &str,
        key: &str,
        now: u64,
    ) -> Result<Vec<(&'static str, String, String)>> {
        let mut alerts = Vec::new();
        let streak: Vec<Value> = self.sql().exec(FAILED_ATTEMPT, vec![destination.into()])?.to_array()?;
        let failures = streak.first().and_then(|row| row["failures"].as_u64()).unwrap_or(0);
        let limit = self.settings()?.alerts.origin_failures;
        if failures >= limit {
            let text =
                format!("hookguard: {failures} attempts in a row to destination {destination} have failed");
            alerts.push(("origin_failing", destination.to_string(), text));
        }
        if status == "failed" {
            let minute = now / MINUTE * MINUTE;
            self.sql()
                .exec(ADD, vec![int(minute), "failed".into(), destination.into(), "".into(), int(1)])?;
            let text = format!(
                "hookguard: delivery {key} to {destination} failed for good (every attempt of its \
                 schedule, or its destination was removed); replay it from the dashboard or POST \
                 /api/v2/deliveries/{{key}}/replay"
            );
            alerts.push(("delivery_failed", destination.to_string(), text));
        }
        Ok(alerts)
    }

    /// Sends an alert unless one of its kind and route went out within the cooldown.
    async fn alert(&self, kind: &str, route: &str, text: &str, now: u64) {
        let Ok(settings) = self.settings() else { return };
        let Some(url) = &settings.alerts.url else { return };
        let cooldown = now.saturating_sub(settings.alerts.cooldown_seconds * 1000);
        let claimed = self
            .sql()
            .exec(MAY_ALERT, vec![kind.into(), route.into(), int(now), int(cooldown)])
            .and_then(|c| c.to_array::<Value>());
        if !matches!(claimed, Ok(rows) if !rows.is_empty()) {
            return;
        }
        let signer = text_secret(&self.env);
        let sent = post(url, signer.as_ref(), &format!("alert:{kind}:{route}:{now}"), text).await;
        let log = json!({ "outcome": "alert", "kind": kind, "route": route, "error": sent.err() });
        worker::console_log!("{log}");
    }

    fn summary(&self, now: u64) -> Result<Value> {
        let rows: Vec<Vec<SqlStorageValue>> =
            self.sql().exec(SINCE, vec![int(now.saturating_sub(DAY))])?.raw().collect::<Result<_>>()?;
        let mut hour = Totals::default();
        let mut day = Totals::default();
        let mut refused: HashMap<(String, String), (u64, u64)> = HashMap::new();
        let first = (now.saturating_sub(2 * 3600 * 1000)) / INTERVAL * INTERVAL;
        let mut series: Vec<Totals> = (0..=(now / INTERVAL * INTERVAL - first) / INTERVAL)
            .map(|i| Totals { at: (first + i * INTERVAL) / 1000, ..Totals::default() })
            .collect();
        for row in rows {
            let [
                SqlStorageValue::Integer(minute),
                SqlStorageValue::String(kind),
                SqlStorageValue::String(scheme),
                SqlStorageValue::String(code),
                SqlStorageValue::Integer(n),
            ] = row.as_slice()
            else {
                continue;
            };
            let (minute, n) = (u64::try_from(*minute).unwrap_or(0), u64::try_from(*n).unwrap_or(0));
            let in_hour = minute + 3600 * 1000 > now;
            day.add(kind, n);
            if in_hour {
                hour.add(kind, n);
            }
            if kind == "refused" {
                let entry = refused.entry((scheme.clone(), code.clone())).or_default();
                entry.1 += n;
                if in_hour {
                    entry.0 += n;
                }
            }
            if minute >= first
                && let Some(slot) =
                    series.get_mut(usize::try_from((minute - first) / INTERVAL).unwrap_or(usize::MAX))
            {
                slot.add(kind, n);
            }
        }
        let mut refused: Vec<Value> = refused
            .into_iter()
            .map(|((scheme, code), (hour, day))| json!({ "scheme": scheme, "code": code, "hour": hour, "day": day }))
            .collect();
        refused.sort_by_key(|r| core::cmp::Reverse(r["day"].as_u64()));
        Ok(json!({
            "hour": hour, "day": day, "refused": refused,
            "intervalSeconds": INTERVAL / 1000, "series": series,
        }))
    }
}

/// Counts of one period.
#[derive(Debug, Default, Serialize)]
struct Totals {
    /// Unix seconds the interval starts at (the chart's series only).
    #[serde(skip_serializing_if = "is_zero")]
    at: u64,
    accepted: u64,
    duplicate: u64,
    refused: u64,
    failed: u64,
}

impl Totals {
    fn add(&mut self, kind: &str, n: u64) {
        match kind {
            "accepted" => self.accepted += n,
            "duplicate" => self.duplicate += n,
            "refused" => self.refused += n,
            "failed" => self.failed += n,
            _ => {}
        }
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// `FORWARD_SECRET` signs alerts when it is set.
fn text_secret(env: &Env) -> Option<Verifier> {
    Verifier::new(Scheme::STANDARD, &[text(env, "FORWARD_SECRET")?]).ok()
}

/// POSTs `{"text": ...}` (Slack's incoming-webhook shape), signed if a key is given; never
/// follows a redirect; gives up after 5 s.
async fn post(
    url: &str,
    signer: Option<&Verifier>,
    id: &str,
    text: &str,
) -> core::result::Result<u16, String> {
    let body = chat::message(text);
    let now = clock::now_ms() / 1000;
    match forward::post(url, signer, id, body.as_bytes(), &[], 5, now).await {
        Ok(status @ 200..=299) => Ok(status),
        Ok(status) => Err(format!("status {status}")),
        Err(why) => Err(why.into()),
    }
}
