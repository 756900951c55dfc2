//! What the Worker reads from its environment: secrets, limits, the ledger's schedule and
//! windows, the destinations and the tokens. Read once per isolate (secrets and variables
//! change only with a deployment, which starts new isolates); a bad value fails closed.

use core::cell::RefCell;
use core::ops::RangeInclusive;
use std::collections::HashMap;
use std::rc::Rc;

use hookguard::{Scheme, Verifier};
use worker::Env;
use worker::js_sys::Reflect;
use worker::wasm_bindgen::{JsCast, JsValue};

use crate::destinations::{self, Destination};
use crate::reply::Refusal;

/// The KV namespace: the edge cache of idempotency keys.
pub const KV_BINDING: &str = "HOOKGUARD_KV";
/// The Rate Limiting binding.
pub const RATE_LIMITER_BINDING: &str = "RATE_LIMITER";
/// The ledger's Durable Object namespace: the authority on idempotency keys.
pub const LEDGER_BINDING: &str = "LEDGER";
/// One Durable Object per run: its latest status.
pub const RUNS_BINDING: &str = "RUNS";
/// One Durable Object for the counts behind the dashboard, and the alerts.
pub const STATS_BINDING: &str = "STATS";

/// Workers KV refuses an `expirationTtl` under 60 s.
const KV_MIN_TTL: u64 = 60;
/// About 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h, 12 h and 24 h: two days in all.
const DEFAULT_SCHEDULE: [u64; 10] = [5, 30, 120, 600, 1800, 3600, 10_800, 21_600, 43_200, 86_400];
const DAY: u64 = 24 * 3600;
/// The largest number a setting takes (seconds: about 31 years), so that milliseconds never
/// overflow.
const MAX_SETTING: u64 = 1_000_000_000;
/// The largest `MAX_BODY_BYTES`: a Durable Object's SQLite row holds 2 MB, the body and the
/// event's other columns.
const MAX_STORED_BODY: usize = 1_900_000;
/// The most watchers one run's object may hold (`LIVE_MAX_WATCHERS`' default and bound), well
/// under the runtime's own limit of hibernatable sockets per object.
const MAX_WATCHERS: u64 = 10_000;

/// Everything one webhook route needs.
pub struct Route {
    pub verifier: Verifier,
    pub max_body: usize,
    /// Whether each request's own URL is the signed one: the scheme signs the URL it was given
    /// (Square) and `{ID}_WEBHOOK_URL`, the URL registered with the provider, is not set (when
    /// it is, the verifier holds it).
    pub url_from_request: bool,
}

/// The settings every route shares.
pub struct Settings {
    /// How long a taken key answers "duplicate", in seconds (`IDEMPOTENCY_TTL_SECONDS`,
    /// default 3 days: Stripe retries for 3 days). Also the KV cache's TTL.
    pub dedupe_window: u64,
    /// How long bodies are kept, in seconds (`RETENTION_SECONDS`, default 3 days); keys are
    /// kept at least as long.
    pub retention: u64,
    /// Delays between attempts, in seconds (`RETRY_SCHEDULE_SECONDS`, comma-separated).
    pub schedule: Vec<u64>,
    /// How many ledger objects share the keys (`LEDGER_SHARDS`, default 4).
    pub shards: u32,
    /// How long the origin has to answer one attempt (`FORWARD_TIMEOUT_SECONDS`, default 10).
    pub forward_timeout: u64,
    /// `DESTINATIONS`, and `FORWARD_URL` with `FORWARD_SECRET` as `origin`; none: events
    /// are recorded, sent nowhere.
    pub destinations: Vec<Destination>,
    /// `ADMIN_TOKEN`: the deliveries API, stats and the dashboard.
    pub admin_token: Secret,
    /// `RUNS_API_TOKEN`: the runs API (the admin token works too).
    pub runs_token: Secret,
    /// `LIVE_TOKEN_SECRET`: signs run tokens (browsers watching one run).
    pub live_secret: Secret,
    /// `LIVE_MAX_WATCHERS` (10,000, at most that): how many watchers one run takes.
    pub max_watchers: u64,
    pub alerts: Alerts,
}

