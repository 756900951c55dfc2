//! The Rate Limiting binding, per route and client IP (`cf-connecting-ip`): webhooks per
//! scheme, before their body is read, and dashboard sign-ins.

use worker::Env;
use worker::js_sys::{Object, Promise, Reflect};
use worker::wasm_bindgen::{self, JsValue, prelude::wasm_bindgen};
use worker::wasm_bindgen_futures::JsFuture;
use worker::web_sys::Headers;

use crate::config::{RATE_LIMITER_BINDING, binding};
use crate::reply::Refusal;

#[wasm_bindgen]
extern "C" {
    /// The Rate Limiting binding: `Env::rate_limiter` also converts the options and the
    /// outcome through serde on every call.
    type RateLimit;

    #[wasm_bindgen(method, catch)]
    fn limit(this: &RateLimit, options: &Object) -> Result<Promise, JsValue>;
}

/// [`Refusal::RateLimited`] once the client at `headers`' `cf-connecting-ip` has used up its
/// limit on `route`. Without the binding, or if it errs, the request goes on: the limiter
/// protects the origin, and losing an event would be worse.
pub async fn check(env: &Env, headers: &Headers, route: &str) -> Result<(), Refusal> {
    let client = headers.get("cf-connecting-ip").ok().flatten().unwrap_or_default();
    let Some(limiter) = binding::<RateLimit>(env, RATE_LIMITER_BINDING) else { return Ok(()) };
    let options = Object::new();
    let _ = Reflect::set(&options, &"key".into(), &format!("{route}:{client}").into());
    let Ok(promise) = limiter.limit(&options) else { return Ok(()) };
    let outcome = JsFuture::from(promise).await.unwrap_or_default();
    match Reflect::get(&outcome, &"success".into()).ok().and_then(|success| success.as_bool()) {
        Some(false) => Err(Refusal::RateLimited),
        _ => Ok(()),
    }
}
