//! The `hookguard` npm package's native half: the core's verifier behind wasm-bindgen.
//!
//! Calls go through buffers that live as long as the module: JavaScript writes header values
//! and the body into [`input`], calls [`Verifier::verify`], and reads the event's strings from
//! where [`results`] points. After the buffers have grown to the largest request seen, a
//! verify allocates nothing in wasm (the test build, with the `count-allocations` feature,
//! counts them in `allocations`; the published package has no counting allocator).
//!
//! Custom schemes (`verify({ scheme: { id, ... } })`) are read with [`Spec::from_json`], which
//! borrows its text for good: each distinct description (its id and JSON text) is leaked once,
//! a few hundred bytes, and cached, so verifying with the same description again allocates
//! nothing more. At most [`MAX_CUSTOM`] distinct descriptions are read per module instance.

use core::cell::RefCell;

use hookguard::{Algorithm, Error, IdSource, Scheme, Spec, SpecError, Syntax, TimestampSource, Verified};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

#[cfg(feature = "count-allocations")]
#[global_allocator]
static GLOBAL: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

/// The most headers a scheme reads.
const MAX_HEADERS: usize = 5;
/// `results()` layout, in u32 slots: (pointer, length) of the type, the id, the idempotency
/// key and the delivery id (pointer 0: absent), then whether there is a timestamp and its
/// value in two halves, then (pointer, length) of the replay key (pointer 0: none).
///
/// Laid out by hand rather than marshalled by wasm-bindgen, because that costs more than 1 us
/// a call here: a JS object built from wasm (`Object::new` and a `Reflect::set` per field)
/// measured about 0.7 us for two fields in Node 20 on the benchmark machine (three such error
/// objects, built eagerly on every verify until 3e5951c, took 2 us of a 30 us verify), and
/// this result has seven; `&str` or `String` arguments would allocate in wasm on every call.
const RESULT_SLOTS: usize = 13;
/// Header lengths at or above this mean "absent".
const ABSENT: u32 = u32::MAX;
/// The most distinct custom scheme descriptions read (and leaked) per module instance.
pub const MAX_CUSTOM: usize = 64;

/// A custom scheme description read once: its id, its JSON text, and the scheme or the error.
type CustomEntry = (&'static str, &'static str, Result<Scheme, SpecError>);

thread_local! {
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static KEY: RefCell<[u8; hookguard::IDEMPOTENCY_KEY_MAX]> = const { RefCell::new([0; hookguard::IDEMPOTENCY_KEY_MAX]) };
    static REPLAY_KEY: RefCell<[u8; hookguard::IDEMPOTENCY_KEY_MAX]> = const { RefCell::new([0; hookguard::IDEMPOTENCY_KEY_MAX]) };
    static DIGEST: RefCell<[u8; 32]> = const { RefCell::new([0; 32]) };
    static RESULTS: RefCell<[u32; RESULT_SLOTS]> = const { RefCell::new([0; RESULT_SLOTS]) };
    static CUSTOM: RefCell<Vec<CustomEntry>> = const { RefCell::new(Vec::new()) };
}

/// The error JavaScript sees: `{ code, status }` from the core's one table.
fn js_error(error: Error) -> JsValue {
    error_object(error.code(), error.status())
}

/// `{ code, status }`, which the JavaScript side turns into a `WebhookError`.
fn error_object(code: &str, status: u16) -> JsValue {
    let object = Object::new();
    let _ = Reflect::set(&object, &"code".into(), &code.into());
    let _ = Reflect::set(&object, &"status".into(), &status.into());
    object.into()
}

/// `{ code: "invalid_scheme", status: 500, field, message }` for a description that cannot work.
fn invalid_scheme(error: SpecError) -> JsValue {
    let object = error_object("invalid_scheme", 500);
    // Not `format!`: core::fmt's machinery costs the .wasm kilobytes.
    let message = ["invalid_scheme: invalid scheme field `", error.field, "`: ", error.reason].concat();
    let _ = Reflect::set(&object, &"field".into(), &error.field.into());
    let _ = Reflect::set(&object, &"message".into(), &message.into());
    object
}

/// A built-in scheme by name, or a custom one from `description` (the JSON text of
/// [`Spec::from_json`]) with `name` as its id.
fn scheme(name: &str, description: Option<String>) -> Result<Scheme, JsValue> {
    match description {
        None => Scheme::from_name(name).ok_or_else(|| error_object("unknown_scheme", 500)),
        Some(text) => custom_scheme(name, text),
    }
}