/// When to tell a person that something is wrong, and where.
pub struct Alerts {
    /// `ALERT_URL`: where `{"text": ...}` alerts go; unset: none are sent.
    pub url: Option<String>,
    /// `ALERT_REJECT_THRESHOLD` (20): refused signatures on one route within 5 minutes.
    pub reject_threshold: u64,
    /// `ALERT_ORIGIN_FAILURES` (10): failed attempts in a row to one destination.
    pub origin_failures: u64,
    /// `ALERT_COOLDOWN_SECONDS` (900): at most one alert per kind and route this often.
    pub cooldown_seconds: u64,
    /// `STATS_FLUSH_SECONDS` (5): how often an isolate sends its counts.
    pub flush_seconds: u64,
}

thread_local! {
    static ROUTES: RefCell<HashMap<Scheme, Rc<Route>>> = RefCell::new(HashMap::new());
    static SETTINGS: RefCell<Option<Rc<Settings>>> = const { RefCell::new(None) };
    static CUSTOM: RefCell<Option<Rc<CustomSchemes>>> = const { RefCell::new(None) };
}

/// `CUSTOM_SCHEMES` as read: the schemes, or why they cannot be used.
type CustomSchemes = Result<Vec<Scheme>, String>;

/// The scheme served at `/webhooks/{name}`: a built-in provider, or one of `CUSTOM_SCHEMES`.
///
/// # Errors
/// `NotConfigured` if `CUSTOM_SCHEMES` cannot be read (the log names the entry and field),
/// `NotFound` for a name that is neither.
pub fn scheme(env: &Env, name: &str) -> Result<Scheme, Refusal> {
    if let Some(scheme) = Scheme::from_name(name) {
        return Ok(scheme);
    }
    let custom = CUSTOM.with(|c| c.borrow().clone()).unwrap_or_else(|| {
        let read = Rc::new(custom_schemes(text(env, "CUSTOM_SCHEMES").as_deref()));
        CUSTOM.with(|c| *c.borrow_mut() = Some(Rc::clone(&read)));
        read
    });
    match custom.as_ref() {
        Ok(schemes) => schemes.iter().copied().find(|s| s.name() == name).ok_or(Refusal::NotFound),
        Err(why) => Err(misconfigured(why)),
    }
}

/// `CUSTOM_SCHEMES`: a JSON object of scheme descriptions by provider id (the format of
/// `hookguard::Spec::from_json`). Read once per isolate; each description and spec is kept
/// for the isolate's life (leaked once, so that its scheme is `'static` like the built-ins).
fn custom_schemes(json: Option<&str>) -> Result<Vec<Scheme>, String> {
    let Some(json) = json else { return Ok(Vec::new()) };
    let entries: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json)
        .map_err(|_| "CUSTOM_SCHEMES must be a JSON object of schemes by id".to_string())?;
    let mut schemes = Vec::new();
    for (id, description) in entries {
        if Scheme::from_name(&id).is_some() {
            return Err(format!("CUSTOM_SCHEMES: {id:?} is a built-in provider"));
        }
        let id: &'static str = Box::leak(id.into_boxed_str());
        let text: &'static str = Box::leak(description.to_string().into_boxed_str());
        let spec = hookguard::Spec::from_json(id, text)
            .map_err(|e| format!("CUSTOM_SCHEMES: {id:?}: field `{}`: {}", e.field, e.reason))?;
        let spec: &'static hookguard::Spec = Box::leak(Box::new(spec));
        schemes.push(Scheme::custom(spec).map_err(|e| format!("CUSTOM_SCHEMES: {id:?}: {e}"))?);
    }
    Ok(schemes)
}

