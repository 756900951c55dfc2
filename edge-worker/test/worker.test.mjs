// The edge worker inside workerd (Miniflare 4) with a real local KV and Rate Limiting
// binding, forwarding to a real origin on 127.0.0.1. Run by `cargo xtask test`, which builds
// the worker first (build/index.js + build/index_bg.wasm).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { startOrigin } from "./upstream.mjs";
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
};
const FORWARD_SECRET = "whsec_dGhpcy1pcy1hLWZvcndhcmQta2V5LTMyYnl0ZXMh";
const SCHEMES = ["trigger", "standard", "svix", "stripe", "github", "slack", "shopify"];
const secretOf = (scheme) => SECRETS[`${scheme.toUpperCase()}_WEBHOOK_SECRET`];

/** Every line the Worker logged, across all instances. */
const logs = [];

function start({ bindings = {}, limit = 10_000 } = {}) {
  return new Miniflare({
    modules: true,
    scriptPath: path.join(workerDir, "build/index.js"),
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-07-01",
    kvNamespaces: ["HOOKGUARD_KV"],
    ratelimits: { RATE_LIMITER: { namespace_id: "1001", simple: { limit, period: 60 } } },
    bindings,
    cf: false,
    handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) {
        stream.on("data", (chunk) => logs.push(...chunk.toString().split("\n").filter(Boolean)));
      }
    },
  });
}

let ip = 0;
/** A fresh client address, so that tests do not share a rate-limit bucket. */
const client = () => `198.51.100.${(ip++ % 250) + 1}`;

async function post(mf, url, body, headers, from = client()) {
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
  return { status: res.status, json, text, headers: res.headers };
}

const routeOf = (scheme) => (scheme === "trigger" ? "/api/v2/webhooks/trigger" : `/webhooks/${scheme}`);

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
      MAX_BODY_BYTES: "65536",
      TIMESTAMP_TOLERANCE_SECONDS: "300",
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
      assert.ok(res.json.idempotencyKey.startsWith(`${scheme}:`), res.json.idempotencyKey);
      assert.equal(origin.count(res.json.idempotencyKey), 1);
      const forwarded = origin.received.find((r) => r.id === res.json.idempotencyKey);
      assert.ok(forwarded.body.equals(body), "the origin gets the raw body");
      assert.ok(forwarded.libraryVerified, "the standardwebhooks library verifies the forwarded delivery");
      assert.equal(forwarded.headers["x-hookguard-scheme"], scheme);
      assert.equal(forwarded.headers["x-hookguard-event-type"], "run.completed");
    });
  }

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
      for (const skew of [-301, 301, -86_400]) {
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
  test("a body over MAX_BODY_BYTES is refused, by Content-Length and by the bytes read", async () => {
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
    const run = await (await mf.dispatchFetch("http://localhost/api/v2/runs/run_bytes")).json();
    assert.equal(run.errorMessage, "café 🎵 \ufffd\ufffd\ufffd");
  });
});

describe("idempotency", () => {
  test("a repeat after done answers duplicate and is not forwarded again", async () => {
    const { id, body } = eventBody("trigger");
    const headers = await signFor("trigger", SECRETS.TRIGGER_WEBHOOK_SECRET, body);
    const first = await post(mf, "/api/v2/webhooks/trigger", body, headers);
    assert.equal(first.status, 200);
    const again = await post(mf, "/api/v2/webhooks/trigger", body, headers);
    assert.equal(again.status, 200);
    assert.deepEqual(again.json, { received: true, duplicate: true });
    assert.equal(origin.count(`trigger:${id}`), 1);
  });

  test("50 concurrent copies of one delivery are forwarded once", async () => {
    const { id, body } = eventBody("trigger");
    const headers = await signFor("trigger", SECRETS.TRIGGER_WEBHOOK_SECRET, body);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => post(mf, "/api/v2/webhooks/trigger", body, headers)),
    );
    const statuses = answers.map((a) => a.status);
    const forwarded = origin.count(`trigger:${id}`);
    console.log(`# 50 concurrent copies: forwarded ${forwarded}; answers ${JSON.stringify(tally(statuses))}`);
    assert.equal(forwarded, 1);
    assert.ok(statuses.every((s) => s === 200 || s === 409), JSON.stringify(tally(statuses)));
    for (const a of answers.filter((a) => a.status === 409)) {
      assert.deepEqual(a.json, { error: "in_flight" });
      assert.ok(Number(a.headers.get("retry-after")) > 0);
    }
    // Once it is done, every copy is a duplicate, however many arrive at once.
    const later = await Promise.all(Array.from({ length: 20 }, () => post(mf, "/api/v2/webhooks/trigger", body, headers)));
    for (const answer of later) assert.deepEqual([answer.status, answer.json], [200, { received: true, duplicate: true }]);
    assert.equal(origin.count(`trigger:${id}`), 1);
  });

  test("forward target down then up: nothing lost, the retry is forwarded once", async () => {
    const { id, body } = eventBody("trigger");
    const headers = await signFor("trigger", SECRETS.TRIGGER_WEBHOOK_SECRET, body);
    origin.up = false;
    const refusedBefore = origin.refused;
    const failed = await post(mf, "/api/v2/webhooks/trigger", body, headers);
    origin.up = true;
    assert.equal(failed.status, 503);
    assert.deepEqual(failed.json, { error: "forward_failed" });
    assert.equal(origin.refused, refusedBefore + 1);
    assert.equal(origin.count(`trigger:${id}`), 0);

    const retry = await post(mf, "/api/v2/webhooks/trigger", body, headers);
    assert.equal(retry.status, 200, retry.text);
    assert.equal(retry.json.duplicate, false);
    const again = await post(mf, "/api/v2/webhooks/trigger", body, headers);
    assert.deepEqual(again.json, { received: true, duplicate: true });
    assert.equal(origin.count(`trigger:${id}`), 1);
    assert.equal(origin.forged, 0, "every forwarded request verified at the origin");
  });

  test("alert.error, whose id changes on every retry, is deduplicated by its content", async () => {
    const body = fs.readFileSync(path.join(samples, "alert.error.json"));
    const first = await send(mf, "trigger", body);
    const again = await send(mf, "trigger", body);
    assert.equal(first.status, 200, first.text);
    assert.match(first.json.idempotencyKey, /^trigger:sha256:[0-9a-f]{64}$/);
    assert.deepEqual(again.json, { received: true, duplicate: true });
  });
});

