//! The edge worker's commands: build it, run it locally, and send it signed samples.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use hookguard::{Scheme, SecretFormat, Verifier};

use crate::{Result, WASM_RUSTFLAGS, origin, root, run, tools};

/// Built-in samples: one of each Trigger.dev event type.
const SAMPLES: [(&str, &[u8]); 10] = [
    ("alert.run.failed", include_bytes!("../../core/samples/trigger/alert.run.failed.json")),
    ("alert.deployment.success", include_bytes!("../../core/samples/trigger/alert.deployment.success.json")),
    ("alert.deployment.failed", include_bytes!("../../core/samples/trigger/alert.deployment.failed.json")),
    ("alert.error", include_bytes!("../../core/samples/trigger/alert.error.json")),
    ("run.completed", include_bytes!("../../core/samples/trigger/run.completed.json")),
    ("run.failed", include_bytes!("../../core/samples/trigger/run.failed.json")),
    ("run.canceled", include_bytes!("../../core/samples/trigger/run.canceled.json")),
    ("run.started", include_bytes!("../../core/samples/trigger/run.started.json")),
    ("run.reattempting", include_bytes!("../../core/samples/trigger/run.reattempting.json")),
    ("legacy", include_bytes!("../../core/samples/trigger/legacy.json")),
];

const LOCAL: &str = "http://127.0.0.1:8787";

fn worker_dir() -> PathBuf {
    root().join("edge-worker")
}

fn dev_vars() -> PathBuf {
    worker_dir().join(".dev.vars")
}

/// worker-build's default export: its Entrypoint class behind a Proxy, which workerd constructs
/// (with a second Proxy and one more per method read) for every request.
const CLASS_EXPORT: &str = "var shim_default = new Proxy(Entrypoint, classProxyHooks);";

/// The same handlers as a plain object, with the same recovery: a trapped Wasm instance is
/// reset before the next call. Measured in local workerd against the JS worker under invalid
/// traffic: 0.81x its requests/s with the Proxy, 0.93x without.
const OBJECT_EXPORT: &str = "var shim_default = {
  fetch: (request, env, ctx) => handle(\"fetch\", request, env, ctx),
  scheduled: (event, env, ctx) => handle(\"scheduled\", event, env, ctx),
};
function handle(name, arg, env, ctx) {
  checkReinitialize();
  const critical = (e) => {
    handleMaybeCritical(e);
    throw e;
  };
  try {
    return Entrypoint.prototype[name].call({ env, ctx }, arg).catch(critical);
  } catch (e) {
    critical(e);
  }
}";

/// `worker-build --release` with local wasm-bindgen, wasm-opt and esbuild (never downloaded),
/// its stateless handlers exported as an object (Durable Objects keep their class proxies),
/// then minified.
pub fn build() -> Result {
    let env = tools::worker_env()?;
    run(Command::new("worker-build")
        .arg("--release")
        .current_dir(worker_dir())
        .envs(env)
        .env("RUSTFLAGS", WASM_RUSTFLAGS)
        .env("NO_MINIFY", "1"))?;
    let index = worker_dir().join("build/index.js");
    let bundle = std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    if bundle.matches(CLASS_EXPORT).count() != 1 {
        return Err(format!(
            "{}: worker-build's default export changed; update CLASS_EXPORT",
            index.display()
        ));
    }
    std::fs::write(&index, bundle.replace(CLASS_EXPORT, OBJECT_EXPORT)).map_err(|e| e.to_string())?;
    run(Command::new(tools::esbuild())
        .arg(&index)
        .args(["--minify", "--format=esm"])
        .args(["--log-level=warning", "--allow-overwrite"])
        .arg(format!("--outfile={}", index.display())))
}

/// Where `cargo xtask dev`'s development origin listens.
const ORIGIN_PORT: u16 = 8788;

/// Starts the worker on 127.0.0.1:8787 with local KV, Durable Objects (the ledger, runs,
/// stats) and alarms, and a development origin on 127.0.0.1:8788 that verifies what it receives
/// (wrangler builds the worker first).
pub fn dev() -> Result {
    let env = tools::worker_env()?;
    let vars = dev_vars();
    let added = ensure_dev_vars()?;
    println!("Development secrets and tokens: {} ({added} added now; never committed)", vars.display());
    let secret = dev_var("FORWARD_SECRET").ok_or("no FORWARD_SECRET in .dev.vars")?;
    origin::start(ORIGIN_PORT, &secret)?;
    println!("Development origin on http://127.0.0.1:{ORIGIN_PORT}: it verifies and prints every delivery.");
    println!(
        "Local KV, the ledger and run objects live in edge-worker/.wrangler/state. Once the worker is up:"
    );
    println!("    cargo xtask send alert.run.failed          # or any of: {}", sample_names());
    println!("    cargo xtask send --scheme stripe --file event.json");
    println!("    open http://127.0.0.1:8787/dashboard and sign in with ADMIN_TOKEN from {}", vars.display());
    run(Command::new("wrangler")
        .args(["dev", "--ip", "127.0.0.1", "--port", "8787"])
        .current_dir(worker_dir())
        .envs(env))
}

fn sample_names() -> String {
    SAMPLES.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
}

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("/dev/urandom: {e}"))?;
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        for i in 0..4 {
            let c = if i <= chunk.len() {
                T.get(((n >> (18 - 6 * i)) & 63) as usize).copied()
            } else {
                Some(b'=')
            };
            out.push(char::from(c.unwrap_or(b'=')));
        }
    }
    out
}

