// The edge worker inside workerd (Miniflare 4) with a real local KV, Rate Limiting binding,
// SQLite Durable Objects (the ledger and the runs) and their alarms, delivering to a real
// origin on 127.0.0.1 that verifies every delivery. Run by `cargo xtask test`, which builds
// the worker first (build/index.js + build/index_bg.wasm).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { startChat, startOrigin } from "./upstream.mjs";
import { workerOptions } from "./worker.mjs";
import { Webhook } from "standardwebhooks";
import { nowSeconds, randomId, signFor } from "./sign.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const workerDir = path.resolve(here, "..");
const samples = path.resolve(workerDir, "../core/samples/trigger");

const SECRETS = {
  TRIGGER_WEBHOOK_SECRET: "tr_current_6J9wq2",
  TRIGGER_WEBHOOK_SECRET_PREVIOUS: "tr_previous_0Pz8k1",
  STANDARD_WEBHOOK_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  SVIX_WEBHOOK_SECRET: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
  STRIPE_WEBHOOK_SECRET: "whsec_stripe_test_4eC39HqLyjWDarjtT1zdp7dc",
  GITHUB_WEBHOOK_SECRET: "It's a Secret to Everybody",
  SLACK_WEBHOOK_SECRET: "8f742231b10e8888abcd99yyyzzz85a5",
  SHOPIFY_WEBHOOK_SECRET: "shpss_0123456789abcdef0123456789abcdef",
  VERCEL_WEBHOOK_SECRET: "vercel-webhook-secret-5b1c",
  SQUARE_WEBHOOK_SECRET: "square-signature-key-8d2e",
  SQUARE_WEBHOOK_URL: "https://hooks.example.com/webhooks/square",
  LINEAR_WEBHOOK_SECRET: "lin_wh_secret_3f9a0b1c",
};
const FORWARD_SECRET = "whsec_dGhpcy1pcy1hLWZvcndhcmQta2V5LTMyYnl0ZXMh";
const ADMIN_TOKEN = "admin-token-7c1e0f9a";
const RUNS_API_TOKEN = "runs-token-9f2c41d0";
const LIVE_TOKEN_SECRET = "live-token-secret-5e0c1a77";
/** Short enough to run the whole schedule in a test: 5 attempts in about 4 s. */
const SCHEDULE = "1,1,1,1";
const SCHEMES = ["trigger", "standard", "svix", "stripe", "github", "slack", "shopify"];
// Discord verifies with the application's public key; the test signs with its private key.
const discordKeys = crypto.generateKeyPairSync("ed25519");
SECRETS.DISCORD_WEBHOOK_SECRET = Buffer.from(discordKeys.publicKey.export({ format: "jwk" }).x, "base64url").toString("hex");
const secretOf = (scheme) =>
  scheme === "discord" ? discordKeys.privateKey : SECRETS[`${scheme.toUpperCase()}_WEBHOOK_SECRET`];

/** Every line the Worker logged, across all instances. */
const logs = [];

function start({ bindings = {}, limit = 10_000, persist } = {}) {
  return new Miniflare(
    workerOptions({
      ...(persist ? { kvPersist: `${persist}/kv`, durableObjectsPersist: `${persist}/do` } : {}),
      ratelimits: { RATE_LIMITER: { namespace_id: "1001", simple: { limit, period: 60 } } },
      bindings,
      handleRuntimeStdio(stdout, stderr) {
        for (const stream of [stdout, stderr]) {
          stream.on("data", (chunk) => logs.push(...chunk.toString().split("\n").filter(Boolean)));
        }
      },
    }),
  );
}

let ip = 0;
/** A fresh client address, so that tests do not share a rate-limit bucket. */
const client = () => `198.51.100.${(ip++ % 250) + 1}`;

async function post(mf, url, body, headers, from = client()) {
  const logIndex = logs.length;
  const res = await mf.dispatchFetch(`http://localhost${url}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "cf-connecting-ip": from, ...headers },
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers, logIndex };
}

/** The Worker's log line for a request that `post` sent (the first webhook line after it). */
async function loggedLine(res) {
  const isRequest = (l) => l.includes('"method":"POST"') && l.includes('"path":"/');
  await waitFor(() => logs.slice(res.logIndex).some(isRequest), "the request's log line");
  const line = logs.slice(res.logIndex).find(isRequest);
  return JSON.parse(line.slice(line.indexOf("{")));
}

/** Polls `check` until it holds, or fails naming `what`. */
async function waitFor(check, what, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An admin API call with the admin token. */
async function admin(mf, url, method = "GET") {
  const res = await mf.dispatchFetch(`http://localhost${url}`, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

/** Waits until the ledger shows `key`'s delivery (to `destination`) in `status`; returns its detail. */
async function waitForDelivery(key, status, on = mf, destination = "origin") {
  let detail;
  const delivery = () => detail?.deliveries?.find((d) => d.destination === destination);
  await waitFor(async () => {
    detail = (await admin(on, `/api/v2/deliveries/${encodeURIComponent(key)}`)).json;
    return delivery()?.status === status;
  }, `${key} to be ${status} (last seen: ${JSON.stringify(delivery())})`, 15_000);
  return detail;
}

const getRun = (mf, runId) =>
  mf.dispatchFetch(`http://localhost/api/v2/runs/${runId}`, { headers: { authorization: `Bearer ${RUNS_API_TOKEN}` } });

const routeOf = (scheme) => (scheme === "trigger" ? "/api/v2/webhooks/trigger" : `/webhooks/${scheme}`);

/** A Trigger.dev sample as sent now: its signed `created` (checked against a max age) is now. */
const sample = (file) =>
  Buffer.from(fs.readFileSync(path.join(samples, file), "utf8").replace(/"created":"[^"]*"/, `"created":"${new Date().toISOString()}"`));

/** A JSON body of the right shape for `scheme`, with a fresh id. */
function eventBody(scheme, extra = {}) {
  const id = randomId("evt");
  const event = { id, type: "run.completed", run: { id: randomId("run"), status: "COMPLETED" }, ...extra };
  if (scheme === "slack") event.event_id = randomId("Ev");
  return { id, body: Buffer.from(JSON.stringify(event)) };
}

async function send(mf, scheme, body, { secret = secretOf(scheme), ...options } = {}) {
  return post(mf, routeOf(scheme), body, await signFor(scheme, secret, body, options));
}

let mf;
let origin;

before(async () => {
  origin = await startOrigin(FORWARD_SECRET);
  mf = start({
    bindings: {
      ...SECRETS,
      FORWARD_URL: origin.url,
      FORWARD_SECRET,
      ADMIN_TOKEN,
      RUNS_API_TOKEN,
      LIVE_TOKEN_SECRET,
      MAX_BODY_BYTES: "65536",
      TIMESTAMP_TOLERANCE_SECONDS: "300",
      RETRY_SCHEDULE_SECONDS: SCHEDULE,
      FORWARD_TIMEOUT_SECONDS: "2",
    },
  });
  await mf.ready;
});

after(async () => {
  await mf?.dispose();
  await origin?.close();
});

describe("routes", () => {
  test("GET /healthz", async () => {
    const res = await mf.dispatchFetch("http://localhost/healthz");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
  });

  test("unknown paths are 404 and wrong methods 405, as JSON codes", async () => {
    for (const url of ["/", "/nope", "/webhooks/paypal", "/api/v2/webhooks/stripe"]) {
      const res = await mf.dispatchFetch(`http://localhost${url}`, { method: "POST", body: "{}" });
      assert.equal(res.status, 404, url);
      assert.deepEqual(await res.json(), { error: "not_found" }, url);
    }
    const res = await mf.dispatchFetch("http://localhost/api/v2/webhooks/trigger");
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "POST");
    assert.deepEqual(await res.json(), { error: "method_not_allowed" });
  });
});

describe("verification", () => {
  for (const scheme of SCHEMES) {
    test(`a valid ${scheme} request is accepted, recorded and forwarded once`, async () => {
      const { body } = eventBody(scheme);
      const res = await send(mf, scheme, body);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.received, true);
      assert.equal(res.json.duplicate, false);
      assert.equal(res.json.type, "run.completed");
      // Standard Webhooks and Svix deliveries share one key space.
      const prefix = scheme === "svix" ? "standard" : scheme;
      assert.ok(res.json.idempotencyKey.startsWith(`${prefix}:`), res.json.idempotencyKey);
      assert.equal(origin.count(res.json.idempotencyKey), 1);
      const forwarded = origin.received.find((r) => r.id === res.json.idempotencyKey);
      assert.ok(forwarded.body.equals(body), "the origin gets the raw body");
      assert.ok(forwarded.libraryVerified, "the standardwebhooks library verifies the forwarded delivery");
      assert.equal(forwarded.headers["x-hookguard-scheme"], scheme);
      assert.equal(forwarded.headers["x-hookguard-event-type"], "run.completed");
    });
  }

  test("an event id with dots is delivered at once, its webhook-id with %2E for each dot (Standard Webhooks signs id.timestamp.body)", async () => {
    const id = `evt.${randomId("x")}.1`;
    const body = Buffer.from(JSON.stringify({ id, type: "invoice.paid", object: "event" }));
    const res = await send(mf, "stripe", body);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.json.idempotencyKey, res.json.delivery], [`stripe:${id}`, "delivered"]);
    const sentAs = `stripe:${id.replaceAll(".", "%2E")}`;
    assert.equal(origin.count(sentAs), 1);
    const forwarded = origin.received.find((r) => r.id === sentAs);
    assert.ok(forwarded.body.equals(body) && forwarded.libraryVerified, "verified by the standardwebhooks library");
  });

  test("the old /webhooks/trigger route and the x-trigger-signature header also work", async () => {
    const { body } = eventBody("trigger");
    const [, signature] = Object.entries(await signFor("trigger", SECRETS.TRIGGER_WEBHOOK_SECRET, body))[0];
    const res = await post(mf, "/webhooks/trigger", body, { "x-trigger-signature": signature });
    assert.equal(res.status, 200, res.text);
  });

  test("a wrong secret is refused", async () => {
    for (const scheme of SCHEMES) {
      const wrong = scheme === "standard" || scheme === "svix" ? "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" : "wrong";
      const res = await send(mf, scheme, eventBody(scheme).body, { secret: wrong });
      assert.equal(res.status, 401, scheme);
      assert.deepEqual(res.json, { error: "invalid_signature" }, scheme);
    }
  });

  test("the previous secret is accepted during a rotation", async () => {
    const res = await send(mf, "trigger", eventBody("trigger").body, { secret: SECRETS.TRIGGER_WEBHOOK_SECRET_PREVIOUS });
    assert.equal(res.status, 200, res.text);
  });

  test("a tampered body is refused", async () => {
    for (const scheme of SCHEMES) {
      const { body } = eventBody(scheme);
      const headers = await signFor(scheme, secretOf(scheme), body);
      const tampered = Buffer.from(body.toString().replace("COMPLETED", "FAILED"));
      const res = await post(mf, routeOf(scheme), tampered, headers);
      assert.equal(res.status, 401, scheme);
      assert.deepEqual(res.json, { error: "invalid_signature" }, scheme);
    }
  });

  test("stale and future timestamps are refused", async () => {
    for (const scheme of ["standard", "svix", "stripe", "slack"]) {
      // Signed at this second, checked at the worker's: a future stamp loses a second each time
      // the clock ticks between the two (301 read 300, inside the window, in a CI run), a past
      // one only gains. So the future case keeps a few seconds of margin.
      for (const skew of [-301, 305, -86_400]) {
        const res = await send(mf, scheme, eventBody(scheme).body, { timestamp: nowSeconds() + skew });
        assert.equal(res.status, 401, `${scheme} ${skew}`);
        assert.deepEqual(res.json, { error: "timestamp_out_of_tolerance" }, `${scheme} ${skew}`);
      }
      const res = await send(mf, scheme, eventBody(scheme).body, { timestamp: nowSeconds() - 250 });
      assert.equal(res.status, 200, `${scheme} inside the window`);
    }
  });

  test("a missing signature header is refused with its code", async () => {
    const res = await post(mf, "/api/v2/webhooks/trigger", eventBody("trigger").body, {});
    assert.equal(res.status, 401);
    assert.deepEqual(res.json, { error: "missing_signature" });
  });

  test("requests signed by the providers' own libraries are accepted", async () => {
    // standardwebhooks, stripe.webhooks.generateTestHeaderString and @octokit/webhooks-methods
    // are what signFor uses for these schemes; this checks their exact headers once more
    // beside a tampered copy.
    for (const scheme of ["standard", "stripe", "github"]) {
      const { body } = eventBody(scheme);
      const headers = await signFor(scheme, secretOf(scheme), body);
      assert.equal((await post(mf, routeOf(scheme), body, headers)).status, 200, scheme);
      const tampered = Buffer.concat([body.subarray(0, body.length - 1), Buffer.from(" }")]);
      assert.equal((await post(mf, routeOf(scheme), tampered, headers)).status, 401, scheme);
    }
  });
});

