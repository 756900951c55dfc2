//! The time, as the runtime gives it (in Workers it stands still between I/O).

/// Milliseconds since the Unix epoch: `Date.now()`, without the `Date` object (and its second
/// call) that `worker::Date::now` makes each time.
pub fn now_ms() -> u64 {
    worker::js_sys::Date::now() as u64
}