/// The custom scheme `id` described by `text`, read and leaked once per distinct pair.
fn custom_scheme(id: &str, text: String) -> Result<Scheme, JsValue> {
    if Scheme::from_name(id).is_some() {
        return Err(invalid_scheme(SpecError { field: "id", reason: "names a built-in scheme" }));
    }
    CUSTOM.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some((_, _, read)) = cache.iter().find(|(i, t, _)| *i == id && *t == text) {
            return read.map_err(invalid_scheme);
        }
        if cache.len() >= MAX_CUSTOM {
            return Err(invalid_scheme(SpecError {
                field: "id",
                reason: "more than 64 distinct custom scheme descriptions in one process",
            }));
        }
        let id: &'static str = Box::leak(id.into());
        let text: &'static str = Box::leak(text.into_boxed_str());
        let read = Spec::from_json(id, text).and_then(|spec| Scheme::custom(Box::leak(Box::new(spec))));
        cache.push((id, text, read));
        read.map_err(invalid_scheme)
    })
}

/// What the JavaScript shell needs from the core instead of a copy: the scheme names, the
/// body limit, and the refusals it makes before calling in (`{ code, status }` each).
#[wasm_bindgen]
#[must_use]
pub fn constants() -> JsValue {
    let object = Object::new();
    let schemes: Array = Scheme::ALL.iter().map(|s| JsValue::from_str(s.name())).collect();
    let errors = Object::new();
    for (role, error) in [
        ("payloadTooLarge", Error::PayloadTooLarge),
        ("invalidSecret", Error::InvalidSecret),
        ("malformedSignature", Error::MalformedSignature),
    ] {
        let _ = Reflect::set(&errors, &role.into(), &js_error(error));
    }
    for (name, value) in [
        ("schemes", schemes.into()),
        ("maxBody", JsValue::from(hookguard::DEFAULT_MAX_BODY as f64)),
        ("errors", errors.into()),
    ] {
        let _ = Reflect::set(&object, &name.into(), &value);
    }
    object.into()
}

/// Sets `name` on `object` when `value` is given.
fn set(object: &Object, name: &str, value: Option<JsValue>) {
    if let Some(value) = value {
        let _ = Reflect::set(object, &name.into(), &value);
    }
}

/// A scheme's spec in the JSON description format of custom schemes (`Spec::from_json`), with
/// its `id`: what it signs, how, and with which headers. Fed back as a custom scheme (under
/// another id), it verifies what the scheme verifies.
///
/// # Errors
/// `{ code, status }` for an unknown scheme or a bad description.
#[wasm_bindgen(js_name = describeScheme)]
pub fn describe_scheme(scheme_name: &str, description: Option<String>) -> Result<Object, JsValue> {
    let spec = scheme(scheme_name, description)?.spec();
    let s = |text: &str| Some(JsValue::from_str(text));
    let object = Object::new();
    set(&object, "id", s(spec.id));
    set(&object, "family", spec.family.and_then(s));
    set(&object, "algorithm", s(spec.algorithm.name()));
    set(&object, "encoding", s(spec.encoding.name()));
    set(&object, "header", s(spec.header));
    set(&object, "header_alias", spec.header_alias.and_then(s));
    match spec.syntax {
        Syntax::Bare => {}
        Syntax::Prefix(prefix) => set(&object, "prefix", s(prefix)),
        Syntax::Items(name) => set(&object, "items", s(name)),
        Syntax::Versioned(version) => set(&object, "versioned", s(version)),
    }
    set(&object, "content", s(spec.content));
    if let Some(ts) = spec.timestamp {
        let timestamp = Object::new();
        let (source, name) = match ts.source {
            TimestampSource::Header(name) => ("header", name),
            TimestampSource::Item(name) => ("item", name),
            TimestampSource::Body(name) => ("body", name),
        };
        set(&timestamp, source, s(name));
        set(&timestamp, "unit", s(ts.unit.name()));
        set(&timestamp, "tolerance", Some(JsValue::from(ts.tolerance as f64)));
        set(&timestamp, "required", Some(JsValue::from(ts.required)));
        set(&object, "timestamp", Some(timestamp.into()));
    }
    set(&object, "secret", s(spec.secret.name()));
    if let Some(id) = spec.delivery_id {
        let delivery = Object::new();
        match id {
            IdSource::Header { name, signed } => {
                set(&delivery, "header", s(name));
                set(&delivery, "signed", Some(JsValue::from(signed)));
            }
            IdSource::Body(name) => set(&delivery, "body", s(name)),
        }
        set(&object, "delivery_id", Some(delivery.into()));
    }
    set(&object, "type_header", spec.type_header.and_then(s));
    Ok(object)
}