describe("bodies", () => {
  test("a body over MAX_BODY_BYTES is refused, by Content-Length and by the bytes read; a streamed one under it is read whole", async () => {
    const big = Buffer.alloc(65_537, 0x20);
    big.write('{"id":"big"}');
    const headers = await signFor("trigger", SECRETS.TRIGGER_WEBHOOK_SECRET, big);
    const res = await post(mf, "/api/v2/webhooks/trigger", big, headers);
    assert.equal(res.status, 413);
    assert.deepEqual(res.json, { error: "payload_too_large" });

    // A streamed body has no Content-Length: the cap applies to what is read.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 17; i++) controller.enqueue(new Uint8Array(4096).fill(0x20));
        controller.close();
      },
    });
    const streamed = await mf.dispatchFetch("http://localhost/api/v2/webhooks/trigger", {
      method: "POST",
      body: stream,
      duplex: "half",
      headers: { ...headers, "cf-connecting-ip": client() },
    });
    assert.equal(streamed.status, 413);
    assert.deepEqual(await streamed.json(), { error: "payload_too_large" });

    // Under the cap, a streamed event is read whole, chunk by chunk, and accepted.
    const { id, body } = eventBody("trigger");
    const chunks = new ReadableStream({
      start(controller) {
        for (let at = 0; at < body.length; at += 16) controller.enqueue(new Uint8Array(body.subarray(at, at + 16)));
        controller.close();
      },
    });
    const accepted = await mf.dispatchFetch("http://localhost/api/v2/webhooks/trigger", {
      method: "POST",
      body: chunks,
      duplex: "half",
      headers: { ...(await signFor("trigger", SECRETS.TRIGGER_WEBHOOK_SECRET, body)), "cf-connecting-ip": client() },
    });
    assert.equal(accepted.status, 200);
    assert.equal((await accepted.json()).idempotencyKey, `trigger:${id}`);
  });

  test("a verified body that is not JSON is a 400 with its code", async () => {
    for (const [body, code] of [
      ["not json", "invalid_json"],
      ["[1,2,3]", "not_an_object"],
      ['{"id":"a"} trailing', "trailing_characters"],
      ['{"type":"a","type":"b"}', "duplicate_key"],
    ]) {
      const res = await send(mf, "trigger", Buffer.from(body));
      assert.equal(res.status, 400, body);
      assert.deepEqual(res.json, { error: code }, body);
    }
  });

  test("non-ASCII and invalid UTF-8 bytes are verified over the raw bytes and forwarded intact", async () => {
    const id = randomId("evt");
    const body = Buffer.concat([
      Buffer.from(`{"id":"${id}","type":"run.failed","run":{"id":"run_bytes","status":"FAILED","error":{"message":"café 🎵 `),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(`"}}}`),
    ]);
    const res = await send(mf, "trigger", body);
    assert.equal(res.status, 200, res.text);
    const forwarded = origin.received.find((r) => r.id === `trigger:${id}`);
    assert.ok(forwarded.body.equals(body), "forwarded byte for byte");
    // The origin verified the raw bytes; the standardwebhooks library, which decodes the body
    // to a string first, cannot (the bug hookguard's byte API avoids).
    assert.equal(forwarded.libraryVerified, false);
    const run = await (await getRun(mf, "run_bytes")).json();
    assert.equal(run.errorMessage, "café 🎵 \ufffd\ufffd\ufffd");
  });
});

describe("exactly once", () => {
  test("a repeat answers duplicate and is not forwarded again", async () => {
    const { id, body } = eventBody("trigger");
    const headers = await signFor("trigger", SECRETS.TRIGGER_WEBHOOK_SECRET, body);
    const first = await post(mf, "/api/v2/webhooks/trigger", body, headers);
    assert.equal(first.status, 200);
    assert.equal(first.json.delivery, "delivered");
    const again = await post(mf, "/api/v2/webhooks/trigger", body, headers);
    assert.equal(again.status, 200);
    assert.deepEqual(again.json, { received: true, duplicate: true });
    assert.equal(origin.count(`trigger:${id}`), 1);
  });

  test("50 concurrent copies: one taken and forwarded, 49 duplicates, no 409", async () => {
    const { id, body } = eventBody("trigger");
    const headers = await signFor("trigger", SECRETS.TRIGGER_WEBHOOK_SECRET, body);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => post(mf, "/api/v2/webhooks/trigger", body, headers)),
    );
    const forwarded = origin.count(`trigger:${id}`);
    const firsts = answers.filter((a) => a.json?.duplicate === false).length;
    console.log(`# 50 concurrent copies: forwarded ${forwarded}; answers ${JSON.stringify(tally(answers.map((a) => a.status)))}; first ${firsts}`);
    assert.equal(forwarded, 1);
    assert.equal(firsts, 1);
    for (const a of answers) assert.equal(a.status, 200, a.text);
    const later = await Promise.all(Array.from({ length: 20 }, () => post(mf, "/api/v2/webhooks/trigger", body, headers)));
    for (const answer of later) assert.deepEqual([answer.status, answer.json], [200, { received: true, duplicate: true }]);
    assert.equal(origin.count(`trigger:${id}`), 1);
  });

  test("KV is only the cache: with its entry removed, a copy is still a duplicate", async () => {
    const { id, body } = eventBody("trigger");
    const headers = await signFor("trigger", SECRETS.TRIGGER_WEBHOOK_SECRET, body);
    const key = `trigger:${id}`;
    assert.equal((await post(mf, "/api/v2/webhooks/trigger", body, headers)).status, 200);
    const kv = await mf.getKVNamespace("HOOKGUARD_KV");
    await waitFor(async () => (await kv.get(`taken:${key}`)) !== null, "the KV cache entry");
    const cached = await loggedLine(await post(mf, "/api/v2/webhooks/trigger", body, headers));
    assert.equal(cached.code, "kv", "answered from KV");
    await kv.delete(`taken:${key}`);
    const again = await post(mf, "/api/v2/webhooks/trigger", body, headers);
    assert.deepEqual(again.json, { received: true, duplicate: true });
    assert.equal((await loggedLine(again)).code, "ledger", "answered by the ledger");
    assert.equal(origin.count(key), 1);
  });

  test("cost per event: one KV write per accepted event, none per duplicate", async () => {
    const { id, body } = eventBody("trigger");
    const headers = await signFor("trigger", SECRETS.TRIGGER_WEBHOOK_SECRET, body);
    const kv = await mf.getKVNamespace("HOOKGUARD_KV");
    const before = (await kv.list({ prefix: "taken:" })).keys.length;
    const first = await loggedLine(await post(mf, "/api/v2/webhooks/trigger", body, headers));
    await waitFor(async () => (await kv.get(`taken:trigger:${id}`)) !== null, "the KV cache entry");
    const fromKv = await loggedLine(await post(mf, "/api/v2/webhooks/trigger", body, headers));
    await kv.delete(`taken:trigger:${id}`);
    const fromLedger = await loggedLine(await post(mf, "/api/v2/webhooks/trigger", body, headers));
    assert.equal((await kv.list({ prefix: "taken:" })).keys.length, before, "the ledger's duplicate writes no KV entry");
    const cost = (line) => ({ kv_reads: line.kv_reads, kv_writes: line.kv_writes, ledger_requests: line.ledger_requests, sql_rows_written: line.sql_rows_written });
    console.log(`# cost first ${JSON.stringify(cost(first))} kv-duplicate ${JSON.stringify(cost(fromKv))} ledger-duplicate ${JSON.stringify(cost(fromLedger))}`);
    const count = (line, field) => line[field] ?? 0;
    assert.deepEqual([first, fromKv, fromLedger].map((l) => count(l, "kv_writes")), [1, 0, 0]);
    assert.deepEqual([first, fromKv, fromLedger].map((l) => count(l, "ledger_requests")), [1, 0, 1]);
    assert.equal(count(fromLedger, "sql_rows_written"), 0);
    assert.ok(first.sql_rows_written > 0);
  });

  test("alert.error, whose id changes on every retry, is deduplicated by its content", async () => {
    const body = sample("alert.error.json");
    const first = await send(mf, "trigger", body);
    const again = await send(mf, "trigger", body);
    assert.equal(first.status, 200, first.text);
    assert.match(first.json.idempotencyKey, /^trigger:sha256-object:[0-9a-f]{64}$/);
    assert.deepEqual(again.json, { received: true, duplicate: true });
  });
});

