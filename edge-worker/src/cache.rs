//! Workers KV as the edge cache of taken idempotency keys: a repeat of a key cached here is
//! answered "duplicate" without calling the ledger. KV is never the authority: it is
//! eventually consistent, so a missing or stale entry only means the ledger is asked.

use worker::Env;
use worker::js_sys::{Object, Promise, Reflect};
use worker::wasm_bindgen::{self, JsValue, prelude::wasm_bindgen};
use worker::wasm_bindgen_futures::JsFuture;

use crate::config::{KV_BINDING, binding};

const PREFIX: &str = "taken:";

#[wasm_bindgen]
extern "C" {
    /// The KV namespace binding: `Env::kv` looks up five methods and `get` builds an
    /// options object on every call.
    type KvNamespace;

    #[wasm_bindgen(method, catch)]
    fn get(this: &KvNamespace, key: &str) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn put(this: &KvNamespace, key: &str, value: &str, options: &Object) -> Result<Promise, JsValue>;
}

pub struct Cache {
    kv: KvNamespace,
}

impl Cache {
    /// `None` without the KV binding: every key is then asked of the ledger.
    pub fn open(env: &Env) -> Option<Self> {
        binding(env, KV_BINDING).map(|kv| Cache { kv })
    }

    /// Whether the key is cached as taken; a KV failure counts as "not cached".
    pub async fn has(&self, key: &str) -> bool {
        let Ok(read) = self.kv.get(&[PREFIX, key].concat()) else { return false };
        JsFuture::from(read).await.is_ok_and(|value| value.as_string().is_some())
    }

    /// Caches the key as taken for `ttl` seconds (one write, once per key: by the copy that
    /// took it). A failure is harmless: the ledger still answers.
    pub async fn remember(&self, key: &str, ttl: u64) {
        let options = Object::new();
        let _ = Reflect::set(&options, &"expirationTtl".into(), &(ttl as f64).into());
        if let Ok(write) = self.kv.put(&[PREFIX, key].concat(), "1", &options) {
            let _ = JsFuture::from(write).await;
        }
    }
}
