//! The delivery ledger: SQLite Durable Objects that take each idempotency key once, store
//! the event, and deliver it to its destination with retries on their own schedule.
//!
//! Keys are spread over `LEDGER_SHARDS` objects (`ledger-0`, `ledger-1`, ...) by a hash of
//! the key, so every copy of a delivery, from anywhere, meets the same object.

mod object;
mod sql;
mod wire;

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use worker::Env;

pub use object::Ledger;
pub use wire::{Cursor, Row, Taking};

use crate::config::{LEDGER_BINDING, Settings};
use crate::objects;
use crate::reply::Refusal;

/// What the ledger said about a verified event, and the SQLite rows it wrote for it.
pub struct Taken {
    /// `None`: some copy took the key before. Otherwise this copy was the first: stored,
    /// with its first attempt made, and this is the delivery's status after it.
    pub status: Option<String>,
    pub rows_written: u64,
    /// Whether the ledger cached the key in KV (it does as soon as it takes it).
    pub cached: bool,
}

/// Which deliveries a listing shows.
#[derive(Default)]
pub struct Filter {
    pub status: Option<String>,
    pub destination: Option<String>,
    pub scheme: Option<String>,
    pub event_type: Option<String>,
}

/// A page of deliveries across every shard, newest first.
pub struct Page {
    pub rows: Vec<Row>,
    pub next: Option<Cursor>,
}

/// The Worker's handle on the ledger objects.
pub struct Client {
    env: Env,
    shards: u32,
}

impl Client {
    pub fn open(env: &Env, settings: &Settings) -> Result<Self, Refusal> {
        env.durable_object(LEDGER_BINDING).map_err(|_| Refusal::NotConfigured)?;
        Ok(Client { env: env.clone(), shards: settings.shards })
    }

    /// Offers the event: the first copy of a key is stored (before this returns) and
    /// attempted; every other copy is a duplicate.
    ///
    /// # Errors
    /// `StorageUnavailable` if the ledger did not store it: nothing was taken, the provider
    /// should retry.
    pub async fn take(&self, taking: &Taking, body: &[u8]) -> Result<Taken, Refusal> {
        let answer: Value =
            self.call(self.shard_of(&taking.key), "take", &wire::join_take(taking, body)).await?;
        let status = answer["status"].as_str().unwrap_or("pending").to_string();
        Ok(Taken {
            status: (answer["taken"] == json!(true)).then_some(status),
            rows_written: answer["rowsWritten"].as_u64().unwrap_or(0),
            cached: answer["cached"] == json!(true),
        })
    }

    /// Claims `replay` (a key over the signed body) for the event key `key`, in the replay
    /// key's own shard: `false` if it was first seen with another key (a captured delivery
    /// under a new id). Claiming again for the same key is `true`, so a retry after a failed
    /// take goes on.
    ///
    /// # Errors
    /// `StorageUnavailable` if the ledger did not answer.
    pub async fn claim_replay(&self, replay: &str, key: &str) -> Result<bool, Refusal> {
        let answer: Value = self.replay_call("claim_replay", replay, key).await?;
        Ok(answer["fresh"] == json!(true))
    }

    /// Drops `key`'s claim of `replay` (its event could not be stored).
    pub async fn release_replay(&self, replay: &str, key: &str) -> Result<(), Refusal> {
        self.replay_call::<Value>("release_replay", replay, key).await.map(|_| ())
    }

    async fn replay_call<T: DeserializeOwned>(
        &self,
        op: &str,
        replay: &str,
        key: &str,
    ) -> Result<T, Refusal> {
        let body = serde_json::to_vec(&wire::Replay { key: replay.into(), event_key: key.into() })
            .unwrap_or_default();
        self.call(self.shard_of(replay), op, &body).await
    }

    /// Up to `limit` deliveries after `cursor`, newest first, from every shard, optionally of
    /// one status and one destination.
    pub async fn list(&self, filter: Filter, limit: u32, cursor: Option<Cursor>) -> Result<Page, Refusal> {
        let list = wire::List {
            status: filter.status,
            destination: filter.destination,
            scheme: filter.scheme,
            event_type: filter.event_type,
            limit: limit + 1,
            cursor,
        };
        let body = serde_json::to_vec(&list).unwrap_or_default();
        let calls = (0..self.shards).map(|shard| {
            let body = body.clone();
            async move {
                let answer: Value = self.call(shard, "list", &body).await?;
                serde_json::from_value::<Vec<Row>>(answer["rows"].clone())
                    .map_err(|_| Refusal::StorageUnavailable)
            }
        });
        let mut rows = Vec::new();
        for shard in futures_util::future::join_all(calls).await {
            rows.extend(shard?);
        }
        rows.sort_by(|a, b| Cursor::of(b).order().cmp(&Cursor::of(a).order()));
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next = if more { rows.last().map(Cursor::of) } else { None };
        Ok(Page { rows, next })
    }

    /// One event's deliveries and every attempt.
    pub async fn get(&self, key: &str) -> Result<Value, Refusal> {
        self.by_key("get", key, None).await
    }

    /// Sends the event again now, even if delivered: to every destination it has, or one.
    pub async fn replay(&self, key: &str, destination: Option<String>) -> Result<Value, Refusal> {
        self.by_key("replay", key, destination).await
    }

    /// Makes every failed delivery received since `since` (Unix seconds) due again now.
    pub async fn recover(&self, since: u64) -> Result<u64, Refusal> {
        let body = serde_json::to_vec(&wire::Since { since }).unwrap_or_default();
        let mut recovered = 0;
        for shard in 0..self.shards {
            let answer: Value = self.call(shard, "recover", &body).await?;
            recovered += answer["recovered"].as_u64().unwrap_or(0);
        }
        Ok(recovered)
    }

    /// Brings every shard's alarm forward to when it is next needed (the scheduled safety net
    /// for lost alarms). A shard that fails does not stop the others; the first failure is
    /// the answer.
    pub async fn sweep(&self) -> Result<(), Refusal> {
        let mut answer = Ok(());
        for shard in 0..self.shards {
            let swept: Result<Value, Refusal> = self.call(shard, "sweep", b"{}").await;
            answer = answer.and(swept.map(drop));
        }
        answer
    }

    async fn by_key(&self, op: &str, key: &str, destination: Option<String>) -> Result<Value, Refusal> {
        let body = serde_json::to_vec(&wire::ByKey { key: key.into(), destination }).unwrap_or_default();
        self.call(self.shard_of(key), op, &body).await
    }

    fn shard_of(&self, key: &str) -> u32 {
        u32::try_from(fnv1a(key.as_bytes()) % u64::from(self.shards)).unwrap_or(0)
    }

    /// Calls shard `shard`'s object; its refusals come back by status.
    async fn call<T: DeserializeOwned>(&self, shard: u32, op: &str, body: &[u8]) -> Result<T, Refusal> {
        let name = format!("ledger-{shard}");
        let call = objects::call(&self.env, LEDGER_BINDING, &name, op, Some(body));
        let mut response = call.await.map_err(|_| Refusal::StorageUnavailable)?;
        match response.status_code() {
            200 => response.json().await.map_err(|_| Refusal::StorageUnavailable),
            404 => Err(Refusal::NotFound),
            409 => Err(Refusal::NoDestination),
            410 => Err(Refusal::BodyExpired),
            _ => Err(Refusal::StorageUnavailable),
        }
    }
}

/// FNV-1a: stable across versions and platforms, which the shard of a key must be.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::fnv1a;

    #[test]
    fn shards_are_stable() {
        // FNV-1a's published test values: a key's shard must never move between versions.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