describe("never lost", () => {
  test("origin down for the first 3 attempts, then up: delivered once, every attempt recorded", async () => {
    const { id, body } = eventBody("trigger");
    const key = `trigger:${id}`;
    origin.failures.set(key, 3);
    const res = await send(mf, "trigger", body);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.json.duplicate, res.json.delivery], [false, "pending"]);
    // The provider's own retries are duplicates now: the ledger owns the event.
    assert.deepEqual((await send(mf, "trigger", body)).json, { received: true, duplicate: true });
    const detail = await waitForDelivery(key, "delivered");
    assert.equal(origin.count(key), 1);
    assert.deepEqual(origin.hits.filter((h) => h.id === key).map((h) => h.status), [503, 503, 503, 200]);
    assert.deepEqual(detail.attempts.map((a) => a.status), [503, 503, 503, 200]);
    assert.deepEqual(detail.attempts.map((a) => a.error), ["http_status", "http_status", "http_status", null]);
    assert.equal(detail.deliveries[0].attempts, 4);
    const gaps = detail.attempts.slice(1).map((a, i) => a.at - detail.attempts[i].at);
    for (const gap of gaps) assert.ok(gap >= 700 && gap < 5_000, `retry gap ${gap} ms (schedule 1 s +-20%)`);
    assert.equal(origin.forged, 0);
  });

  test("origin down past the whole schedule: failed and kept, listed, then replayed once", async () => {
    const { id, body } = eventBody("trigger");
    const key = `trigger:${id}`;
    origin.failures.set(key, 1_000);
    assert.equal((await send(mf, "trigger", body)).status, 200);
    const failed = await waitForDelivery(key, "failed");
    assert.equal(failed.attempts.length, SCHEDULE.split(",").length + 1);
    const listed = await admin(mf, "/api/v2/deliveries?status=failed&limit=500");
    assert.equal(listed.status, 200);
    assert.ok(listed.json.deliveries.some((d) => d.key === key && d.status === "failed"), "listed as failed");
    assert.ok(listed.json.deliveries.every((d) => d.status === "failed"));
    origin.failures.delete(key);
    const replayed = await admin(mf, `/api/v2/deliveries/${encodeURIComponent(key)}/replay`, "POST");
    assert.equal(replayed.status, 200, replayed.text);
    assert.equal(replayed.json.deliveries[0].status, "delivered");
    assert.equal(origin.count(key), 1);
    // A replay sends again even when delivered, with the same webhook-id.
    const again = await admin(mf, `/api/v2/deliveries/${encodeURIComponent(key)}/replay`, "POST");
    assert.equal(again.json.deliveries[0].status, "delivered");
    assert.equal(origin.count(key), 2);
  });

  test("recover retries every failed delivery since a time", async () => {
    const keys = [];
    for (let i = 0; i < 3; i++) {
      const { id, body } = eventBody("trigger");
      keys.push(`trigger:${id}`);
      origin.failures.set(`trigger:${id}`, 1_000);
      assert.equal((await send(mf, "trigger", body)).status, 200);
    }
    for (const key of keys) await waitForDelivery(key, "failed");
    for (const key of keys) origin.failures.delete(key);
    const since = nowSeconds() - 60;
    const recovered = await admin(mf, `/api/v2/deliveries/recover?since=${since}`, "POST");
    assert.equal(recovered.status, 200, recovered.text);
    assert.ok(recovered.json.recovered >= 3, JSON.stringify(recovered.json));
    for (const key of keys) await waitForDelivery(key, "delivered");
    for (const key of keys) assert.equal(origin.count(key), 1);
  });

  test("an origin whose 200 streams an endless body: delivered, and the connection dropped at once", async () => {
    const { id, body } = eventBody("trigger");
    const key = `trigger:${id}`;
    origin.endless = true;
    try {
      const res = await send(mf, "trigger", body);
      assert.deepEqual([res.status, res.json.delivery], [200, "delivered"]);
      const answered = Date.now();
      // Only the status counts; an unread body kept its connection open until the isolate's
      // garbage collector came by.
      await waitFor(() => origin.hungUp.has(key), "the worker to hang up on the endless answer", 5_000);
      assert.ok(origin.hungUp.get(key) - answered < 3_000, "hung up late");
      assert.equal(origin.count(key), 1);
    } finally {
      origin.endless = false;
    }
  });

  for (const code of [301, 302, 307, 308]) {
    test(`an origin answering ${code} is a failed attempt, never followed`, async () => {
      const { id, body } = eventBody("trigger");
      const key = `trigger:${id}`;
      origin.redirects.set(key, code);
      const followedBefore = origin.followed;
      const res = await send(mf, "trigger", body);
      assert.deepEqual([res.status, res.json.delivery], [200, "pending"]);
      const detail = await waitForDelivery(key, "failed");
      assert.ok(detail.attempts.every((a) => a.status === code && a.error === "redirect"));
      assert.equal(origin.followed, followedBefore, "the redirect was followed");
      assert.equal(origin.count(key), 0);
      origin.redirects.delete(key);
    });
  }

  test("a body at the largest MAX_BODY_BYTES with a huge type and id is stored (the row stays under SQLite's 2 MB)", async () => {
    const big = start({ bindings: { ...SECRETS, ADMIN_TOKEN, MAX_BODY_BYTES: "1900000" } });
    try {
      const id = `evt_${"i".repeat(100_000)}`;
      const body = Buffer.from(JSON.stringify({ id, type: "t".repeat(200_000), run: { id: `run_${"r".repeat(100_000)}` }, pad: "p".repeat(1_480_000) }));
      assert.ok(body.length > 1_800_000 && body.length <= 1_900_000, `${body.length} bytes`);
      const res = await send(big, "trigger", body);
      assert.deepEqual([res.status, res.json.duplicate, res.json.delivery], [200, false, "recorded"], res.text);
      assert.deepEqual((await send(big, "trigger", body)).json.duplicate, true);
    } finally {
      await big.dispose();
    }
  });

  test("a provider that disconnects mid-request leaves nothing stuck", async () => {
    const { id, body } = eventBody("trigger");
    const key = `trigger:${id}`;
    const headers = await signFor("trigger", SECRETS.TRIGGER_WEBHOOK_SECRET, body);
    origin.delay = 800;
    const abort = new AbortController();
    const aborted = mf
      .dispatchFetch("http://localhost/api/v2/webhooks/trigger", {
        method: "POST",
        body,
        headers: { ...headers, "content-type": "application/json", "cf-connecting-ip": client() },
        signal: abort.signal,
      })
      .catch((error) => error);
    await waitFor(() => origin.attempts(key) > 0, "the first attempt to start");
    abort.abort();
    await aborted;
    origin.delay = 0;
    // The provider's retry: processed or duplicate, never a 409 or a 5xx.
    const retry = await post(mf, "/api/v2/webhooks/trigger", body, headers);
    assert.equal(retry.status, 200, retry.text);
    await waitForDelivery(key, "delivered");
    assert.ok(origin.count(key) >= 1);
    assert.ok(origin.received.filter((r) => r.id === key).every((r) => r.body.equals(body)));
    console.log(`# disconnect mid-request: delivered ${origin.count(key)} time(s), retry answered ${retry.text}`);
  });

  test("a restart on the same state resumes pending retries", async () => {
    const persist = fs.mkdtempSync(path.join(os.tmpdir(), "hookguard-restart-"));
    const bindings = { ...SECRETS, FORWARD_URL: origin.url, FORWARD_SECRET, ADMIN_TOKEN, RETRY_SCHEDULE_SECONDS: "3,1,1" };
    const { id, body } = eventBody("trigger");
    const key = `trigger:${id}`;
    origin.failures.set(key, 1);
    let first = start({ bindings, persist });
    try {
      const res = await send(first, "trigger", body);
      assert.deepEqual([res.status, res.json.delivery], [200, "pending"]);
    } finally {
      await first.dispose();
    }
    assert.equal(origin.count(key), 0);
    await new Promise((r) => setTimeout(r, 3_500)); // the retry comes due while it is down
    const second = start({ bindings, persist });
    try {
      await waitFor(() => origin.count(key) === 1, "the retry after the restart", 15_000);
      const detail = await admin(second, `/api/v2/deliveries/${encodeURIComponent(key)}`);
      assert.equal(detail.json.deliveries[0].status, "delivered");
      assert.deepEqual(detail.json.attempts.map((a) => a.status), [503, 200]);
      assert.deepEqual((await send(second, "trigger", body)).json, { received: true, duplicate: true });
    } finally {
      await second.dispose();
      fs.rmSync(persist, { recursive: true, force: true });
    }
  });

  test("the scheduled sweep re-arms the ledger's alarms", async () => {
    const worker = await mf.getWorker();
    await worker.scheduled({ cron: "*/10 * * * *" });
    await waitFor(() => logs.some((l) => l.includes('"outcome":"sweep"')), "the sweep's log line");
    const line = logs.find((l) => l.includes('"outcome":"sweep"'));
    assert.equal(JSON.parse(line.slice(line.indexOf("{"))).error, null);
  });

  test("retention runs even while the sweep runs often: the sweep never pushes an alarm later", async () => {
    // Recorded only (no destination), so the sweep is the only one that sets the alarm; the
    // retention is 1 s, so retention runs every second.
    const short = start({ bindings: { ...SECRETS, ADMIN_TOKEN, RETENTION_SECONDS: "1", LEDGER_SHARDS: "1" } });
    try {
      const { body } = eventBody("trigger");
      const res = await send(short, "trigger", body);
      assert.equal(res.json?.delivery, "recorded", res.text);
      const key = encodeURIComponent(res.json.idempotencyKey);
      assert.ok((await admin(short, `/api/v2/deliveries/${key}`)).json.body, "the body is stored");
      const worker = await short.getWorker();
      let detail;
      await waitFor(async () => {
        await worker.scheduled({ cron: "*/10 * * * *" });
        detail = (await admin(short, `/api/v2/deliveries/${key}`)).json;
        return detail?.body === null;
      }, "the body to be purged while sweeps run every 50 ms");
      // The key outlives the body: a copy is still a duplicate.
      assert.deepEqual(detail.deliveries.map((d) => d.status), ["recorded"]);
      assert.deepEqual((await send(short, "trigger", body)).json, { received: true, duplicate: true });
      assert.equal((await admin(short, `/api/v2/deliveries/${key}/replay`, "POST")).status, 410);
    } finally {
      await short.dispose();
    }
  });
});

