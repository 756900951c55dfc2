//! Calling the Worker's Durable Objects, and the integers their SQLite stores. Rust objects
//! cannot be called over JS RPC, so every call is a POST of `https://object/{op}` to the
//! object's stub, and the object reads `op` back from the path.

use worker::{Env, Method, Request, RequestInit, Response, Result, SqlStorageValue};

/// POSTs `body` as `op` to the object named `name` of the namespace bound as `binding`.
pub async fn call(env: &Env, binding: &str, name: &str, op: &str, body: Option<&[u8]>) -> Result<Response> {
    let stub = env.durable_object(binding)?.get_by_name(name)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(body.map(|b| worker::js_sys::Uint8Array::from(b).into()));
    stub.fetch_with_request(Request::new_with_init(&format!("https://object/{op}"), &init)?).await
}

/// The `op` a call names, inside the object.
pub fn op(req: &Request) -> String {
    crate::reply::path_and_query(&req.inner().url()).0.trim_start_matches('/').to_string()
}

/// A time or count as the objects' SQLite stores it (saturating: they never come near).
pub fn int(value: u64) -> SqlStorageValue {
    SqlStorageValue::Integer(i64::try_from(value).unwrap_or(i64::MAX))
}