/// SHA-256 of the first `len` bytes of the input buffer, into a buffer whose address it
/// returns: the verifier cache's keys, so that the cache holds no secrets.
#[wasm_bindgen]
#[must_use]
pub fn fingerprint(len: usize) -> usize {
    use sha2::Digest;
    INPUT.with(|input| {
        let input = input.borrow();
        let digest = sha2::Sha256::digest(input.get(..len).unwrap_or_default());
        DIGEST.with(|d| {
            let mut d = d.borrow_mut();
            d.copy_from_slice(&digest);
            d.as_ptr() as usize
        })
    })
}

/// The input buffer, grown to at least `len` bytes; returns its address in wasm memory.
#[wasm_bindgen]
#[must_use]
pub fn input(len: usize) -> usize {
    INPUT.with(|input| {
        let mut input = input.borrow_mut();
        if input.len() < len {
            input.resize(len, 0);
        }
        input.as_ptr() as usize
    })
}

/// The address of the result slots in wasm memory.
#[wasm_bindgen]
#[must_use]
pub fn results() -> usize {
    RESULTS.with(|r| r.as_ptr() as usize)
}

/// Heap allocations made in wasm so far (the test build only).
#[cfg(feature = "count-allocations")]
#[wasm_bindgen]
#[must_use]
pub fn allocations() -> f64 {
    GLOBAL.stats().allocations as f64 + GLOBAL.stats().reallocations as f64
}

/// Bytes held on the wasm heap now (the test build only): for the test that custom schemes
/// are read once, not leaked per call.
#[cfg(feature = "count-allocations")]
#[wasm_bindgen(js_name = liveBytes)]
#[must_use]
pub fn live_bytes() -> f64 {
    let stats = GLOBAL.stats();
    stats.bytes_allocated as f64 - stats.bytes_deallocated as f64 + stats.bytes_reallocated as f64
}

/// A verifier for one scheme and its secrets: built once, used for every request.
#[wasm_bindgen]
pub struct Verifier {
    inner: hookguard::Verifier,
    names: [&'static str; MAX_HEADERS],
}

#[wasm_bindgen]
impl Verifier {
    /// A verifier for the built-in scheme `scheme_name`, or, with `description` (JSON text in
    /// the format of `Spec::from_json`), the custom scheme of that id. `tolerance_seconds`:
    /// NaN or negative for the scheme's default, `Infinity` for no check. `url`: the URL the provider was given
    /// (Square). `allow_short_secrets`: accept secrets under 16 bytes (legacy secrets only).
    ///
    /// # Errors
    /// `{ code, status }` for an unknown scheme, a bad description (`invalid_scheme`, with
    /// `field` and `message`), an unusable secret or URL.
    #[wasm_bindgen(constructor)]
    pub fn new(
        scheme_name: &str,
        description: Option<String>,
        secrets: Vec<String>,
        tolerance_seconds: f64,
        url: Option<String>,
        allow_short_secrets: bool,
    ) -> Result<Verifier, JsValue> {
        let scheme = scheme(scheme_name, description)?;
        let mut inner = if allow_short_secrets {
            hookguard::Verifier::new_with_short_secrets(scheme, &secrets)
        } else {
            hookguard::Verifier::new(scheme, &secrets)
        }
        .map_err(js_error)?;
        // `as` saturates: `Infinity` is `u64::MAX`, which turns the check off.
        if tolerance_seconds >= 0.0 {
            inner = inner.with_tolerance(tolerance_seconds as u64);
        }
        if let Some(url) = url {
            inner = inner.with_url(&url).map_err(js_error)?;
        }
        let mut names = [""; MAX_HEADERS];
        for (slot, name) in names.iter_mut().zip(scheme.header_names()) {
            *slot = name;
        }
        Ok(Verifier { inner, names })
    }

    /// The headers (lower case) whose values `verify` takes, in order.
    #[wasm_bindgen(js_name = headerNames)]
    #[must_use]
    pub fn header_names(&self) -> Array {
        self.names.iter().filter(|n| !n.is_empty()).map(|n| JsValue::from_str(n)).collect()
    }