describe("destinations", () => {
  const APP_SECRET = "whsec_YXBwLW9yaWdpbi1zaWduaW5nLWtleS0zMmJ5dGVz";
  const TASKS_SECRET = "whsec_dGFza3Mtb3JpZ2luLXNpZ25pbmcta2V5LTMyYnk=";
  let app;
  let tasks;
  let chat;
  let routed;

  before(async () => {
    [app, tasks, chat] = await Promise.all([startOrigin(APP_SECRET), startOrigin(TASKS_SECRET), startChat()]);
    // The guide's flow: the app saves, triggers the next task and updates its cache from
    // Trigger.dev events; a task runner takes run events; failures go to chat.
    const destinations = [
      { name: "app", url: app.url, secret: APP_SECRET, schemes: ["trigger"] },
      { name: "tasks", url: tasks.url, secret: TASKS_SECRET, types: ["run.*"] },
      { name: "chat", kind: "chat", url: chat.url, types: ["alert.run.failed", "run.failed"] },
    ];
    routed = start({
      bindings: { ...SECRETS, ADMIN_TOKEN, RETRY_SCHEDULE_SECONDS: SCHEDULE, DESTINATIONS: JSON.stringify(destinations) },
    });
    await routed.ready;
  });

  after(async () => {
    await routed?.dispose();
    await Promise.all([app?.close(), tasks?.close(), chat?.close()]);
  });

  test("filters route each event to the destinations that take it; none is fine too", async () => {
    const failed = await send(routed, "trigger", sample("alert.run.failed.json"));
    const key = failed.json.idempotencyKey;
    assert.equal(failed.status, 200, failed.text);
    assert.deepEqual([app.count(key), tasks.count(key)], [1, 0]);
    await waitFor(() => chat.ids.includes(key), "the chat message");
    const message = chat.messages[chat.ids.indexOf(key)];
    for (const part of ["Run failed: generate-track run #1842 (prod)", "vocals", "https://cloud.trigger.dev/projects/v3/proj_abc/runs/run_cm3x9a0b1c2d3e4f5g6h7i8j"]) {
      assert.ok(message.includes(part), `${part} in ${message}`);
    }

    const { body } = eventBody("trigger"); // run.completed: the app and the task runner, no chat
    const completed = await send(routed, "trigger", body);
    assert.deepEqual([app.count(completed.json.idempotencyKey), tasks.count(completed.json.idempotencyKey)], [1, 1]);

    const other = Buffer.from(JSON.stringify({ id: randomId("evt"), type: "invoice.paid" }));
    const nowhere = await send(routed, "standard", other);
    assert.deepEqual([nowhere.status, nowhere.json.delivery], [200, "recorded"]);
    const detail = await admin(routed, `/api/v2/deliveries/${encodeURIComponent(nowhere.json.idempotencyKey)}`);
    assert.deepEqual(detail.json.deliveries.map((d) => [d.destination, d.status]), [[null, "recorded"]]);
    assert.equal(app.received.length + tasks.received.length, 3);
    assert.equal(app.forged + tasks.forged, 0, "each destination verifies with its own key");
  });

  test("a destination that never answers holds up another's retry by one timeout at most", async () => {
    const [fast, hung] = await Promise.all([startOrigin(APP_SECRET), startOrigin(TASKS_SECRET)]);
    hung.delay = 15_000;
    const destinations = [
      { name: "fast", url: fast.url, secret: APP_SECRET, types: ["fast.thing"] },
      { name: "hung", url: hung.url, secret: TASKS_SECRET, types: ["hung.thing"] },
    ];
    const one = start({
      bindings: { ...SECRETS, ADMIN_TOKEN, FORWARD_TIMEOUT_SECONDS: "1", RETRY_SCHEDULE_SECONDS: "1,1,1,1,1,1,1,1,1,1", LEDGER_SHARDS: "1", DESTINATIONS: JSON.stringify(destinations) },
    });
    try {
      const typed = (type) => Buffer.from(JSON.stringify({ id: randomId("evt"), type }));
      // 150 deliveries to the destination that never answers, due again about a second after
      // their first attempts time out: a round of 16 attempts takes the whole timeout.
      const stuck = await Promise.all(Array.from({ length: 150 }, () => send(one, "trigger", typed("hung.thing"))));
      assert.ok(stuck.every((r) => r.status === 200 && r.json.delivery === "pending"), "all stored, pending");
      await new Promise((r) => setTimeout(r, 1_500));
      const body = typed("fast.thing");
      const key = `trigger:${JSON.parse(body).id}`;
      fast.failures.set(key, 1);
      const sent = Date.now();
      assert.equal((await send(one, "trigger", body)).json.delivery, "pending");
      await waitFor(() => fast.count(key) === 1, "the retry to the destination that answers", 20_000);
      const waited = Date.now() - sent;
      // Its retry is due in about 1 s; oldest-first rounds of 16 would put it behind all 150.
      assert.ok(waited < 5_000, `the retry came ${waited} ms after the event`);
    } finally {
      await one.dispose();
      await Promise.all([fast.close(), hung.close()]);
    }
  });

  test("one destination down: the others have the event at once, it gets it later, once", async () => {
    const { body } = eventBody("trigger");
    const headers = await signFor("trigger", SECRETS.TRIGGER_WEBHOOK_SECRET, body);
    const key = `trigger:${JSON.parse(body).id}`;
    tasks.failures.set(key, 2);
    const res = await post(routed, "/api/v2/webhooks/trigger", body, headers);
    assert.deepEqual([res.status, res.json.delivery], [200, "pending"]);
    assert.equal(app.count(key), 1, "the app had it during the request");
    await waitForDelivery(key, "delivered", routed, "tasks");
    assert.deepEqual([app.count(key), tasks.count(key), tasks.attempts(key)], [1, 1, 3]);
    const listed = await admin(routed, "/api/v2/deliveries?destination=tasks&limit=500");
    assert.ok(listed.json.deliveries.every((d) => d.destination === "tasks"));
    assert.ok(listed.json.deliveries.some((d) => d.key === key));
  });

  test("50 concurrent copies: each destination receives the event exactly once", async () => {
    const id = randomId("evt");
    const body = Buffer.from(JSON.stringify({ id, type: "run.failed", run: { id: randomId("run"), status: "FAILED", number: 4 } }));
    const headers = await signFor("trigger", SECRETS.TRIGGER_WEBHOOK_SECRET, body);
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(routed, "/api/v2/webhooks/trigger", body, headers)));
    assert.ok(answers.every((a) => a.status === 200));
    assert.equal(answers.filter((a) => a.json.duplicate === false).length, 1);
    const key = `trigger:${id}`;
    await waitFor(() => chat.ids.filter((i) => i === key).length === 1, "the chat message");
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual([app.count(key), tasks.count(key), chat.ids.filter((i) => i === key).length], [1, 1, 1]);
  });

  test("replaying one destination leaves the others alone", async () => {
    const { body } = eventBody("trigger");
    const key = (await send(routed, "trigger", body)).json.idempotencyKey;
    const replayed = await admin(routed, `/api/v2/deliveries/${encodeURIComponent(key)}/replay?destination=tasks`, "POST");
    assert.equal(replayed.status, 200, replayed.text);
    assert.deepEqual([app.count(key), tasks.count(key)], [1, 2]);
    const unknown = await admin(routed, `/api/v2/deliveries/${encodeURIComponent(key)}/replay?destination=nope`, "POST");
    assert.deepEqual([unknown.status, unknown.json], [409, { error: "no_destination" }]);
  });

  test("a bad DESTINATIONS answers not_configured and logs which entry is wrong", async () => {
    const bad = [{ name: "app", url: app.url, secret: APP_SECRET }, { name: "crm", url: "http://crm.example/hook", secret: APP_SECRET }];
    const broken = start({ bindings: { ...SECRETS, DESTINATIONS: JSON.stringify(bad) } });
    try {
      const res = await send(broken, "trigger", eventBody("trigger").body);
      assert.deepEqual([res.status, res.json], [500, { error: "not_configured" }]);
      await waitFor(() => logs.some((l) => l.includes("not_configured") && l.includes('destination \\"crm\\": url')), "the reason in the log");
      assert.ok(!logs.join("\n").includes(APP_SECRET), "a secret was logged");
    } finally {
      await broken.dispose();
    }
  });

  test("settings that do not parse fail closed and log their name, never their value", async () => {
    const twice = JSON.stringify(JSON.stringify([{ name: "app", url: app.url, secret: APP_SECRET }]));
    for (const [name, value] of [["DESTINATIONS", twice], ["LEDGER_SHARDS", "eight"], ["RETENTION_SECONDS", "3d"], ["MAX_BODY_BYTES", "3000000"], ["RETRY_SCHEDULE_SECONDS", "5,99999999999"], ["LIVE_MAX_WATCHERS", "20000"]]) {
      const from = logs.length;
      const broken = start({ bindings: { ...SECRETS, [name]: value } });
      try {
        const res = await send(broken, "trigger", eventBody("trigger").body);
        assert.deepEqual([res.status, res.json], [500, { error: "not_configured" }], name);
        await waitFor(() => logs.slice(from).some((l) => l.includes("not_configured") && l.includes(name)), `${name} named in the log`);
        assert.ok(!logs.slice(from).join("\n").includes(APP_SECRET), `${name}: a secret was logged`);
      } finally {
        await broken.dispose();
      }
    }
  });
});