/// A sample as Trigger.dev would send it at `now`: its signed `created` (which the worker checks
/// against a max age of an hour) set to `now`.
fn created_now(sample: &[u8], now: u64) -> Vec<u8> {
    let text = String::from_utf8_lossy(sample);
    let Some(start) = text.find(r#""created":""#).map(|i| i + r#""created":""#.len()) else {
        return sample.to_vec();
    };
    let end = text[start..].find('"').map_or(start, |n| start + n);
    format!("{}{}{}", &text[..start], hookguard::Unit::Rfc3339.format(now), &text[end..]).into_bytes()
}

/// Fresh development values for every variable `.dev.vars` holds: a secret per scheme, the
/// forward target (the development origin) and its key, the API tokens and the run-token
/// secret.
fn development_values() -> Result<Vec<(String, String)>> {
    let whsec = || Ok::<_, String>(format!("whsec_{}", base64(&random_bytes::<32>()?)));
    let mut values = Vec::new();
    for &scheme in Scheme::ALL {
        let value = match scheme.spec().secret {
            SecretFormat::Whsec => whsec()?,
            SecretFormat::Text => format!("dev_{}", hex(&random_bytes::<16>()?)),
            // A public key comes from the provider (Discord's application page), with its
            // private key: there is nothing to make up here.
            SecretFormat::HexPublicKey => continue,
        };
        values.push((scheme.secret_var().to_string(), value));
    }
    values.push(("FORWARD_URL".into(), format!("http://127.0.0.1:{ORIGIN_PORT}/webhooks")));
    values.push(("FORWARD_SECRET".into(), whsec()?));
    values.push(("ADMIN_TOKEN".into(), format!("dev_admin_{}", hex(&random_bytes::<16>()?))));
    values.push(("RUNS_API_TOKEN".into(), format!("dev_runs_{}", hex(&random_bytes::<16>()?))));
    values.push(("LIVE_TOKEN_SECRET".into(), format!("dev_live_{}", hex(&random_bytes::<16>()?))));
    Ok(values)
}

/// Writes the `.dev.vars` values that are missing (all of them on a first run), keeping the
/// rest; returns how many it added.
fn ensure_dev_vars() -> Result<usize> {
    let path = dev_vars();
    let mut text = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        "# Development secrets for `wrangler dev`, made by `cargo xtask dev`. Never deploy these.\n".into()
    });
    let has = |name: &str| {
        text.lines().any(|line| line.strip_prefix(name).is_some_and(|rest| rest.starts_with('=')))
    };
    let missing: Vec<(String, String)> =
        development_values()?.into_iter().filter(|(name, _)| !has(name)).collect();
    for (name, value) in &missing {
        text.push_str(&format!("{name}=\"{value}\"\n"));
    }
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(missing.len())
}

/// The value of `NAME="value"` in `.dev.vars`.
fn dev_var(name: &str) -> Option<String> {
    let text = std::fs::read_to_string(dev_vars()).ok()?;
    text.lines().find_map(|line| {
        let value = line.strip_prefix(name)?.strip_prefix('=')?;
        Some(value.trim().trim_matches('"').to_string())
    })
}

const SEND_USAGE: &str =
    "usage: cargo xtask send [SAMPLE | --file PATH] [--scheme SCHEME] [--url URL] [--secret SECRET] [--print]
  SAMPLE    a built-in Trigger.dev event (default alert.run.failed)
  --file    post this file's bytes instead
  --scheme  trigger (default), standard, svix, stripe, github, slack, shopify
  --url     default http://127.0.0.1:8787 plus the scheme's route
  --secret  default: the scheme's secret in edge-worker/.dev.vars
  --print   print the signed headers and a curl command instead of sending";

