//! Idempotency marks, event summaries and run statuses in Workers KV.
//!
//! KV has no compare-and-set and is eventually consistent, so across Cloudflare locations
//! deduplication is best-effort. Within one isolate it is exact: a set of keys in flight is
//! checked and claimed without an `await` in between (an isolate runs one task at a time).

use core::cell::RefCell;
use std::collections::HashSet;

use hookguard::{Event, Scheme};
use serde_json::{Value, json};
use worker::{Env, KvStore};

use crate::Reject;
use crate::config::{KV_BINDING, Ttls};

/// Marks live under two keys, because Workers KV allows one write per key per second: the
/// in-flight mark and the done mark of one delivery are written milliseconds apart.
const IN_FLIGHT: &str = "inflight:";
const DONE: &str = "done:";
/// KV keys are at most 512 bytes; longer run ids are not recorded.
const MAX_RUN_ID: usize = 256;

thread_local! {
    static CLAIMED: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
}

/// What the store says about a delivery.
pub enum Begin {
    /// First seen: this request owns it until [`Store::finish`] or [`Store::abort`].
    Started(Claim),
    /// Already recorded and forwarded.
    Done,
    /// Another request is processing it right now.
    InFlight,
}

/// Ownership of one idempotency key in this isolate; dropping it releases the key.
pub struct Claim {
    key: String,
}

impl Drop for Claim {
    fn drop(&mut self) {
        CLAIMED.with(|claimed| claimed.borrow_mut().remove(&self.key));
    }
}

pub struct Store {
    kv: KvStore,
    ttls: Ttls,
}

fn unavailable<E>(_: E) -> Reject {
    Reject::STORAGE_UNAVAILABLE
}

impl Store {
    pub fn open(env: &Env, ttls: &Ttls) -> Result<Self, Reject> {
        let kv = env.kv(KV_BINDING).map_err(|_| Reject::NOT_CONFIGURED)?;
        Ok(Store { kv, ttls: *ttls })
    }

    /// Checks `key` in KV, claims it in this isolate, and marks it in flight.
    ///
    /// The done mark is read before the claim, so that repeats of a finished delivery answer
    /// "duplicate" even while another repeat is being checked; the claim then keeps two
    /// requests of this isolate from processing one delivery at once.
    pub async fn begin(&self, key: &str) -> Result<Begin, Reject> {
        if self.kv.get(&format!("{DONE}{key}")).text().await.map_err(unavailable)?.is_some() {
            return Ok(Begin::Done);
        }
        let fresh = CLAIMED.with(|claimed| claimed.borrow_mut().insert(key.to_string()));
        if !fresh {
            return Ok(Begin::InFlight);
        }
        let claim = Claim { key: key.to_string() };
        // A delivery that finished since the check above still has its in-flight mark.
        if self.kv.get(&format!("{IN_FLIGHT}{key}")).text().await.map_err(unavailable)?.is_some() {
            return Ok(Begin::InFlight);
        }
        self.put(&format!("{IN_FLIGHT}{key}"), "1", self.ttls.in_flight).await?;
        Ok(Begin::Started(claim))
    }

    /// Marks the delivery done: repeats now answer "duplicate" and are not forwarded.
    /// The in-flight mark is left to expire: deleting it would be a second write to its key
    /// within the second, and the done mark is read first.
    pub async fn finish(&self, claim: Claim) -> Result<(), Reject> {
        self.put(&format!("{DONE}{}", claim.key), "1", self.ttls.done).await
    }

    /// Removes the in-flight mark so that the provider's retry is processed in full.
    pub async fn abort(&self, claim: Claim) {
        // If this fails too, the mark expires after the in-flight TTL.
        let _ = self.kv.delete(&format!("{IN_FLIGHT}{}", claim.key)).await;
    }

    /// Records the event's summary and, for a Trigger.dev run, its latest status.
    pub async fn record(&self, scheme: Scheme, event: &Event<'_>, now: u64) -> Result<(), Reject> {
        let key = event.idempotency_key.as_str();
        let summary = json!({
            "scheme": scheme.name(),
            "type": event.event_type,
            "id": event.id,
            "created": event.created,
            "runId": event.run_id,
            "runStatus": event.run_status,
            "idempotencyKey": key,
            "receivedAt": now,
        });
        self.put(&format!("event:{key}"), &summary.to_string(), self.ttls.record).await?;
        // Run statuses are Trigger.dev's: other schemes' senders cannot overwrite them.
        let run_id = event.run_id.filter(|id| scheme == Scheme::Trigger && id.len() <= MAX_RUN_ID);
        if let Some(run_id) = run_id {
            let run = json!({
                "runId": run_id,
                "status": event.run_status,
                "number": event.run_number,
                "taskId": event.task_id,
                "type": event.event_type,
                "eventId": event.id,
                "errorMessage": event.error_message,
                "updatedAt": now,
            });
            self.put(&format!("run:{run_id}"), &run.to_string(), self.ttls.record).await?;
        }
        Ok(())
    }

    /// The last status recorded for a run.
    pub async fn run(&self, run_id: &str) -> Result<Option<Value>, Reject> {
        let text = self.kv.get(&format!("run:{run_id}")).text().await.map_err(unavailable)?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    async fn put(&self, key: &str, value: &str, ttl: u64) -> Result<(), Reject> {
        let put = self.kv.put(key, value).map_err(unavailable)?;
        put.expiration_ttl(ttl).execute().await.map_err(unavailable)
    }
}