describe("deliveries API", () => {
  test("without ADMIN_TOKEN it is absent (404); with it, a wrong or missing token is 401", async () => {
    const bare = start({ bindings: SECRETS });
    try {
      for (const [method, url] of [["GET", "/api/v2/deliveries"], ["GET", "/api/v2/deliveries/trigger%3Aevt_1"], ["POST", "/api/v2/deliveries/recover?since=0"], ["POST", "/api/v2/deliveries/trigger%3Aevt_1/replay"]]) {
        const res = await bare.dispatchFetch(`http://localhost${url}`, { method, headers: { authorization: "Bearer anything" } });
        assert.equal(res.status, 404, url);
      }
    } finally {
      await bare.dispose();
    }
    for (const authorization of [undefined, "Bearer wrong", ADMIN_TOKEN, `Bearer ${ADMIN_TOKEN}x`, `Bearer ${RUNS_API_TOKEN}`]) {
      const res = await mf.dispatchFetch("http://localhost/api/v2/deliveries", { headers: authorization ? { authorization } : {} });
      assert.equal(res.status, 401, String(authorization));
      assert.deepEqual(await res.json(), { error: "unauthorized" });
    }
    assert.equal((await admin(mf, "/api/v2/deliveries?status=bogus")).status, 400);
    assert.equal((await admin(mf, "/api/v2/deliveries?limit=0")).status, 400);
    assert.equal((await admin(mf, "/api/v2/deliveries/no-such-key")).status, 404);
  });

  test("an ADMIN_TOKEN or RUNS_API_TOKEN under 16 bytes fails closed: its routes answer not_configured, webhooks still flow", async () => {
    const from = logs.length;
    const weak = start({ bindings: { ...SECRETS, ADMIN_TOKEN: "admin", RUNS_API_TOKEN: "runs-2024" } });
    try {
      // A token that short falls to an online guess: no route opens with it, nor with any other.
      for (const [url, token] of [["/api/v2/deliveries", "admin"], ["/api/v2/stats", "admin"], ["/api/v2/runs/run_x", "runs-2024"], ["/api/v2/runs/run_x", "admin"], ["/api/v2/deliveries", "wrong"]]) {
        const res = await weak.dispatchFetch(`http://localhost${url}`, { headers: { authorization: `Bearer ${token}` } });
        assert.deepEqual([res.status, await res.json()], [500, { error: "not_configured" }], `${url} with ${token}`);
      }
      const page = await weak.dispatchFetch("http://localhost/dashboard");
      assert.equal(page.status, 500, "the dashboard");
      assert.equal((await send(weak, "trigger", eventBody("trigger").body)).status, 200, "webhooks are not behind these tokens");
      await waitFor(() => ["ADMIN_TOKEN", "RUNS_API_TOKEN"].every((name) => logs.slice(from).some((l) => l.includes("not_configured") && l.includes(name))), "both named in the log");
      const logged = logs.slice(from).join("\n");
      assert.ok(!logged.includes("runs-2024") && !logged.includes('"admin"'), "a token was logged");
    } finally {
      await weak.dispose();
    }
  });

  test("lists newest first across every ledger object, page by page", async () => {
    const keys = [];
    for (let i = 0; i < 7; i++) {
      const res = await send(mf, "trigger", eventBody("trigger").body);
      keys.push(res.json.idempotencyKey);
      await new Promise((r) => setTimeout(r, 5));
    }
    const seen = [];
    let cursor;
    for (let page = 0; page < 3; page++) {
      const query = `limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const res = await admin(mf, `/api/v2/deliveries?${query}`);
      assert.equal(res.status, 200, res.text);
      assert.ok(res.json.deliveries.length <= 3);
      seen.push(...res.json.deliveries);
      cursor = res.json.nextCursor;
    }
    assert.deepEqual(seen.slice(0, 7).map((d) => d.key), [...keys].reverse(), "newest first, no gaps, no repeats");
    const times = seen.map((d) => d.receivedAt);
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    const detail = await admin(mf, `/api/v2/deliveries/${encodeURIComponent(keys[0])}`);
    assert.equal(detail.status, 200);
    assert.equal(detail.json.deliveries[0].destination, "origin");
    assert.equal(detail.json.attempts.length, 1);
    assert.equal(typeof detail.json.attempts[0].durationMs, "number");
  });
});

describe("dashboard, stats and alerts", () => {
  let watched;
  let alerts;
  let seen;

  before(async () => {
    [alerts, seen] = await Promise.all([startChat(), startOrigin(FORWARD_SECRET)]);
    watched = start({
      bindings: {
        ...SECRETS,
        ADMIN_TOKEN,
        FORWARD_URL: seen.url,
        FORWARD_SECRET,
        RETRY_SCHEDULE_SECONDS: "1",
        STATS_FLUSH_SECONDS: "0",
        ALERT_URL: alerts.url,
        ALERT_REJECT_THRESHOLD: "3",
        ALERT_ORIGIN_FAILURES: "3",
        ALERT_COOLDOWN_SECONDS: "900",
      },
    });
    await watched.ready;
  });

  after(async () => {
    await watched?.dispose();
    await Promise.all([alerts?.close(), seen?.close()]);
  });

  const get = (mf, url, headers = {}) => mf.dispatchFetch(`http://localhost${url}`, { headers, redirect: "manual" });

  test("without ADMIN_TOKEN the dashboard and stats are absent", async () => {
    const bare = start({ bindings: SECRETS });
    try {
      for (const url of ["/dashboard", "/dashboard/app.js", "/api/v2/stats"]) assert.equal((await get(bare, url)).status, 404, url);
    } finally {
      await bare.dispose();
    }
  });

  test("sign in: a wrong token is refused, the right one sets a signed, strict cookie", async () => {
    const page = await get(watched, "/dashboard");
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<form method="post" action="\/dashboard\/sign-in">/);
    assert.match(page.headers.get("content-security-policy"), /script-src 'self'/);
    const signIn = (token, origin = "http://localhost") =>
      watched.dispatchFetch("http://localhost/dashboard/sign-in", {
        method: "POST",
        body: new URLSearchParams({ token }),
        headers: { "content-type": "application/x-www-form-urlencoded", origin },
        redirect: "manual",
      });
    const wrong = await signIn("wrong");
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get("set-cookie"), null);
    assert.equal((await signIn(ADMIN_TOKEN, "https://evil.example")).status, 401, "a sign-in from another origin");
    const right = await signIn(ADMIN_TOKEN);
    assert.equal(right.status, 303);
    const cookie = right.headers.get("set-cookie");
    assert.ok(cookie.startsWith("__Host-hg_session="), cookie);
    for (const part of ["HttpOnly", "Secure", "SameSite=Strict", "Path=/", "Max-Age="]) assert.ok(cookie.includes(part), cookie);
    assert.ok(!/domain=/i.test(cookie), cookie);
    const session = cookie.split(";")[0];
    const app = await get(watched, "/dashboard", { cookie: session });
    assert.match(await app.text(), /Recent deliveries/);
    assert.equal((await get(watched, "/api/v2/stats", { cookie: session })).status, 200);
    assert.equal((await get(watched, "/api/v2/stats", { authorization: `Bearer ${ADMIN_TOKEN}` })).status, 200);
    assert.equal((await get(watched, "/api/v2/stats")).status, 401);
    const [expires, tag] = session.split("=")[1].split(".");
    const forged = `__Host-hg_session=${Number(expires) + 3600}.${tag}`;
    assert.equal((await get(watched, "/api/v2/stats", { cookie: forged })).status, 401, "a cookie with its expiry moved");
    // Actions are POSTs from the dashboard's own origin only.
    const recover = (headers) => watched.dispatchFetch("http://localhost/api/v2/deliveries/recover?since=0", { method: "POST", headers });
    assert.equal((await recover({ cookie: session })).status, 401, "a cookie POST with no origin");
    assert.equal((await recover({ cookie: session, origin: "https://evil.example" })).status, 401);
    assert.equal((await recover({ cookie: session, origin: "http://localhost" })).status, 200);
    // Signing out, too, comes from this origin only: another site cannot sign the admin out.
    const signOut = (origin) => watched.dispatchFetch("http://localhost/dashboard/sign-out", { method: "POST", redirect: "manual", headers: origin ? { origin } : {} });
    for (const origin of [undefined, "https://evil.example"]) {
      const refused = await signOut(origin);
      assert.deepEqual([refused.status, refused.headers.get("set-cookie")], [401, null], String(origin));
    }
    const out = await signOut("http://localhost");
    assert.match(out.headers.get("set-cookie"), /^__Host-hg_session=;.*Max-Age=0/);
  });

  test("a sign-in form is read up to 4 KB: a larger one is refused before it is held", async () => {
    const post = (body, headers = {}) =>
      watched.dispatchFetch("http://localhost/dashboard/sign-in", { method: "POST", body, duplex: "half", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost", ...headers } });
    const large = `token=${"a".repeat(100_000)}`;
    const declared = await post(large);
    assert.deepEqual([declared.status, await declared.json()], [413, { error: "payload_too_large" }]);
    // Streamed, with no length declared: refused from the bytes read.
    const stream = new ReadableStream({ start(c) { for (let i = 0; i < 50; i++) c.enqueue(new TextEncoder().encode("a".repeat(1000))); c.close(); } });
    const streamed = await post(stream, {});
    assert.equal(streamed.status, 413);
    assert.equal((await post(new URLSearchParams({ token: ADMIN_TOKEN }))).status, 303, "a real sign-in still works");
  });

  test("sign-in guesses are rate limited per client, like webhooks (429)", async () => {
    const limited = start({ bindings: { ...SECRETS, ADMIN_TOKEN }, limit: 3 });
    try {
      const guess = (from) =>
        limited.dispatchFetch("http://localhost/dashboard/sign-in", {
          method: "POST",
          body: new URLSearchParams({ token: "guess" }),
          headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost", "cf-connecting-ip": from },
          redirect: "manual",
        });
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await guess("203.0.113.7")).status);
      assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
      assert.equal((await guess("203.0.113.8")).status, 401, "another client has its own limit");
    } finally {
      await limited.dispose();
    }
  });

  test("stats count a known mix of traffic; refused signatures alert once per cooldown", async () => {
    const accepted = [];
    for (let i = 0; i < 3; i++) accepted.push(eventBody("trigger").body);
    for (const body of accepted) assert.equal((await send(watched, "trigger", body)).status, 200);
    for (const body of accepted.slice(0, 2)) assert.equal((await send(watched, "trigger", body)).json.duplicate, true);
    for (let i = 0; i < 4; i++) assert.equal((await send(watched, "trigger", eventBody("trigger").body, { secret: "wrong" })).status, 401);
    assert.equal((await send(watched, "trigger", Buffer.from("not json"))).status, 400);
    let stats;
    await waitFor(async () => {
      stats = (await admin(watched, "/api/v2/stats")).json;
      return stats.hour.accepted === 3 && stats.hour.duplicate === 2 && stats.hour.refused === 5;
    }, `the counts (last seen ${JSON.stringify(stats?.hour)})`);
    assert.deepEqual(stats.day, stats.hour);
    const refused = Object.fromEntries(stats.refused.map((r) => [`${r.scheme}/${r.code}`, [r.hour, r.day]]));
    assert.deepEqual(refused, { "trigger/invalid_signature": [4, 4], "trigger/invalid_json": [1, 1] });
    assert.equal(stats.series.reduce((sum, s) => sum + s.accepted, 0), 3, "the chart's series");
    await waitFor(() => alerts.messages.some((m) => m.includes("refused")), "the refused-signatures alert");
    for (let i = 0; i < 3; i++) await send(watched, "trigger", eventBody("trigger").body, { secret: "wrong" });
    await new Promise((r) => setTimeout(r, 500));
    const refusedAlerts = alerts.messages.filter((m) => m.includes("refused for their signature"));
    assert.equal(refusedAlerts.length, 1, "one alert per kind and route per cooldown");
    assert.match(refusedAlerts[0], /\/webhooks\/trigger/);
    // Signed as a Standard Webhooks delivery with FORWARD_SECRET.
    const { body, headers } = alerts.raw[alerts.messages.indexOf(refusedAlerts[0])];
    assert.doesNotThrow(() => new Webhook(FORWARD_SECRET).verify(body, headers));
  });

  test("an exhausted schedule and an origin failing in a row both alert", async () => {
    const keys = [];
    for (let i = 0; i < 3; i++) {
      const { id, body } = eventBody("trigger");
      keys.push(`trigger:${id}`);
      seen.failures.set(`trigger:${id}`, 1_000);
      assert.equal((await send(watched, "trigger", body)).status, 200);
    }
    for (const key of keys) await waitForDelivery(key, "failed", watched);
    await waitFor(() => alerts.messages.some((m) => m.includes("in a row")), "the origin-failing alert");
    await waitFor(() => alerts.messages.some((m) => m.includes("failed for good")), "the delivery-failed alert");
    assert.equal(alerts.messages.filter((m) => m.includes("in a row")).length, 1, "cooldown");
    const stats = (await admin(watched, "/api/v2/stats")).json;
    assert.equal(stats.hour.failed, 3);
    for (const key of keys) seen.failures.delete(key);
  });

  test("a delivered attempt ends the origin's failure streak, with the stats flush an hour away", async () => {
    // Delivered attempts wait for the isolate's next flush, unless they end failures it
    // reported; failed ones go at once, after what the isolate holds. Either way a delivery
    // between failures must end the streak.
    const [chat, origin] = await Promise.all([startChat(), startOrigin(FORWARD_SECRET)]);
    const flaky = start({
      bindings: {
        ...SECRETS,
        ADMIN_TOKEN,
        FORWARD_URL: origin.url,
        FORWARD_SECRET,
        RETRY_SCHEDULE_SECONDS: "1,1,1",
        STATS_FLUSH_SECONDS: "3600",
        ALERT_URL: chat.url,
        ALERT_ORIGIN_FAILURES: "3",
      },
    });
    try {
      const deliver = async (failures) => {
        const { id, body } = eventBody("trigger");
        origin.failures.set(`trigger:${id}`, failures);
        assert.equal((await send(flaky, "trigger", body)).status, 200);
        await waitForDelivery(`trigger:${id}`, "delivered", flaky);
      };
      // Two failures, delivered; two more, delivered: never three in a row.
      await deliver(2);
      await deliver(2);
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(chat.messages.filter((m) => m.includes("in a row")), [], "no streak of three");
      // Three in a row do alert.
      await deliver(3);
      await waitFor(() => chat.messages.some((m) => m.includes("3 attempts in a row")), "the origin-failing alert");
    } finally {
      await flaky.dispose();
      await Promise.all([chat.close(), origin.close()]);
    }
  });

  test("a delivery whose destination was removed is failed, counted and alerted", async () => {
    const [chat, origin] = await Promise.all([startChat(), startOrigin(FORWARD_SECRET)]);
    const persist = fs.mkdtempSync(path.join(os.tmpdir(), "hookguard-removed-"));
    const bindings = { ...SECRETS, ADMIN_TOKEN, RETRY_SCHEDULE_SECONDS: "2,1,1", ALERT_URL: chat.url };
    const { id, body } = eventBody("trigger");
    const key = `trigger:${id}`;
    origin.failures.set(key, 1);
    const before = start({ bindings: { ...bindings, FORWARD_URL: origin.url, FORWARD_SECRET }, persist });
    try {
      assert.deepEqual((await send(before, "trigger", body)).json.delivery, "pending");
    } finally {
      await before.dispose();
    }
    // The origin is no longer configured when the retry comes due.
    const after = start({ bindings, persist });
    try {
      await waitForDelivery(key, "failed", after);
      const detail = await admin(after, `/api/v2/deliveries/${encodeURIComponent(key)}`);
      assert.equal(detail.json.deliveries[0].lastError, "destination_removed");
      await waitFor(() => chat.messages.some((m) => m.includes(key)), "the delivery-failed alert");
      assert.equal((await admin(after, "/api/v2/stats")).json.hour.failed, 1);
      assert.equal(origin.count(key), 0);
    } finally {
      await after.dispose();
      await Promise.all([chat.close(), origin.close()]);
      fs.rmSync(persist, { recursive: true, force: true });
    }
  });

  test("an alert that cannot be sent never touches a webhook", async () => {
    const dead = start({ bindings: { ...SECRETS, ALERT_URL: "http://127.0.0.1:9/alerts", ALERT_REJECT_THRESHOLD: "0", STATS_FLUSH_SECONDS: "0" } });
    try {
      assert.equal((await send(dead, "trigger", eventBody("trigger").body, { secret: "wrong" })).status, 401);
      assert.equal((await send(dead, "trigger", eventBody("trigger").body)).status, 200);
      await waitFor(() => logs.some((l) => l.includes('"outcome":"alert"') && l.includes('"error":"network"')), "the failed alert in the log");
    } finally {
      await dead.dispose();
    }
  });
});

describe("live run updates", () => {
  /** A run token made independently of the core: HMAC-SHA256 of the label, the run id and the expiry. */
  function runToken(runId, expiresAt, secret = LIVE_TOKEN_SECRET) {
    const u64 = (n) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64BE(BigInt(n));
      return b;
    };
    const id = Buffer.from(runId);
    const tag = crypto.createHmac("sha256", secret).update("hookguard run token v1").update(u64(id.length)).update(id).update(u64(expiresAt)).digest("hex");
    return `${expiresAt}.${tag}`;
  }
  const live = (mf, runId, token, headers = { upgrade: "websocket" }) =>
    mf.dispatchFetch(`http://localhost/api/v2/runs/${runId}/live${token === undefined ? "" : `?token=${encodeURIComponent(token)}`}`, { headers });

  /** Opens a watcher: every message parsed, and how it closed. */
  async function watch(mf, runId, expiresAt = nowSeconds() + 600) {
    const res = await live(mf, runId, runToken(runId, expiresAt));
    assert.equal(res.status, 101);
    const socket = res.webSocket;
    const watcher = { messages: [], times: [], closed: null };
    socket.addEventListener("message", (event) => {
      watcher.messages.push(JSON.parse(event.data));
      watcher.times.push(performance.now());
    });
    socket.addEventListener("close", (event) => (watcher.closed = event.code));
    socket.accept();
    watcher.socket = socket;
    return watcher;
  }
  /** How long a watcher's close event may take: see the first test that waits for one. */
  const CLOSE_TIMEOUT = 30_000;
  const runEvent = (runId, type, status) =>
    Buffer.from(JSON.stringify({ id: randomId("evt"), type, run: { id: runId, status, number: 2 } }));

  test("without LIVE_TOKEN_SECRET the route is absent, with one too short it fails closed; bad tokens get 401 before any upgrade", async () => {
    const bare = start({ bindings: SECRETS });
    const from = logs.length;
    const short = start({ bindings: { ...SECRETS, LIVE_TOKEN_SECRET: "short-secret" } });
    try {
      assert.equal((await live(bare, "run_x", runToken("run_x", nowSeconds() + 60))).status, 404);
      // Twelve bytes: the core takes no run-token secret under its MIN_SECRET_LEN (16). Every
      // token, well formed or not, gets the same answer, on both routes a run token opens.
      for (const token of [runToken("run_x", nowSeconds() + 60, "short-secret"), "garbage", undefined]) {
        const refused = await live(short, "run_x", token);
        assert.equal(refused.status, 500, String(token));
        assert.equal(refused.webSocket, null);
        assert.deepEqual(await refused.json(), { error: "not_configured" });
      }
      const bearer = { authorization: `Bearer ${runToken("run_x", nowSeconds() + 60, "short-secret")}` };
      const status = await short.dispatchFetch("http://localhost/api/v2/runs/run_x", { headers: bearer });
      assert.deepEqual([status.status, await status.json()], [500, { error: "not_configured" }]);
      await waitFor(() => logs.slice(from).some((l) => l.includes("not_configured") && l.includes("LIVE_TOKEN_SECRET")), "LIVE_TOKEN_SECRET named in the log");
      assert.ok(!logs.slice(from).join("\n").includes("short-secret"), "the secret was logged");
    } finally {
      await Promise.all([bare.dispose(), short.dispose()]);
    }
    const runId = randomId("run");
    const good = runToken(runId, nowSeconds() + 60);
    for (const [what, token] of [
      ["missing", undefined],
      ["expired", runToken(runId, nowSeconds() - 1)],
      ["tampered", `${nowSeconds() + 3600}${good.slice(good.indexOf("."))}`],
      ["another run", runToken(randomId("run"), nowSeconds() + 60)],
      ["another secret", runToken(runId, nowSeconds() + 60, "not-the-live-secret")],
      ["garbage", "abc"],
    ]) {
      const res = await live(mf, runId, token);
      assert.equal(res.status, 401, what);
      assert.equal(res.webSocket, null, what);
      assert.deepEqual(await res.json(), { error: "unauthorized" }, what);
    }
    const plain = await live(mf, runId, good, {});
    assert.equal(plain.status, 426, "a plain GET of the live route");
    // The same token opens the run's status over plain HTTP, as a bearer token only: URLs end
    // up in access logs, and only a browser's WebSocket cannot send a header.
    assert.equal((await mf.dispatchFetch(`http://localhost/api/v2/runs/${runId}`, { headers: { authorization: `Bearer ${good}` } })).status, 404);
    assert.equal((await mf.dispatchFetch(`http://localhost/api/v2/runs/${runId}?token=${encodeURIComponent(good)}`)).status, 401);
    assert.equal((await mf.dispatchFetch(`http://localhost/api/v2/runs/${runId}?token=x`)).status, 401);
  });

  test("a watcher gets the current status, then each update pushed in order, then a 1000 close", async () => {
    const runId = randomId("run");
    const watcher = await watch(mf, runId);
    await waitFor(() => watcher.messages.length === 1, "the current status");
    assert.deepEqual(watcher.messages[0], { status: null });
    const started = runEvent(runId, "run.started", "EXECUTING");
    assert.equal((await send(mf, "trigger", started)).status, 200);
    // Pushed within the webhook's request: there by the time its 200 is read.
    await waitFor(() => watcher.messages.length === 2, "EXECUTING");
    assert.equal(watcher.messages[1].status, "EXECUTING");
    assert.equal(watcher.messages[1].runId, runId);
    const headers = await signFor("trigger", SECRETS.TRIGGER_WEBHOOK_SECRET, started);
    assert.equal((await post(mf, "/api/v2/webhooks/trigger", started, headers)).json.duplicate, true);
    assert.equal((await send(mf, "trigger", runEvent(runId, "run.completed", "COMPLETED"))).status, 200);
    // The client's close event fires when the connection ends, not when the close frame
    // arrives: for a hibernatable socket, in local workerd, that is about 10 s after the frame
    // (measured: 10,033 ms and 10,041 ms), right at waitFor's default, which made this test
    // fail now and then. The close must still come, with code 1000; ws gives up on a closing
    // handshake after 30 s.
    await waitFor(() => watcher.closed !== null, "the close", CLOSE_TIMEOUT);
    assert.deepEqual(watcher.messages.map((m) => m.status), [null, "EXECUTING", "COMPLETED"], "the duplicate pushed nothing");
    for (const field of ["runId", "status", "type", "eventId", "updatedAt"]) assert.ok(field in watcher.messages[2], field);
    assert.equal(watcher.closed, 1000);
    // A watcher arriving after the end hears the final status and is closed at once: its
    // socket is never hibernated, so its connection ends with the close (about 10 ms here),
    // not 10 s later.
    const late = await watch(mf, runId);
    await waitFor(() => late.closed !== null, "the late watcher's close", 3_000);
    assert.deepEqual([late.messages.map((m) => m.status), late.closed], [["COMPLETED"], 1000]);
  });

  test("a watcher that sends is closed (1008); one whose token has expired is closed at the next update, not told it", async () => {
    const runId = randomId("run");
    const talker = await watch(mf, runId);
    const expiring = await watch(mf, runId, nowSeconds() + 2);
    const staying = await watch(mf, runId);
    await waitFor(() => [talker, expiring, staying].every((w) => w.messages.length === 1), "the current status");
    talker.socket.send("hello");
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal((await send(mf, "trigger", runEvent(runId, "run.started", "EXECUTING"))).status, 200);
    await waitFor(() => staying.messages.length === 2, "the update, to the watcher whose token is good");
    await waitFor(() => talker.closed !== null && expiring.closed !== null, "both closes", CLOSE_TIMEOUT);
    assert.deepEqual([talker.closed, expiring.closed, staying.closed], [1008, 1008, null]);
    assert.deepEqual(expiring.messages.map((m) => m.status), [null], "an expired token hears nothing more");
    staying.socket.close(1000);
  });

  test("fan-out: 1,000 watchers of one run all receive an update", async () => {
    const runId = randomId("run");
    const watchers = [];
    for (let i = 0; i < 1000; i++) watchers.push(await watch(mf, runId));
    await waitFor(() => watchers.every((w) => w.messages.length === 1), "every watcher's first message", 30_000);
    const res = await send(mf, "trigger", runEvent(runId, "run.started", "EXECUTING"));
    const answered = performance.now();
    assert.equal(res.status, 200);
    await waitFor(() => watchers.every((w) => w.messages.length === 2), "every watcher's update", 30_000);
    const delays = watchers.map((w) => w.times[1] - answered).sort((a, b) => a - b);
    const at = (q) => delays[Math.min(delays.length - 1, Math.floor(q * delays.length))].toFixed(1);
    console.log(`# fan-out 1000 watchers, ms from the webhook's 200 to each watcher's message: p50 ${at(0.5)}, p99 ${at(0.99)}, last ${delays.at(-1).toFixed(1)}`);
    for (const w of watchers) w.socket.close(1000);
  });

  test("a run takes LIVE_MAX_WATCHERS watchers; one more gets 429 too_many_watchers, before any upgrade", async () => {
    const capped = start({ bindings: { ...SECRETS, LIVE_TOKEN_SECRET, LIVE_MAX_WATCHERS: "2" } });
    try {
      const runId = randomId("run");
      const watchers = [await watch(capped, runId), await watch(capped, runId)];
      await waitFor(() => watchers.every((w) => w.messages.length === 1), "both watchers' first message");
      const refused = await live(capped, runId, runToken(runId, nowSeconds() + 600));
      assert.equal(refused.status, 429);
      assert.equal(refused.webSocket, null);
      assert.deepEqual(await refused.json(), { error: "too_many_watchers" });
      // The cap is per run: another run still takes watchers.
      const other = await watch(capped, randomId("run"));
      await waitFor(() => other.messages.length === 1, "another run's watcher");
      // The two watchers still hear their run.
      assert.equal((await send(capped, "trigger", runEvent(runId, "run.started", "EXECUTING"))).status, 200);
      await waitFor(() => watchers.every((w) => w.messages.length === 2), "the update, to both watchers");
      for (const w of [...watchers, other]) w.socket.close(1000);
    } finally {
      await capped.dispose();
    }
  });

  test("watchers whose tokens have expired give up their places at once, not at the run's next update", async () => {
    const capped = start({ bindings: { ...SECRETS, LIVE_TOKEN_SECRET, LIVE_MAX_WATCHERS: "2" } });
    try {
      const runId = randomId("run");
      const soon = nowSeconds() + 2;
      const watchers = [await watch(capped, runId, soon), await watch(capped, runId, soon)];
      await waitFor(() => watchers.every((w) => w.messages.length === 1), "both watchers' first message");
      assert.equal((await live(capped, runId, runToken(runId, nowSeconds() + 600))).status, 429, "full while their tokens hold");
      // The run gets no update: before, the two expired sockets held both places for good.
      await new Promise((r) => setTimeout(r, (soon + 1 - Date.now() / 1000) * 1000));
      const fresh = await watch(capped, runId);
      await waitFor(() => fresh.messages.length === 1, "the new watcher's first message");
      await waitFor(() => watchers.every((w) => w.closed === 1008), "the expired watchers closed with 1008", CLOSE_TIMEOUT);
      fresh.socket.close(1000);
    } finally {
      await capped.dispose();
    }
  });
});