impl Route {
    /// The route's verifier, built once per isolate. A missing or unusable secret answers
    /// 500 `not_configured` and nothing is accepted (and is read again on the next request).
    pub fn load(env: &Env, scheme: Scheme) -> Result<Rc<Self>, Refusal> {
        if let Some(route) = ROUTES.with(|routes| routes.borrow().get(&scheme).cloned()) {
            return Ok(route);
        }
        let route = Rc::new(Self::read(env, scheme)?);
        ROUTES.with(|routes| routes.borrow_mut().insert(scheme, Rc::clone(&route)));
        Ok(route)
    }

    fn read(env: &Env, scheme: Scheme) -> Result<Self, Refusal> {
        let name = secret_name(scheme);
        let current = text(env, &name).ok_or(Refusal::NotConfigured)?;
        let previous = text(env, &format!("{name}_PREVIOUS"));
        let secrets: Vec<&str> =
            [Some(current.as_str()), previous.as_deref()].into_iter().flatten().collect();
        let max_body = number(env, "MAX_BODY_BYTES", hookguard::DEFAULT_MAX_BODY as u64)
            .and_then(|n| match usize::try_from(n) {
                Ok(n) if n <= MAX_STORED_BODY => Ok(n),
                _ => Err(format!("MAX_BODY_BYTES must be at most {MAX_STORED_BODY}, not {n}")),
            })
            .map_err(|why| misconfigured(&why))?;
        let build = if text(env, "ALLOW_SHORT_SECRETS").as_deref() == Some("true") {
            Verifier::new_with_short_secrets
        } else {
            Verifier::new
        };
        let why = |e: hookguard::Error| match e {
            hookguard::Error::InvalidSecret => format!(
                "{name} is not a usable secret (at least {} bytes; ALLOW_SHORT_SECRETS=true for a legacy one)",
                hookguard::MIN_SECRET_LEN
            ),
            other => format!("{name}: {other}"),
        };
        let mut verifier =
            build(scheme, &secrets).map_err(|e| misconfigured(&why(e)))?.with_max_body(max_body);
        let set = scheme_tolerance(env, scheme).map_err(|why| misconfigured(&why))?;
        if let Some(tolerance) = set {
            verifier = verifier.with_tolerance(tolerance);
        }
        // The tolerance the route applies (none if it signs no timestamp, or the check is off)
        // must not outlast the dedupe window.
        let tolerance =
            scheme.spec().timestamp.map(|t| set.unwrap_or(t.tolerance)).filter(|t| *t != u64::MAX);
        let window = Settings::load(env)?.dedupe_window;
        if tolerance.is_some_and(|t| t > window) {
            return Err(misconfigured(&format!(
                "IDEMPOTENCY_TTL_SECONDS ({window}) is shorter than {}'s timestamp tolerance: a replay \
                 could pass between them",
                scheme.name()
            )));
        }
        let url_name = format!("{}_WEBHOOK_URL", scheme.setting_prefix());
        let url = text(env, &url_name);
        if let Some(url) = &url {
            verifier = verifier.with_url(url).map_err(|e| misconfigured(&format!("{url_name}: {e}")))?;
        }
        Ok(Route { verifier, max_body, url_from_request: scheme.spec().signs_url() && url.is_none() })
    }
}

impl Settings {
    /// The shared settings, read and checked once per isolate.
    pub fn load(env: &Env) -> Result<Rc<Self>, Refusal> {
        if let Some(settings) = SETTINGS.with(|s| s.borrow().clone()) {
            return Ok(settings);
        }
        let settings = Rc::new(Self::read(env).map_err(|why| misconfigured(&why))?);
        SETTINGS.with(|s| *s.borrow_mut() = Some(Rc::clone(&settings)));
        Ok(settings)
    }

