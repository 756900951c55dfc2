//! `GET /dashboard`: the deliveries, refusals and counts, served by the worker itself (no CDN,
//! no external fonts or scripts), behind `ADMIN_TOKEN`. A sign-in form sets a signed,
//! expiring `HttpOnly; Secure; SameSite=Strict` cookie; a bearer header works too. Without
//! `ADMIN_TOKEN` every dashboard route answers 404.
//!
//! The page is static; its script reads the JSON APIs and writes every value with
//! `textContent`, and the content security policy allows scripts from this origin only, so
//! nothing from a payload or a header can run.

use worker::web_sys::Response;
use worker::{Env, Method, Request};

use crate::admin;
use crate::clock;
use crate::config::Settings;
use crate::rate_limit;
use crate::reply::{self, Refusal, query_param};
use crate::session;
use crate::webhook;

const PAGE: &str = include_str!("../dashboard/index.html");
const SIGN_IN: &str = include_str!("../dashboard/sign-in.html");
const SCRIPT: &str = include_str!("../dashboard/app.js");
const STYLE: &str = include_str!("../dashboard/app.css");
/// The most of a sign-in form read, in bytes: a token, form-encoded, with room to spare.
const MAX_FORM: usize = 4096;

const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
    img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What a dashboard route serves.
pub enum Asset {
    Page,
    Script,
    Style,
    SignIn,
    SignOut,
}

pub async fn serve(asset: Asset, req: Request, env: &Env) -> Result<Response, Refusal> {
    let settings = Settings::load(env)?;
    let token = settings.admin_token.get()?.ok_or(Refusal::NotFound)?;
    match asset {
        Asset::Script => Ok(file(SCRIPT, "text/javascript; charset=utf-8", 200, &[])),
        Asset::Style => Ok(file(STYLE, "text/css; charset=utf-8", 200, &[])),
        Asset::Page => match admin::authorize(&req, &settings, None) {
            Ok(()) => Ok(file(PAGE, "text/html; charset=utf-8", 200, &[])),
            Err(_) => Ok(sign_in_page(false)),
        },
        // Signing in or out comes from this origin only: no other site signs anyone in or out.
        Asset::SignIn | Asset::SignOut if !admin::same_origin(&req) => Err(Refusal::Unauthorized),
        Asset::SignIn => {
            // Guesses are throttled like webhooks, per client.
            rate_limit::check(env, &req.headers().0, "sign-in").await?;
            let form = webhook::read_capped(req.inner(), &req.inner().headers(), MAX_FORM).await?;
            let given = query_param(&String::from_utf8_lossy(&form), "token").unwrap_or_default();
            if !bool::from(admin::token_matches(given.as_bytes(), token)) {
                return Ok(sign_in_page(true));
            }
            let now = clock::now_ms() / 1000;
            let cookie = session::issue(token, now).ok_or(Refusal::NotConfigured)?;
            Ok(see_other(&session::set_cookie(Some(&cookie))))
        }
        Asset::SignOut => Ok(see_other(&session::set_cookie(None))),
    }
}

/// The methods each asset answers.
pub fn method(asset: &Asset) -> Method {
    match asset {
        Asset::SignIn | Asset::SignOut => Method::Post,
        _ => Method::Get,
    }
}

fn sign_in_page(wrong: bool) -> Response {
    let notice = if wrong { "<p class=\"error\" role=\"alert\">That token is not right.</p>" } else { "" };
    file(
        &SIGN_IN.replace("<!--notice-->", notice),
        "text/html; charset=utf-8",
        if wrong { 401 } else { 200 },
        &[],
    )
}

fn see_other(cookie: &str) -> Response {
    file("", "text/plain", 303, &[("location", "/dashboard"), ("set-cookie", cookie)])
}

fn file(body: &str, content_type: &str, status: u16, extra: &[(&str, &str)]) -> Response {
    let headers = [
        ("content-type", content_type),
        ("cache-control", "no-store"),
        ("content-security-policy", POLICY),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
    ];
    reply::answer(body, status, &[&headers, extra].concat())
}