describe("runs API", () => {
  test("GET /api/v2/runs/{runId} returns the last status recorded", async () => {
    const runId = randomId("run");
    for (const [type, status] of [
      ["run.started", "EXECUTING"],
      ["run.completed", "COMPLETED"],
    ]) {
      const body = Buffer.from(JSON.stringify({ id: randomId("evt"), type, run: { id: runId, status, number: 9 } }));
      assert.equal((await send(mf, "trigger", body)).status, 200);
    }
    const res = await getRun(mf, runId);
    assert.equal(res.status, 200);
    const run = await res.json();
    assert.equal(run.runId, runId);
    assert.equal(run.status, "COMPLETED");
    assert.equal(run.number, 9);
    assert.equal(run.type, "run.completed");

    const missing = await getRun(mf, "run_never_seen");
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: "not_found" });
  });

  test("a status never regresses: terminal stays terminal, older events never overwrite newer", async () => {
    const runId = randomId("run");
    const event = (type, status, created) =>
      Buffer.from(JSON.stringify({ id: randomId("evt"), created, type, run: { id: runId, status } }));
    const deliver = async (...args) => assert.equal((await send(mf, "trigger", event(...args))).status, 200);
    // Signed `created` times a few seconds apart, within Trigger.dev's max age.
    const at = (seconds) => new Date(Date.now() - 60_000 + seconds * 1000).toISOString();
    await deliver("run.started", "EXECUTING", at(2));
    await deliver("run.started", "QUEUED", at(1)); // older: ignored
    assert.equal((await (await getRun(mf, runId)).json()).status, "EXECUTING");
    await deliver("run.completed", "COMPLETED", at(5));
    await deliver("run.reattempting", "EXECUTING", at(9)); // newer, but not terminal
    await deliver("run.started", "EXECUTING", undefined); // no created: still not over a terminal
    const run = await (await getRun(mf, runId)).json();
    assert.deepEqual([run.status, run.type], ["COMPLETED", "run.completed"]);
  });

  test("every Trigger.dev sample is accepted, and a failed run's status is recorded", async () => {
    for (const file of fs.readdirSync(samples)) {
      const res = await send(mf, "trigger", sample(file));
      assert.ok(res.status === 200, `${file}: ${res.status} ${res.text}`);
    }
    const run = await (await getRun(mf, "run_cm3x9a0b1c2d3e4f5g6h7i8j")).json();
    assert.equal(run.status, "FAILED");
    assert.equal(run.taskId, "generate-track");
  });

  test("only Trigger.dev events record run statuses", async () => {
    const runId = randomId("run");
    const body = Buffer.from(JSON.stringify({ id: randomId("evt"), type: "run.completed", run: { id: runId, status: "COMPLETED" } }));
    assert.equal((await send(mf, "standard", body)).status, 200);
    assert.equal((await getRun(mf, runId)).status, 404);
  });

  test("without a token configured it is absent; the runs or admin token opens it", async () => {
    const bare = start({ bindings: SECRETS });
    try {
      const runId = randomId("run");
      const body = Buffer.from(JSON.stringify({ id: randomId("evt"), type: "run.failed", run: { id: runId, status: "FAILED" } }));
      assert.equal((await send(bare, "trigger", body)).status, 200);
      const res = await bare.dispatchFetch(`http://localhost/api/v2/runs/${runId}`);
      assert.equal(res.status, 404);
    } finally {
      await bare.dispose();
    }
    const runId = randomId("run");
    const body = Buffer.from(JSON.stringify({ id: randomId("evt"), type: "run.failed", run: { id: runId, status: "FAILED" } }));
    assert.equal((await send(mf, "trigger", body)).status, 200);
    const url = `http://localhost/api/v2/runs/${runId}`;
    for (const authorization of [undefined, "Bearer wrong", RUNS_API_TOKEN, `Bearer ${RUNS_API_TOKEN.slice(0, -1)}`]) {
      const res = await mf.dispatchFetch(url, { headers: authorization ? { authorization } : {} });
      assert.equal(res.status, 401, String(authorization));
      assert.deepEqual(await res.json(), { error: "unauthorized" });
    }
    for (const token of [RUNS_API_TOKEN, ADMIN_TOKEN]) {
      const ok = await mf.dispatchFetch(url, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.status, 200);
      assert.equal((await ok.json()).status, "FAILED");
    }
  });
});

