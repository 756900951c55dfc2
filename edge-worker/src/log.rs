//! One JSON log line per request: outcome, scheme, event, idempotency key, duration. Never a
//! secret, never a body.

use hookguard::{Event, Scheme};
use serde_json::{Map, Value, json};
use worker::Request;

use crate::Reject;

pub struct LogLine {
    fields: Map<String, Value>,
}

impl LogLine {
    pub fn new(req: &Request) -> Self {
        let mut fields = Map::new();
        fields.insert("method".into(), json!(req.method().as_ref()));
        fields.insert("path".into(), json!(crate::path_of(req)));
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

    pub fn reject(&mut self, reject: Reject) {
        if !self.fields.contains_key("outcome") {
            self.outcome("rejected", Some(reject.code));
        }
    }

    pub fn emit(mut self, status: u16, duration_ms: u64) {
        self.fields.insert("status".into(), json!(status));
        self.fields.insert("duration_ms".into(), json!(duration_ms));
        self.fields.entry("outcome").or_insert_with(|| json!("ok"));
        worker::console_log!("{}", Value::Object(self.fields));
    }
}
