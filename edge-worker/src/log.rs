//! One JSON log line per request: outcome, scheme, event, idempotency key, storage operations,
//! duration. Never a secret, never a body.
//!
//! The line is a struct, serialized once when the request ends, not a JSON map built field
//! by field (a `String` key and a `Value` for each). Costs add up: a request that asks the
//! ledger twice says so.

use hookguard::{Event, Scheme};
use serde::Serialize;
use worker::Method;

use crate::reply::{Refusal, path_and_query};

#[derive(Serialize)]
pub struct LogLine {
    method: String,
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheme: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    idempotency_key: Option<String>,
    outcome: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery: Option<String>,
    #[serde(flatten)]
    costs: Costs,
    status: u16,
    duration_ms: u64,
}

/// Storage operations one request made: what an event costs, measured. Zero is left out.
#[derive(Default, Serialize)]
struct Costs {
    #[serde(skip_serializing_if = "is_zero")]
    kv_reads: u64,
    #[serde(skip_serializing_if = "is_zero")]
    kv_writes: u64,
    #[serde(skip_serializing_if = "is_zero")]
    ledger_requests: u64,
    #[serde(skip_serializing_if = "is_zero")]
    run_requests: u64,
    #[serde(skip_serializing_if = "is_zero")]
    sql_rows_written: u64,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde passes a reference
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A storage operation counted in the line.
#[derive(Clone, Copy)]
pub enum Cost {
    KvRead,
    KvWrite,
    LedgerRequest,
    RunRequest,
    SqlRowsWritten,
}

impl LogLine {
    pub fn new(method: &Method, url: &str) -> Self {
        LogLine {
            method: method.as_ref().into(),
            path: path_and_query(url).0.into(),
            scheme: None,
            event_type: None,
            event_id: None,
            idempotency_key: None,
            outcome: None,
            code: None,
            note: None,
            delivery: None,
            costs: Costs::default(),
            status: 0,
            duration_ms: 0,
        }
    }

    pub fn scheme(&mut self, scheme: Scheme) {
        self.scheme = Some(scheme.name());
    }

    pub fn event(&mut self, event: &Event<'_>) {
        self.event_type = event.event_type.map(Into::into);
        self.event_id = event.id.map(Into::into);
        self.idempotency_key = Some(event.idempotency_key.as_str().into());
    }

    pub fn outcome(&mut self, outcome: &'static str, code: Option<&'static str>) {
        self.outcome = Some(outcome);
        self.code = code.or(self.code);
    }

    /// The outcome said so far (`accepted`, `duplicate`, ...), or `accepted`.
    pub fn outcome_name(&self) -> &'static str {
        self.outcome.unwrap_or("accepted")
    }

    pub fn refusal(&mut self, refusal: Refusal) {
        if self.outcome.is_none() {
            self.outcome("rejected", Some(refusal.code()));
        }
    }

    /// Something that went wrong after the answer was settled (the answer stands).
    pub fn note(&mut self, note: &'static str) {
        self.note = Some(note);
    }

    /// Adds `count` operations of one kind to what this request cost.
    pub fn cost(&mut self, cost: Cost, count: u64) {
        let costs = &mut self.costs;
        let slot = match cost {
            Cost::KvRead => &mut costs.kv_reads,
            Cost::KvWrite => &mut costs.kv_writes,
            Cost::LedgerRequest => &mut costs.ledger_requests,
            Cost::RunRequest => &mut costs.run_requests,
            Cost::SqlRowsWritten => &mut costs.sql_rows_written,
        };
        *slot += count;
    }

    /// The delivery's status after the ledger's first attempt.
    pub fn delivery(&mut self, status: &str) {
        self.delivery = Some(status.into());
    }

    pub fn emit(mut self, status: u16, duration_ms: u64) {
        self.status = status;
        self.duration_ms = duration_ms;
        self.outcome = self.outcome.or(Some("ok"));
        if let Ok(line) = serde_json::to_string(&self) {
            worker::console_log!("{line}");
        }
    }
}