    /// The HMAC-SHA256 key of each secret, as the core derives it, in order: for `verify`'s
    /// `mac`. `undefined` for schemes of other algorithms, whose MACs and signatures the core
    /// always computes itself.
    ///
    /// # Errors
    /// `{ code, status }` for an unusable secret.
    #[wasm_bindgen(js_name = macKeys)]
    pub fn mac_keys(&self, secrets: Vec<String>) -> Result<Option<Array>, JsValue> {
        let scheme = self.inner.scheme();
        if scheme.spec().algorithm != Algorithm::HmacSha256 {
            return Ok(None);
        }
        let keys = Array::new();
        for secret in &secrets {
            let mut key = vec![0; secret.len()];
            let len = hookguard::mac_key(scheme, secret.as_bytes(), &mut key).map_err(js_error)?;
            keys.push(&Uint8Array::from(key.get(..len).unwrap_or_default()));
        }
        Ok(Some(keys))
    }

    /// Verifies and parses the request in the input buffer: the header values (lengths
    /// `h0`..`h4`, in `headerNames` order, `0xffffffff` for absent) followed by the body
    /// (`body_len` bytes). Fills the result slots.
    ///
    /// With `mac`, JavaScript's native crypto computes the HMAC: `mac(keyIndex, spans, out)`
    /// writes HMAC-SHA256 under the key of that secret ([`Verifier::mac_keys`]) over the wasm
    /// memory spans `[address, length, ...]`, in order, into `out` and returns the bytes
    /// written (32). Everything else (headers, tags, tolerance, the comparison, parsing) is the
    /// core's either way, and schemes that are not HMAC-SHA256 never call it.
    ///
    /// # Errors
    /// `{ code, status }` from the core.
    #[allow(clippy::too_many_arguments)] // numbers cross the boundary for free; arrays would allocate
    #[allow(clippy::needless_pass_by_value)] // wasm-bindgen passes imported functions by value
    pub fn verify(
        &self,
        h0: u32,
        h1: u32,
        h2: u32,
        h3: u32,
        h4: u32,
        body_len: u32,
        now: f64,
        mac: Option<NativeMac>,
    ) -> Result<(), JsValue> {
        self.run([h0, h1, h2, h3, h4], body_len, now, |verifier, headers, body, now| match &mac {
            None => verifier.verify(headers, body, now),
            Some(mac) => {
                verifier.verify_with_mac(headers, body, now, |index, parts| native_mac(mac, index, parts))
            }
        })
    }