describe("configuration", () => {
  test("a secret pasted with a trailing newline still verifies", async () => {
    const padded = start({ bindings: { TRIGGER_WEBHOOK_SECRET: `${SECRETS.TRIGGER_WEBHOOK_SECRET}\n` } });
    try {
      const res = await send(padded, "trigger", eventBody("trigger").body);
      assert.equal(res.status, 200, res.text);
    } finally {
      await padded.dispose();
    }
  });

  test("a route whose secret is missing answers 500 not_configured and accepts nothing", async () => {
    const bare = start({ bindings: {} });
    try {
      const body = eventBody("trigger").body;
      const headers = await signFor("trigger", "anything", body);
      const res = await post(bare, "/api/v2/webhooks/trigger", body, headers);
      assert.equal(res.status, 500);
      assert.deepEqual(res.json, { error: "not_configured" });
      assert.equal((await bare.dispatchFetch("http://localhost/healthz")).status, 200);
    } finally {
      await bare.dispose();
    }
  });

  test("a plain-http FORWARD_URL to another host is refused (fail closed)", async () => {
    const bad = start({ bindings: { ...SECRETS, FORWARD_URL: "http://example.com/hook", FORWARD_SECRET } });
    try {
      const res = await send(bad, "trigger", eventBody("trigger").body);
      assert.equal(res.status, 500);
      assert.deepEqual(res.json, { error: "not_configured" });
    } finally {
      await bad.dispose();
    }
  });

  test("a dedupe window shorter than the timestamp tolerance, or a bad schedule, is refused", async () => {
    for (const extra of [
      { IDEMPOTENCY_TTL_SECONDS: "120", TIMESTAMP_TOLERANCE_SECONDS: "300" },
      { RETRY_SCHEDULE_SECONDS: "5,0,30" },
      { LEDGER_SHARDS: "0" },
    ]) {
      const bad = start({ bindings: { ...SECRETS, ...extra } });
      try {
        const res = await send(bad, "trigger", eventBody("trigger").body);
        assert.equal(res.status, 500, JSON.stringify(extra));
        assert.deepEqual(res.json, { error: "not_configured" });
        await waitFor(() => logs.some((l) => l.includes('"outcome":"not_configured"') && l.includes(Object.keys(extra)[0])), "the reason in the log");
      } finally {
        await bad.dispose();
      }
    }
  });

  test("the rate limit answers 429 per source and client", async () => {
    const limited = start({ bindings: SECRETS, limit: 3 });
    try {
      const from = "203.0.113.7";
      const statuses = [];
      for (let i = 0; i < 5; i++) {
        const { body } = eventBody("trigger");
        const headers = await signFor("trigger", SECRETS.TRIGGER_WEBHOOK_SECRET, body);
        const res = await post(limited, "/api/v2/webhooks/trigger", body, headers, from);
        statuses.push(res.status);
        if (res.status === 429) {
          assert.deepEqual(res.json, { error: "rate_limited" });
          assert.ok(Number(res.headers.get("retry-after")) > 0);
        }
      }
      assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
      // Another client, or the same client on another source, has its own bucket.
      const { body } = eventBody("trigger");
      const headers = await signFor("trigger", SECRETS.TRIGGER_WEBHOOK_SECRET, body);
      assert.equal((await post(limited, "/api/v2/webhooks/trigger", body, headers, "203.0.113.8")).status, 200);
      const gh = eventBody("github").body;
      assert.equal((await post(limited, "/webhooks/github", gh, await signFor("github", SECRETS.GITHUB_WEBHOOK_SECRET, gh), from)).status, 200);
    } finally {
      await limited.dispose();
    }
  });
});

