//! One JSON log line per request: outcome, scheme, event, idempotency key, duration. Never a
//! secret, never a body.

use hookguard::{Event, Scheme};
use serde_json::{Map, Value, json};
use worker::Method;

use crate::reply::{Refusal, path_and_query};

pub struct LogLine {
    fields: Map<String, Value>,
}

impl LogLine {
    pub fn new(method: &Method, url: &str) -> Self {
        let mut fields = Map::new();
        fields.insert("method".into(), json!(method.as_ref()));
        fields.insert("path".into(), json!(path_and_query(url).0));
        LogLine { fields }
    }

    pub fn scheme(&mut self, scheme: Scheme) {
        self.fields.insert("scheme".into(), json!(scheme.name()));
    }

    pub fn event(&mut self, event: &Event<'_>) {
        self.fields.insert("event_type".into(), json!(event.event_type));
        self.fields.insert("event_id".into(), json!(event.id));
        self.fields.insert("idempotency_key".into(), json!(event.idempotency_key.as_str()));
    }

    pub fn outcome(&mut self, outcome: &str, code: Option<&str>) {
        self.fields.insert("outcome".into(), json!(outcome));
        if let Some(code) = code {
            self.fields.insert("code".into(), json!(code));
        }
    }

    /// The outcome said so far (`accepted`, `duplicate`, ...), or `accepted`.
    pub fn outcome_name(&self) -> &str {
        self.fields.get("outcome").and_then(Value::as_str).unwrap_or("accepted")
    }

    pub fn refusal(&mut self, refusal: Refusal) {
        if !self.fields.contains_key("outcome") {
            self.outcome("rejected", Some(refusal.code()));
        }
    }

    /// Something that went wrong after the answer was settled (the answer stands).
    pub fn note(&mut self, note: &str) {
        self.fields.insert("note".into(), json!(note));
    }

    /// Storage operations this request made (`kv_reads`, `kv_writes`, `ledger_requests`,
    /// `run_requests`, `sql_rows_written`): what an event costs, measured.
    pub fn cost(&mut self, what: &str, count: u64) {
        self.fields.insert(what.into(), json!(count));
    }

    /// The delivery's status after the ledger's first attempt.
    pub fn delivery(&mut self, status: &str) {
        self.fields.insert("delivery".into(), json!(status));
    }

    pub fn emit(mut self, status: u16, duration_ms: u64) {
        self.fields.insert("status".into(), json!(status));
        self.fields.insert("duration_ms".into(), json!(duration_ms));
        self.fields.entry("outcome").or_insert_with(|| json!("ok"));
        worker::console_log!("{}", Value::Object(self.fields));
    }
}
