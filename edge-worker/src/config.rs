//! What the Worker reads from its environment: secrets, limits, TTLs and the forward target.

use core::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use hookguard::{Scheme, Verifier};
use worker::Env;

use crate::Reject;
use crate::forward::Forward;

/// The KV namespace binding.
pub const KV_BINDING: &str = "HOOKGUARD_KV";
/// The Rate Limiting binding.
pub const RATE_LIMITER_BINDING: &str = "RATE_LIMITER";
/// Workers KV refuses an `expirationTtl` under 60 s.
const KV_MIN_TTL: u64 = 60;

/// How long each kind of KV entry lives, in seconds.
#[derive(Clone, Copy, Debug)]
pub struct Ttls {
    /// A delivery being processed (`IN_FLIGHT_TTL_SECONDS`, default 60): if the Worker dies
    /// mid-way, the mark expires and the provider's retry goes through.
    pub in_flight: u64,
    /// A delivery done (`IDEMPOTENCY_TTL_SECONDS`, default 3 days: Stripe retries for 3 days).
    pub done: u64,
    /// Event summaries and run statuses (`RECORD_TTL_SECONDS`, default 30 days).
    pub record: u64,
}

impl Default for Ttls {
    fn default() -> Self {
        Ttls { in_flight: 60, done: 3 * 24 * 3600, record: 30 * 24 * 3600 }
    }
}

thread_local! {
    /// Configurations already read in this isolate. Secrets and variables change only with a
    /// new deployment, which starts new isolates.
    static LOADED: RefCell<HashMap<Scheme, Rc<Config>>> = RefCell::new(HashMap::new());
}

/// Everything one webhook route needs.
pub struct Config {
    pub verifier: Verifier,
    pub max_body: usize,
    pub forward: Option<Forward>,
    pub ttls: Ttls,
}

impl Config {
    /// The route's configuration, read once per isolate. Fails closed: a missing or unusable
    /// secret, or a bad forward target, answers 500 `not_configured` and nothing is accepted
    /// (and is read again on the next request).
    pub fn load(env: &Env, scheme: Scheme) -> Result<Rc<Self>, Reject> {
        if let Some(config) = LOADED.with(|loaded| loaded.borrow().get(&scheme).cloned()) {
            return Ok(config);
        }
        let config = Rc::new(Self::read(env, scheme)?);
        LOADED.with(|loaded| loaded.borrow_mut().insert(scheme, Rc::clone(&config)));
        Ok(config)
    }

    fn read(env: &Env, scheme: Scheme) -> Result<Self, Reject> {
        let name = secret_name(scheme);
        let current = text(env, &name).ok_or(Reject::NOT_CONFIGURED)?;
        let previous = text(env, &format!("{name}_PREVIOUS"));
        let secrets: Vec<&str> =
            [Some(current.as_str()), previous.as_deref()].into_iter().flatten().collect();
        let defaults = Ttls::default();
        let ttls = Ttls {
            in_flight: number(env, "IN_FLIGHT_TTL_SECONDS", defaults.in_flight).max(KV_MIN_TTL),
            done: number(env, "IDEMPOTENCY_TTL_SECONDS", defaults.done).max(KV_MIN_TTL),
            record: number(env, "RECORD_TTL_SECONDS", defaults.record).max(KV_MIN_TTL),
        };
        let max_body = usize::try_from(number(env, "MAX_BODY_BYTES", hookguard::DEFAULT_MAX_BODY as u64))
            .unwrap_or(hookguard::DEFAULT_MAX_BODY);
        let tolerance = number(env, "TIMESTAMP_TOLERANCE_SECONDS", hookguard::DEFAULT_TOLERANCE_SECS);
        let verifier = Verifier::new(scheme, &secrets)
            .map_err(|_| Reject::NOT_CONFIGURED)?
            .with_tolerance(tolerance)
            .with_max_body(max_body);
        Ok(Config { verifier, max_body, forward: Forward::load(env)?, ttls })
    }
}

/// `TRIGGER_WEBHOOK_SECRET`, `STANDARD_WEBHOOK_SECRET`, ... (plus `_PREVIOUS` for rotation).
pub fn secret_name(scheme: Scheme) -> String {
    format!("{}_WEBHOOK_SECRET", scheme.name().to_ascii_uppercase())
}

/// A secret or a plain variable, trimmed (a pasted secret often ends in a newline), if set
/// and not empty.
pub fn text(env: &Env, name: &str) -> Option<String> {
    let value = env.secret(name).map(|s| s.to_string()).or_else(|_| env.var(name).map(|v| v.to_string()));
    value.ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// With `RUNS_API_TOKEN` set, the runs endpoint wants `Authorization: Bearer <token>`
/// (compared in constant time); without it, it is open.
pub fn authorize_runs(env: &Env, req: &worker::Request) -> Result<(), Reject> {
    use subtle::ConstantTimeEq;
    let Some(token) = text(env, "RUNS_API_TOKEN") else { return Ok(()) };
    let given = req.headers().get("authorization").ok().flatten().unwrap_or_default();
    let given = given.strip_prefix("Bearer ").unwrap_or_default();
    if bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
        Ok(())
    } else {
        Err(Reject::new(401, "unauthorized"))
    }
}

fn number(env: &Env, name: &str, default: u64) -> u64 {
    text(env, name).and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// Asks the Rate Limiting binding about `key`. Without the binding, or if it errs, the
/// request goes on: the limiter protects the origin, and losing an event would be worse.
pub async fn allowed_by_rate_limit(env: &Env, key: &str) -> bool {
    let Ok(limiter) = env.rate_limiter(RATE_LIMITER_BINDING) else { return true };
    limiter.limit(key.to_string()).await.map_or(true, |outcome| outcome.success)
}