describe("providers as data", () => {
  test("SHA-1 (Vercel), Ed25519 (Discord), a signed URL (Square) and a body timestamp (Linear) verify and forward", async () => {
    for (const scheme of ["vercel", "discord", "square", "linear"]) {
      const { body } = eventBody(scheme, { webhookTimestamp: Date.now() });
      const res = await send(mf, scheme, body, { url: SECRETS.SQUARE_WEBHOOK_URL });
      assert.equal(res.status, 200, `${scheme}: ${res.text}`);
      assert.equal(origin.count(res.json.idempotencyKey), 1, scheme);
      assert.equal((await send(mf, scheme, body, { url: SECRETS.SQUARE_WEBHOOK_URL })).json.duplicate, true, scheme);
    }
    // Square signs the URL it was given: a signature over another URL is refused.
    const { body } = eventBody("square");
    const elsewhere = await send(mf, "square", body, { url: "https://attacker.example/webhooks/square" });
    assert.deepEqual([elsewhere.status, elsewhere.json], [401, { error: "invalid_signature" }]);
    // Linear's timestamp is inside the signed body: a stale one is refused after the signature
    // (this worker sets TIMESTAMP_TOLERANCE_SECONDS=300 for every provider; Linear's own is 60 s).
    const stale = eventBody("linear", { webhookTimestamp: Date.now() - 400_000 }).body;
    const late = await send(mf, "linear", stale);
    assert.deepEqual([late.status, late.json], [401, { error: "timestamp_out_of_tolerance" }]);
  });

  test("without SQUARE_WEBHOOK_URL, Square's signature is checked against the URL the request came to", async () => {
    const { SQUARE_WEBHOOK_URL, ...rest } = SECRETS;
    const bare = start({ bindings: rest });
    try {
      const { body } = eventBody("square");
      const res = await send(bare, "square", body, { url: "http://localhost/webhooks/square" });
      assert.equal(res.status, 200, res.text);
      const registered = await send(bare, "square", eventBody("square").body, { url: SQUARE_WEBHOOK_URL });
      assert.equal(registered.status, 401);
      // A URL longer than the core takes was given to no provider: 414, not a 5xx.
      const long = await post(bare, `/webhooks/square?pad=${"x".repeat(600)}`, eventBody("square").body, {});
      assert.deepEqual([long.status, long.json], [414, { error: "url_too_long" }]);
    } finally {
      await bare.dispose();
    }
  });

  test("a captured GitHub delivery sent again under a new X-GitHub-Delivery is a duplicate", async () => {
    const { body } = eventBody("github");
    const first = await send(mf, "github", body, { id: randomId("delivery") });
    const again = await send(mf, "github", body, { id: randomId("delivery") });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(again.json, { received: true, duplicate: true });
    assert.equal(origin.count(first.json.idempotencyKey), 1);
    const line = await loggedLine(again);
    assert.equal(line.outcome, "duplicate");
    assert.ok(JSON.stringify(line).includes('"replay"'), JSON.stringify(line));
    // The provider's own retry (same id, same body) is a duplicate too, and a new delivery is not.
    const retry = await send(mf, "github", body, { id: first.json.idempotencyKey.slice("github:".length) });
    assert.equal(retry.json.duplicate, true);
    const other = await send(mf, "github", eventBody("github").body, { id: randomId("delivery") });
    assert.equal(other.json.duplicate, false);
  });

  test("one delivery on the Standard Webhooks and the Svix routes is one delivery", async () => {
    const { body } = eventBody("standard");
    const id = randomId("msg");
    const first = await send(mf, "standard", body, { id });
    const second = await send(mf, "svix", body, { id });
    assert.equal(first.json.idempotencyKey, `standard:${id}`);
    assert.deepEqual(second.json, { received: true, duplicate: true });
  });

  test("a Trigger.dev event whose signed created is past the max age is refused, as configured", async () => {
    const old = (seconds) => eventBody("trigger", { created: new Date(Date.now() - seconds * 1000).toISOString() }).body;
    // This worker sets TIMESTAMP_TOLERANCE_SECONDS=300, which Trigger.dev's `created` follows.
    const refused = await send(mf, "trigger", old(3600));
    assert.deepEqual([refused.status, refused.json], [401, { error: "timestamp_out_of_tolerance" }]);
    assert.equal((await send(mf, "trigger", old(60))).status, 200);
    const off = start({ bindings: { ...SECRETS, TRIGGER_TOLERANCE_SECONDS: "off" } });
    const daily = start({ bindings: { ...SECRETS } });
    try {
      assert.equal((await send(off, "trigger", old(30 * 86_400))).status, 200);
      // The default is an hour.
      assert.equal((await send(daily, "trigger", old(3500))).status, 200);
      assert.equal((await send(daily, "trigger", old(3700))).status, 401);
    } finally {
      await off.dispose();
      await daily.dispose();
    }
  });

  test("CUSTOM_SCHEMES adds a provider; a bad one names its field and fails closed", async () => {
    const acme = {
      algorithm: "hmac-sha256", encoding: "hex", header: "x-acme-signature", prefix: "sha256=",
      content: "{timestamp}.{body}", timestamp: { header: "x-acme-timestamp", unit: "s" }, secret: "text",
      delivery_id: { header: "x-acme-delivery", signed: false },
    };
    const secret = "acme-signing-secret-42";
    const custom = start({ bindings: { ACME_WEBHOOK_SECRET: secret, CUSTOM_SCHEMES: JSON.stringify({ acme }) } });
    try {
      const { body } = eventBody("acme");
      const ts = String(nowSeconds());
      const tag = crypto.createHmac("sha256", secret).update(`${ts}.`).update(body).digest("hex");
      const headers = { "x-acme-signature": `sha256=${tag}`, "x-acme-timestamp": ts, "x-acme-delivery": "d-1" };
      const res = await post(custom, "/webhooks/acme", body, headers);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.idempotencyKey, "acme:d-1");
      const forged = await post(custom, "/webhooks/acme", body, { ...headers, "x-acme-signature": `sha256=${"0".repeat(64)}` });
      assert.deepEqual([forged.status, forged.json], [401, { error: "invalid_signature" }]);
      assert.equal((await post(custom, "/webhooks/beta", body, headers)).status, 404);
    } finally {
      await custom.dispose();
    }
    for (const [schemes, field] of [
      [{ acme: { ...acme, content: "{payload}" } }, "content"],
      [{ acme: { ...acme, tolerence: 5 } }, "tolerence"],
      [{ github: acme }, "built-in"],
    ]) {
      const bad = start({ bindings: { ACME_WEBHOOK_SECRET: secret, CUSTOM_SCHEMES: JSON.stringify(schemes) } });
      try {
        const res = await post(bad, "/webhooks/acme", Buffer.from("{}"), {});
        assert.deepEqual([res.status, res.json], [500, { error: "not_configured" }], JSON.stringify(schemes));
        await waitFor(() => logs.some((l) => l.includes('"outcome":"not_configured"') && l.includes("CUSTOM_SCHEMES") && l.includes(field)), `the log naming ${field}`);
        assert.ok(!logs.some((l) => l.includes(secret)), "secrets are never logged");
      } finally {
        await bad.dispose();
      }
    }
  });

  test("a secret shorter than 16 bytes is refused unless ALLOW_SHORT_SECRETS=true", async () => {
    const short = "short-secret";
    const { body } = eventBody("trigger");
    for (const [extra, status] of [[{}, 500], [{ ALLOW_SHORT_SECRETS: "true" }, 200]]) {
      const worker = start({ bindings: { TRIGGER_WEBHOOK_SECRET: short, ...extra } });
      try {
        const res = await send(worker, "trigger", body, { secret: short });
        assert.equal(res.status, status, res.text);
        if (status === 500) {
          await waitFor(() => logs.some((l) => l.includes("TRIGGER_WEBHOOK_SECRET") && l.includes("ALLOW_SHORT_SECRETS")), "the reason in the log");
        }
      } finally {
        await worker.dispose();
      }
    }
    assert.ok(!logs.some((l) => l.includes(short)), "secrets are never logged");
  });
});

describe("logs", () => {
  test("one JSON line per request, with no secret and no body", async () => {
    const marker = randomId("body_marker");
    const body = Buffer.from(JSON.stringify({ id: randomId("evt"), type: "run.completed", note: marker }));
    const res = await send(mf, "trigger", body);
    assert.equal(res.status, 200);
    await new Promise((r) => setTimeout(r, 200));
    const lines = logs.filter((l) => l.includes(res.json.idempotencyKey) && l.includes('"method"'));
    assert.equal(lines.length, 1, logs.slice(-5).join("\n"));
    const line = JSON.parse(lines[0].slice(lines[0].indexOf("{")));
    assert.equal(line.outcome, "accepted");
    assert.equal(line.status, 200);
    assert.equal(line.scheme, "trigger");
    assert.equal(line.event_type, "run.completed");
    assert.equal(typeof line.duration_ms, "number");
    const all = logs.join("\n");
    for (const secret of [...Object.values(SECRETS), FORWARD_SECRET]) {
      assert.ok(!all.includes(secret), "a secret was logged");
    }
    assert.ok(!all.includes(marker), "a body was logged");
  });
});

function tally(values) {
  return values.reduce((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
}