    fn read(env: &Env) -> Result<Self, String> {
        let dedupe_window = number(env, "IDEMPOTENCY_TTL_SECONDS", 3 * DAY)?.max(KV_MIN_TTL);
        let schedule = match text(env, "RETRY_SCHEDULE_SECONDS") {
            None => DEFAULT_SCHEDULE.to_vec(),
            Some(list) => parse_schedule(&list)?,
        };
        let max_watchers = number_within(env, "LIVE_MAX_WATCHERS", MAX_WATCHERS, 1..=MAX_WATCHERS)?;
        let shards = number_within(env, "LEDGER_SHARDS", 4, 1..=256)?;
        Ok(Settings {
            dedupe_window,
            retention: number(env, "RETENTION_SECONDS", 3 * DAY)?,
            schedule,
            shards: u32::try_from(shards).unwrap_or(1),
            forward_timeout: number(env, "FORWARD_TIMEOUT_SECONDS", 10)?.clamp(1, 60),
            destinations: destinations::load(
                text(env, "DESTINATIONS").as_deref(),
                text(env, "FORWARD_URL"),
                text(env, "FORWARD_SECRET"),
            )?,
            admin_token: Secret::read(env, "ADMIN_TOKEN"),
            runs_token: Secret::read(env, "RUNS_API_TOKEN"),
            live_secret: Secret::read(env, "LIVE_TOKEN_SECRET"),
            max_watchers,
            alerts: alerts(env)?,
        })
    }

    /// The destinations that take an event of `scheme` and `event_type`.
    pub fn destinations_for<'a>(
        &'a self,
        scheme: &'a str,
        event_type: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Destination> + 'a {
        self.destinations.iter().filter(move |d| d.takes(scheme, event_type))
    }

    /// The destination named `name`, if it is still configured.
    pub fn destination(&self, name: &str) -> Option<&Destination> {
        self.destinations.iter().find(|d| d.name == name)
    }

    /// How long keys are kept: the dedupe window, and at least as long as bodies.
    pub fn key_window(&self) -> u64 {
        self.dedupe_window.max(self.retention)
    }
}

fn alerts(env: &Env) -> Result<Alerts, String> {
    let url = text(env, "ALERT_URL");
    if url.as_deref().is_some_and(|url| !destinations::is_allowed_url(url)) {
        return Err("ALERT_URL must be https:, or http: to localhost".into());
    }
    Ok(Alerts {
        url,
        reject_threshold: number(env, "ALERT_REJECT_THRESHOLD", 20)?,
        origin_failures: number(env, "ALERT_ORIGIN_FAILURES", 10)?.max(1),
        cooldown_seconds: number(env, "ALERT_COOLDOWN_SECONDS", 900)?,
        flush_seconds: number(env, "STATS_FLUSH_SECONDS", 5)?,
    })
}

/// `5,30,120`: whole seconds, at least one, each at least 1 s.
fn parse_schedule(list: &str) -> Result<Vec<u64>, String> {
    let delays: Option<Vec<u64>> =
        list.split(',').map(|d| d.trim().parse().ok().filter(|d| (1..=MAX_SETTING).contains(d))).collect();
    delays.filter(|d| !d.is_empty() && d.len() <= 50).ok_or_else(|| {
        // Not the value: a secret pasted into the wrong setting must not reach the log.
        "RETRY_SCHEDULE_SECONDS must be 1 to 50 whole seconds > 0, comma-separated".to_string()
    })
}

/// Logs why the configuration is refused (never a value, only names) and fails closed.
fn misconfigured(why: &str) -> Refusal {
    log_misconfigured(why);
    Refusal::NotConfigured
}

/// Logs why a setting cannot be used: its name and the rule, never its value.
fn log_misconfigured(why: &str) {
    worker::console_error!("{}", serde_json::json!({ "outcome": "not_configured", "why": why }));
}

/// A token or secret that opens routes which show data (`ADMIN_TOKEN`, `RUNS_API_TOKEN`,
/// `LIVE_TOKEN_SECRET`).
pub enum Secret {
    /// Unset: the routes it opens answer 404.
    Unset,
    /// Set, but shorter than the core takes a secret (`MIN_SECRET_LEN` bytes): it could be
    /// guessed online, so the routes it opens answer 500 `not_configured`, whatever they are
    /// given. Logged once, by name, when the settings are read.
    Unusable,
    Set(String),
}