describe("runs endpoint", () => {
  test("GET /api/v2/runs/{runId} returns the last status recorded", async () => {
    const runId = randomId("run");
    for (const [type, status] of [
      ["run.started", "EXECUTING"],
      ["run.completed", "COMPLETED"],
    ]) {
      const body = Buffer.from(JSON.stringify({ id: randomId("evt"), type, run: { id: runId, status, number: 9 } }));
      assert.equal((await send(mf, "trigger", body)).status, 200);
    }
    const res = await mf.dispatchFetch(`http://localhost/api/v2/runs/${runId}`);
    assert.equal(res.status, 200);
    const run = await res.json();
    assert.equal(run.runId, runId);
    assert.equal(run.status, "COMPLETED");
    assert.equal(run.number, 9);
    assert.equal(run.type, "run.completed");

    const missing = await mf.dispatchFetch("http://localhost/api/v2/runs/run_never_seen");
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: "not_found" });
  });

  test("every Trigger.dev sample is accepted, and a failed run's status is recorded", async () => {
    for (const file of fs.readdirSync(samples)) {
      const res = await send(mf, "trigger", fs.readFileSync(path.join(samples, file)));
      assert.ok(res.status === 200, `${file}: ${res.status} ${res.text}`);
    }
    const run = await (await mf.dispatchFetch("http://localhost/api/v2/runs/run_cm3x9a0b1c2d3e4f5g6h7i8j")).json();
    assert.equal(run.status, "FAILED");
    assert.equal(run.taskId, "generate-track");
  });
});

describe("runs endpoint access", () => {
  test("only Trigger.dev events record run statuses", async () => {
    const runId = randomId("run");
    const body = Buffer.from(JSON.stringify({ id: randomId("evt"), type: "run.completed", run: { id: runId, status: "COMPLETED" } }));
    assert.equal((await send(mf, "standard", body)).status, 200);
    assert.equal((await mf.dispatchFetch(`http://localhost/api/v2/runs/${runId}`)).status, 404);
  });

  test("with RUNS_API_TOKEN set, the runs endpoint wants the bearer token", async () => {
    const guarded = start({ bindings: { ...SECRETS, RUNS_API_TOKEN: "runs-token-9f2" } });
    try {
      const runId = randomId("run");
      const body = Buffer.from(JSON.stringify({ id: randomId("evt"), type: "run.failed", run: { id: runId, status: "FAILED" } }));
      assert.equal((await send(guarded, "trigger", body)).status, 200);
      const url = `http://localhost/api/v2/runs/${runId}`;
      for (const authorization of [undefined, "Bearer wrong", "runs-token-9f2", "Bearer runs-token-9f"]) {
        const res = await guarded.dispatchFetch(url, { headers: authorization ? { authorization } : {} });
        assert.equal(res.status, 401, String(authorization));
        assert.deepEqual(await res.json(), { error: "unauthorized" });
      }
      const ok = await guarded.dispatchFetch(url, { headers: { authorization: "Bearer runs-token-9f2" } });
      assert.equal(ok.status, 200);
      assert.equal((await ok.json()).status, "FAILED");
    } finally {
      await guarded.dispose();
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

describe("logs", () => {
  test("one JSON line per request, with no secret and no body", async () => {
    const marker = randomId("body_marker");
    const body = Buffer.from(JSON.stringify({ id: randomId("evt"), type: "run.completed", note: marker }));
    const res = await send(mf, "trigger", body);
    assert.equal(res.status, 200);
    await new Promise((r) => setTimeout(r, 200));
    const lines = logs.filter((l) => l.includes(res.json.idempotencyKey));
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