/// Signs a sample or a file with the core and posts it (plain HTTP, for the local worker), or
/// prints a curl command with the signed headers (for anywhere else).
pub fn send(args: &[String]) -> Result {
    let mut scheme = Scheme::TRIGGER;
    let (mut sample, mut file, mut url, mut secret, mut print) = (None, None, None, None, false);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().cloned().ok_or_else(|| format!("{arg} needs a value\n{SEND_USAGE}"));
        match arg.as_str() {
            "--file" => file = Some(value()?),
            "--scheme" => {
                let name = value()?;
                scheme =
                    Scheme::from_name(&name).ok_or_else(|| format!("unknown scheme {name}\n{SEND_USAGE}"))?;
            }
            "--url" => url = Some(value()?),
            "--secret" => secret = Some(value()?),
            "--print" => print = true,
            "-h" | "--help" => return Err(SEND_USAGE.to_string()),
            name if sample.is_none() && !name.starts_with('-') => sample = Some(name.to_string()),
            other => return Err(format!("unexpected {other}\n{SEND_USAGE}")),
        }
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_err(|e| e.to_string())?.as_secs();
    let body = match (&file, sample.as_deref().unwrap_or("alert.run.failed")) {
        (Some(path), _) => std::fs::read(path).map_err(|e| format!("{path}: {e}"))?,
        (None, name) => SAMPLES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, bytes)| created_now(bytes, now))
            .ok_or_else(|| format!("no sample {name}; samples: {}", sample_names()))?,
    };
    let secret_name = scheme.secret_var().to_string();
    let secret = secret.or_else(|| dev_var(&secret_name)).ok_or_else(|| {
        format!("no secret: pass --secret, or run `cargo xtask dev` once to create {}", dev_vars().display())
    })?;
    let route = if scheme == Scheme::TRIGGER {
        "/api/v2/webhooks/trigger".to_string()
    } else {
        format!("/webhooks/{}", scheme.name())
    };
    let url = url.unwrap_or_else(|| format!("{LOCAL}{route}"));

    let id = format!("msg_{}", hex(&random_bytes::<12>()?));
    let mut verifier = Verifier::new(scheme, &[secret.as_str()]).map_err(|e| format!("secret: {e}"))?;
    // A scheme that signs its URL (Square) signs the one it is sent to, as the worker checks
    // it when no registered URL is configured.
    if scheme.spec().signs_url() {
        verifier = verifier.with_url(&url).map_err(|e| format!("--url: {e}"))?;
    }
    let headers = verifier.sign(&body, Some(&id), now).map_err(|e| e.to_string())?;
    let headers: Vec<(String, String)> =
        headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();

    if print {
        let mut curl = format!("curl -sS -X POST '{url}' -H 'content-type: application/json'");
        for (name, value) in &headers {
            curl.push_str(&format!(" -H '{name}: {value}'"));
        }
        match &file {
            Some(path) => curl.push_str(&format!(" --data-binary @'{path}'")),
            None => curl.push_str(&format!(
                " --data-binary '{}'",
                String::from_utf8_lossy(&body).replace('\'', "'\\''")
            )),
        }
        println!("{curl}");
        return Ok(());
    }
    let (status, answer) = post(&url, &headers, &body)?;
    println!("{status} {answer}");
    if (200..300).contains(&status) { Ok(()) } else { Err(format!("the worker answered {status}")) }
}

/// A minimal HTTP/1.1 POST over plain TCP: enough for the local worker, no TLS.
fn post(url: &str, headers: &[(String, String)], body: &[u8]) -> Result<(u16, String)> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs can be sent to directly; use --print for curl")?;
    let (authority, path) =
        rest.split_once('/').map_or((rest, "/".to_string()), |(a, p)| (a, format!("/{p}")));
    let address = if authority.contains(':') { authority.to_string() } else { format!("{authority}:80") };
    let mut stream = TcpStream::connect(&address)
        .map_err(|e| format!("{address}: {e} (is the worker running? start it with `cargo xtask dev`)"))?;
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nhost: {authority}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).and_then(|()| stream.write_all(body)).map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&response);
    let status =
        text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or("no HTTP status in the answer")?;
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    Ok((status, if chunked { dechunk(body) } else { body.trim().to_string() }))
}

/// The payload of a chunked HTTP/1.1 body.
fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else { break };
        if size == 0 {
            break;
        }
        out.push_str(rest.get(..size).unwrap_or(rest));
        body = rest.get(size..).unwrap_or_default().trim_start_matches("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::created_now;

    #[test]
    fn samples_are_sent_as_created_now() {
        let sample = br#"{"id":"evt_1","created":"2026-11-20T14:03:11.482Z","type":"alert.run.failed"}"#;
        assert_eq!(
            created_now(sample, 1_767_225_600),
            br#"{"id":"evt_1","created":"2026-01-01T00:00:00Z","type":"alert.run.failed"}"#.to_vec()
        );
        let flat = br#"{"runId":"run_1"}"#;
        assert_eq!(created_now(flat, 1_767_225_600), flat.to_vec());
    }
}
