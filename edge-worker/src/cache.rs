//! Workers KV as the edge cache of taken idempotency keys: a repeat of a key cached here is
//! answered "duplicate" without calling the ledger. KV is never the authority: it is
//! eventually consistent, so a missing or stale entry only means the ledger is asked.

use worker::{Env, KvStore};

use crate::config::KV_BINDING;

const PREFIX: &str = "taken:";

pub struct Cache {
    kv: KvStore,
}

impl Cache {
    /// `None` without the KV binding: every key is then asked of the ledger.
    pub fn open(env: &Env) -> Option<Self> {
        env.kv(KV_BINDING).ok().map(|kv| Cache { kv })
    }

    /// Whether the key is cached as taken; a KV failure counts as "not cached".
    pub async fn has(&self, key: &str) -> bool {
        matches!(self.kv.get(&format!("{PREFIX}{key}")).text().await, Ok(Some(_)))
    }

    /// Caches the key as taken for `ttl` seconds (one write, once per key: by the copy that
    /// took it). A failure is harmless: the ledger still answers.
    pub async fn remember(&self, key: &str, ttl: u64) {
        if let Ok(put) = self.kv.put(&format!("{PREFIX}{key}"), "1") {
            let _ = put.expiration_ttl(ttl).execute().await;
        }
    }
}