impl Secret {
    fn read(env: &Env, name: &str) -> Self {
        match text(env, name) {
            None => Secret::Unset,
            Some(value) if hookguard::is_usable_secret(value.as_bytes()) => Secret::Set(value),
            Some(_) => {
                log_misconfigured(&format!(
                    "{name} is not a usable secret (at least {} bytes)",
                    hookguard::MIN_SECRET_LEN
                ));
                Secret::Unusable
            }
        }
    }

    /// The value, `None` if unset.
    ///
    /// # Errors
    /// `NotConfigured` if it is set but unusable.
    pub fn get(&self) -> Result<Option<&str>, Refusal> {
        match self {
            Secret::Unset => Ok(None),
            Secret::Unusable => Err(Refusal::NotConfigured),
            Secret::Set(value) => Ok(Some(value)),
        }
    }
}

/// The timestamp tolerance set for `scheme`: `{ID}_TOLERANCE_SECONDS`, else
/// `TIMESTAMP_TOLERANCE_SECONDS`; `off` turns the check off. `None`: the provider's default.
fn scheme_tolerance(env: &Env, scheme: Scheme) -> Result<Option<u64>, String> {
    let own = format!("{}_TOLERANCE_SECONDS", scheme.setting_prefix());
    for name in [own.as_str(), "TIMESTAMP_TOLERANCE_SECONDS"] {
        match text(env, name).as_deref() {
            None => {}
            Some("off") => return Ok(Some(u64::MAX)),
            Some(value) => {
                return value.parse().map(Some).map_err(|_| format!("{name} must be whole seconds or off"));
            }
        }
    }
    Ok(None)
}

/// `TRIGGER_WEBHOOK_SECRET`, `STANDARD_WEBHOOK_SECRET`, ... (plus `_PREVIOUS` for rotation).
pub fn secret_name(scheme: Scheme) -> String {
    scheme.secret_var().to_string()
}

/// The binding `name` as the JS type `T`, called directly (workers-rs' typed getters check
/// the constructor's name and look methods up on every call); `None` if it is absent.
pub fn binding<T: JsCast>(env: &Env, name: &str) -> Option<T> {
    Reflect::get(env, &name.into()).ok().filter(JsValue::is_object).map(JsCast::unchecked_into)
}

/// A secret or a plain variable, trimmed (a pasted secret often ends in a newline), if set
/// and not empty.
pub fn text(env: &Env, name: &str) -> Option<String> {
    let value = env.secret(name).map(|s| s.to_string()).or_else(|_| env.var(name).map(|v| v.to_string()));
    value.ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// A whole number setting, `default` when unset. A value that is not one, or is over
/// [`MAX_SETTING`], is refused (a typo must not quietly become the default: `LEDGER_SHARDS`
/// moving would send a key's copies to another ledger object).
fn number(env: &Env, name: &str, default: u64) -> Result<u64, String> {
    match text(env, name) {
        None => Ok(default),
        Some(value) => value
            .parse()
            .ok()
            .filter(|n| *n <= MAX_SETTING)
            .ok_or_else(|| format!("{name} must be a whole number from 0 to {MAX_SETTING}")),
    }
}

/// [`number`], refused outside `range`.
fn number_within(env: &Env, name: &str, default: u64, range: RangeInclusive<u64>) -> Result<u64, String> {
    let n = number(env, name, default)?;
    if !range.contains(&n) {
        return Err(format!("{name} must be {} to {}, not {n}", range.start(), range.end()));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::parse_schedule;

    #[test]
    fn schedules_are_positive_whole_seconds() {
        assert_eq!(parse_schedule("5, 30,120"), Ok(vec![5, 30, 120]));
        for bad in ["", "0", "5,,30", "5,-1", "1.5", "a", "1000000001"] {
            assert!(parse_schedule(bad).is_err(), "{bad}");
        }
    }
}