    /// The headers a provider would send with the body in the input buffer (`body_len`
    /// bytes), signed with the first secret, as `[name, value]` pairs.
    ///
    /// # Errors
    /// `{ code, status }` for a bad id, a missing URL, or a scheme that cannot sign (Ed25519).
    pub fn sign(&self, body_len: u32, id: Option<String>, timestamp: f64) -> Result<Array, JsValue> {
        let timestamp = if timestamp.is_finite() && timestamp > 0.0 { timestamp as u64 } else { 0 };
        INPUT.with(|input| {
            let input = input.borrow();
            let body = input.get(..body_len as usize).ok_or_else(|| js_error(Error::InvalidJson))?;
            let signed = self.inner.sign(body, id.as_deref(), timestamp).map_err(js_error)?;
            Ok(signed.iter().map(|(n, v)| Array::of2(&n.into(), &v.into())).collect())
        })
    }
}

#[wasm_bindgen]
extern "C" {
    /// JavaScript's native HMAC: `(keyIndex, spans, out) => written`, see [`Verifier::verify`].
    pub type NativeMac;

    /// Calls it (as `Function.prototype.call`, with no `this`).
    #[wasm_bindgen(method, js_name = call, catch)]
    fn compute(
        this: &NativeMac,
        this_arg: &JsValue,
        index: u32,
        spans: &[u32],
        out: &mut [u8],
    ) -> Result<u32, JsValue>;
}

/// HMAC-SHA256 by JavaScript's `mac`; `None` unless it writes the 32 bytes.
fn native_mac(mac: &NativeMac, index: usize, parts: &hookguard::SignedParts<'_>) -> Option<[u8; 32]> {
    let mut spans = [0u32; 2 * hookguard::MAX_SIGNED_PARTS];
    for (span, part) in spans.chunks_exact_mut(2).zip(parts) {
        span.copy_from_slice(&[part.as_ptr() as u32, part.len() as u32]);
    }
    let mut out = [0u8; 32];
    let written = mac.compute(&JsValue::NULL, index as u32, &spans, &mut out).ok()?;
    (written == 32).then_some(out)
}

/// Copies `key` into `buffer`; returns its (pointer, length) span.
fn store_key(
    buffer: &'static std::thread::LocalKey<RefCell<[u8; hookguard::IDEMPOTENCY_KEY_MAX]>>,
    key: &str,
) -> Result<(u32, u32), JsValue> {
    buffer.with(|k| {
        let mut k = k.borrow_mut();
        let stored = k.get_mut(..key.len()).ok_or_else(|| js_error(Error::InvalidJson))?;
        stored.copy_from_slice(key.as_bytes());
        Ok((k.as_ptr() as u32, key.len() as u32))
    })
}

impl Verifier {
    /// Reads the request from the input buffer (header values of the given lengths in
    /// `headerNames` order, `0xffffffff` for absent, then the body), verifies it with `check`,
    /// parses the verified body and fills the result slots.
    fn run<F>(&self, lengths: [u32; MAX_HEADERS], body_len: u32, now: f64, check: F) -> Result<(), JsValue>
    where
        F: for<'a> FnOnce(
            &hookguard::Verifier,
            &'a [(&'static str, &'a [u8]); MAX_HEADERS],
            &'a [u8],
            u64,
        ) -> hookguard::Result<Verified<'a>>,
    {
        INPUT.with(|input| {
            let input = input.borrow();
            let mut rest: &[u8] = &input;
            let mut headers: [(&str, &[u8]); MAX_HEADERS] = [("", &[]); MAX_HEADERS];
            for ((slot, name), len) in headers.iter_mut().zip(self.names).zip(lengths) {
                if len == ABSENT || name.is_empty() {
                    continue;
                }
                let (value, after) =
                    rest.split_at_checked(len as usize).ok_or_else(|| js_error(Error::InvalidJson))?;
                *slot = (name, value);
                rest = after;
            }
            let body = rest.get(..body_len as usize).ok_or_else(|| js_error(Error::InvalidJson))?;
            let now = if now.is_finite() && now > 0.0 { now as u64 } else { 0 };
            let verified = check(&self.inner, &headers, body, now).map_err(js_error)?;
            SCRATCH.with(|scratch| {
                let mut scratch = scratch.borrow_mut();
                if scratch.len() < body.len() {
                    scratch.resize(body.len(), 0);
                }
                let event = match verified.parse(&mut scratch[..]) {
                    Err(Error::ScratchTooSmall { needed }) => {
                        scratch.resize(needed, 0);
                        verified.parse(&mut scratch[..])
                    }
                    parsed => parsed,
                }
                .map_err(js_error)?;
                let key = store_key(&KEY, event.idempotency_key.as_str())?;
                let replay = match &event.replay_key {
                    Some(replay) => store_key(&REPLAY_KEY, replay.as_str())?,
                    None => (0, 0),
                };
                let span = |s: Option<&str>| s.map_or((0, 0), |s| (s.as_ptr() as u32, s.len() as u32));
                let (kind, id, delivery) = (span(event.event_type), span(event.id), span(event.delivery_id));
                let ts = verified.timestamp();
                let ts_value = ts.unwrap_or(0);
                // In the order `RESULT_SLOTS` documents.
                let slots = [
                    kind.0,
                    kind.1,
                    id.0,
                    id.1,
                    key.0,
                    key.1,
                    delivery.0,
                    delivery.1,
                    u32::from(ts.is_some()),
                    ts_value as u32,
                    (ts_value >> 32) as u32,
                    replay.0,
                    replay.1,
                ];
                RESULTS.with(|r| *r.borrow_mut() = slots);
                Ok(())
            })
        })
    }
}

/// A run token for `run_id` until `expires_at` (Unix seconds), signed with `secret`: what a
/// browser needs to watch one run at the edge worker's live route (`hookguard::run_token`).
///
/// # Errors
/// `{ code, status }` for a secret the core refuses (shorter than `MIN_SECRET_LEN` bytes, or
/// blank) or an expiry that is not a whole number of seconds.
#[wasm_bindgen(js_name = runToken)]
pub fn run_token(secret: &str, run_id: &str, expires_at: f64) -> Result<String, JsValue> {
    if !(expires_at.is_finite() && expires_at >= 0.0 && expires_at.fract() == 0.0 && expires_at < 9.0e15) {
        return Err(js_error(Error::MalformedTimestamp));
    }
    let token = hookguard::run_token(secret.as_bytes(), run_id, expires_at as u64).map_err(js_error)?;
    Ok(token.as_str().into())
}
