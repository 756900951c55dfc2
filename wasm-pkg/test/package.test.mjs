// The packed npm package, imported as a user would (`import ... from "hookguard"`, unpacked
// into test/node_modules by `cargo xtask test`), under Node 20 and Node 22.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { constructEvent, sign, verify, SCHEMES, WebhookError } from "hookguard";
import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { sign as githubSign } from "@octokit/webhooks-methods";
import { webhooks as triggerWebhooks } from "@trigger.dev/sdk";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const samples = path.join(root, "core/samples/trigger");
const vectors = JSON.parse(fs.readFileSync(path.join(root, "core/tests/data/webhook-vectors.json"), "utf8"));

const STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const secretFor = (scheme) => (scheme === "standard" || scheme === "svix" ? STANDARD_SECRET : `secret-for-${scheme}`);
const now = () => Math.floor(Date.now() / 1000);
const event = (extra = {}) =>
  JSON.stringify({ id: `evt_${crypto.randomBytes(6).toString("hex")}`, type: "run.completed", run: { id: "run_1", status: "COMPLETED" }, ...extra });

function expectError(fn, code, status) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof WebhookError, String(error));
    assert.equal(error.name, "WebhookError");
    assert.equal(error.code, code);
    assert.equal(error.status, status);
    return true;
  });
}

test("every scheme: sign, verify, and the result's shape", () => {
  assert.deepEqual([...SCHEMES], ["trigger", "standard", "svix", "stripe", "github", "slack", "shopify"]);
  for (const scheme of SCHEMES) {
    const body = event();
    const headers = sign({ scheme, secret: secretFor(scheme), body, id: "msg_42" });
    const result = verify({ scheme, headers, body, secret: secretFor(scheme) });
    assert.equal(result.scheme, scheme);
    assert.equal(result.type, "run.completed");
    assert.equal(result.id, JSON.parse(body).id);
    assert.deepEqual(result.data, JSON.parse(body));
    const timestamped = ["standard", "svix", "stripe", "slack"].includes(scheme);
    assert.equal(typeof result.timestamp, timestamped ? "number" : "undefined", scheme);
    // Delivery ids where the scheme has them; Slack's body has no event_id, so its content hash.
    const expectedKey = {
      standard: "standard:msg_42",
      svix: "svix:msg_42",
      github: "github:msg_42",
      shopify: "shopify:msg_42",
      trigger: `trigger:${JSON.parse(body).id}`,
      stripe: `stripe:${JSON.parse(body).id}`,
    }[scheme];
    if (scheme === "slack") assert.match(result.idempotencyKey, /^slack:sha256:[0-9a-f]{64}$/);
    else assert.equal(result.idempotencyKey, expectedKey, scheme);
  }
});

test("every scheme: a wrong secret and a tampered body are refused", () => {
  for (const scheme of SCHEMES) {
    const body = event();
    const headers = sign({ scheme, secret: secretFor(scheme), body });
    const wrong = scheme === "standard" || scheme === "svix" ? "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" : "wrong";
    expectError(() => verify({ scheme, headers, body, secret: wrong }), "invalid_signature", 401);
    expectError(() => verify({ scheme, headers, body: body.replace("COMPLETED", "FAILED"), secret: secretFor(scheme) }), "invalid_signature", 401);
  }
});

test("headers as Headers or a plain object in any case; bodies as bytes, buffers or text", () => {
  const body = event();
  const signed = sign({ scheme: "standard", secret: STANDARD_SECRET, body });
  const shouted = Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toUpperCase(), v]));
  const bytes = new TextEncoder().encode(body);
  for (const headers of [signed, shouted, new Headers(signed)]) {
    for (const b of [body, bytes, bytes.buffer.slice(0), Buffer.from(body), new DataView(bytes.buffer.slice(0))]) {
      assert.equal(verify({ scheme: "standard", headers, body: b, secret: STANDARD_SECRET }).type, "run.completed");
    }
  }
  expectError(() => verify({ scheme: "standard", headers: signed, body: { not: "bytes" }, secret: STANDARD_SECRET }), "invalid_body", 400);
});

test("verifiers are cached per exact secret list", () => {
  const body = event();
  const headers = sign({ scheme: "trigger", secret: "b", body });
  assert.ok(verify({ scheme: "trigger", headers, body, secret: ["a", "b"] }));
  // A single secret that merely joins the same strings is another secret.
  expectError(() => verify({ scheme: "trigger", headers, body, secret: "a\u0000b" }), "invalid_signature", 401);
});

test("the verifier cache evicts the least recently used verifier, and only it", () => {
  const body = event();
  const signed = (n) => sign({ scheme: "trigger", secret: `lru-${n}`, body });
  const check = (n) => assert.equal(verify({ scheme: "trigger", headers: signed(n), body, secret: `lru-${n}` }).type, "run.completed");
  check(0);
  for (let n = 1; n <= 40; n++) {
    check(n);
    check(0); // kept fresh: never evicted
  }
  // Evicted verifiers were freed and are built again when needed; kept ones still work.
  for (let n = 0; n <= 40; n++) check(n);
  expectError(() => verify({ scheme: "trigger", headers: signed(1), body, secret: "lru-2" }), "invalid_signature", 401);
});

test("oversized bodies and headers are refused before they are copied in", () => {
  const body = new Uint8Array(1024 * 1024 + 1);
  const headers = sign({ scheme: "trigger", secret: "s", body: "{}" });
  expectError(() => verify({ scheme: "trigger", headers, body, secret: "s" }), "payload_too_large", 413);
  expectError(
    () => verify({ scheme: "trigger", headers: { "x-trigger-signature-hmacsha256": "a".repeat(10_000) }, body: "{}", secret: "s" }),
    "malformed_signature",
    401,
  );
});

test("rotation: any of several secrets verifies", () => {
  const body = event();
  const headers = sign({ scheme: "trigger", secret: "old-secret", body });
  assert.ok(verify({ scheme: "trigger", headers, body, secret: ["new-secret", "old-secret"] }));
  expectError(() => verify({ scheme: "trigger", headers, body, secret: ["new-secret"] }), "invalid_signature", 401);
});

test("tolerance: 300 s by default, settable, for old and future stamps", () => {
  const body = event();
  const t = now();
  for (const scheme of ["standard", "svix", "stripe", "slack"]) {
    const headers = sign({ scheme, secret: secretFor(scheme), body, timestamp: t });
    assert.ok(verify({ scheme, headers, body, secret: secretFor(scheme), now: t + 300 }));
    assert.ok(verify({ scheme, headers, body, secret: secretFor(scheme), now: t - 300 }));
    expectError(() => verify({ scheme, headers, body, secret: secretFor(scheme), now: t + 301 }), "timestamp_out_of_tolerance", 401);
    expectError(() => verify({ scheme, headers, body, secret: secretFor(scheme), now: t - 301 }), "timestamp_out_of_tolerance", 401);
    expectError(() => verify({ scheme, headers, body, secret: secretFor(scheme), now: t + 11, toleranceSeconds: 10 }), "timestamp_out_of_tolerance", 401);
    assert.ok(verify({ scheme, headers, body, secret: secretFor(scheme), now: t + 10, toleranceSeconds: 10 }));
  }
  // The default clock is the real one.
  const stale = sign({ scheme: "standard", secret: STANDARD_SECRET, body, timestamp: now() - 3600 });
  expectError(() => verify({ scheme: "standard", headers: stale, body, secret: STANDARD_SECRET }), "timestamp_out_of_tolerance", 401);
});

test("errors by code and status", () => {
  const body = event();
  const trigger = sign({ scheme: "trigger", secret: "s", body });
  const cases = [
    [() => verify({ scheme: "trigger", headers: {}, body, secret: "s" }), "missing_signature", 401],
    [() => verify({ scheme: "trigger", headers: { "x-trigger-signature-hmacsha256": "xyz" }, body, secret: "s" }), "malformed_signature", 401],
    [() => verify({ scheme: "trigger", headers: trigger, body, secret: "" }), "invalid_secret", 500],
    [() => verify({ scheme: "trigger", headers: trigger, body, secret: [] }), "invalid_secret", 500],
    [() => verify({ scheme: "standard", headers: {}, body, secret: "whsec_short" }), "invalid_secret", 500],
    [() => verify({ scheme: "paypal", headers: trigger, body, secret: "s" }), "unknown_scheme", 500],
    [() => verify({ scheme: "stripe", headers: { "stripe-signature": `v1=${"0".repeat(64)}` }, body, secret: "s" }), "missing_timestamp", 401],
    [() => verify({ scheme: "standard", headers: { "webhook-signature": `v1,${"A".repeat(43)}=`, "webhook-timestamp": "1" }, body, secret: STANDARD_SECRET }), "missing_message_id", 401],
  ];
  for (const [fn, code, status] of cases) expectError(fn, code, status);
  for (const [text, code] of [
    ["not json", "invalid_json"],
    ["[1]", "not_an_object"],
    ["{} {}", "trailing_characters"],
    ['{"type":"a","type":"b"}', "duplicate_key"],
    [`{"a":${"[".repeat(65)}${"]".repeat(65)}}`, "nesting_too_deep"],
  ]) {
    const headers = sign({ scheme: "trigger", secret: "s", body: text });
    expectError(() => verify({ scheme: "trigger", headers, body: text, secret: "s" }), code, 400);
  }
});

test("emoji and invalid UTF-8: verified over the raw bytes, decoded as TextDecoder does", () => {
  const bytes = Buffer.concat([
    Buffer.from('{"id":"evt_bytes","type":"run.failed 🎵","note":"caf\\u00e9 \\ud83c\\udfb5 '),
    Buffer.from([0xff, 0xfe]),
    Buffer.from('"}'),
  ]);
  const headers = sign({ scheme: "trigger", secret: "s", body: bytes });
  const result = verify({ scheme: "trigger", headers, body: bytes, secret: "s" });
  assert.equal(result.type, "run.failed 🎵");
  assert.equal(result.data.note, "café 🎵 \ufffd\ufffd");
  // A string body is its UTF-8 bytes: the same signature.
  const text = '{"type":"🎶 émoji"}';
  const signed = sign({ scheme: "github", secret: "s", body: new TextEncoder().encode(text) });
  assert.equal(verify({ scheme: "github", headers: signed, body: text, secret: "s" }).type, "🎶 émoji");
  // A string that is not well-formed UTF-16 is its UTF-8 bytes too (U+FFFD for a lone
  // surrogate): what was verified is what is parsed.
  const lone = '{"type":"x","note":"\ud800 ok"}';
  assert.equal(lone.isWellFormed(), false);
  const loneHeaders = sign({ scheme: "trigger", secret: "s", body: new TextEncoder().encode(lone) });
  assert.equal(verify({ scheme: "trigger", headers: loneHeaders, body: lone, secret: "s" }).data.note, "\ufffd ok");
});

test("known-answer vectors through sign", () => {
  const sw = vectors.standard_webhooks_v1[0];
  const headers = sign({ scheme: "standard", secret: sw.secret, body: sw.payload, id: sw.id, timestamp: sw.timestamp });
  assert.equal(headers["webhook-signature"], sw.expected_signature);
  const gh = vectors.github_x_hub_signature_256;
  assert.equal(sign({ scheme: "github", secret: gh.secret, body: gh.payload })["x-hub-signature-256"], gh.expected_header);
  const slack = vectors.slack_v0;
  const signed = sign({ scheme: "slack", secret: slack.signing_secret, body: slack.body, timestamp: Number(slack.timestamp) });
  assert.equal(signed["x-slack-signature"], slack.expected_header);
});

test("requests signed by the providers' own libraries are accepted, tampered ones refused", async () => {
  const body = event();
  const tampered = body.replace("run_1", "run_2");
  const t = now();
  const standard = new Webhook(STANDARD_SECRET);
  const id = "msg_lib_1";
  const swHeaders = { "webhook-id": id, "webhook-timestamp": String(t), "webhook-signature": standard.sign(id, new Date(t * 1000), body) };
  const svixHeaders = Object.fromEntries(Object.entries(swHeaders).map(([k, v]) => [k.replace("webhook-", "svix-"), v]));
  const stripe = new Stripe("sk_test_hookguard");
  const stripeSecret = "whsec_stripe_test_4eC39HqLyjWDarjtT1zdp7dc";
  const stripeHeaders = { "stripe-signature": stripe.webhooks.generateTestHeaderString({ payload: body, secret: stripeSecret, timestamp: t }) };
  const githubHeaders = { "x-hub-signature-256": await githubSign("gh-secret", body), "x-github-delivery": "d1" };
  for (const [scheme, headers, secret] of [
    ["standard", swHeaders, STANDARD_SECRET],
    ["svix", svixHeaders, STANDARD_SECRET],
    ["stripe", stripeHeaders, stripeSecret],
    ["github", githubHeaders, "gh-secret"],
  ]) {
    assert.equal(verify({ scheme, headers, body, secret }).id, JSON.parse(body).id, scheme);
    expectError(() => verify({ scheme, headers, body: tampered, secret }), "invalid_signature", 401);
  }
  // And the other way round: what hookguard signs, the libraries accept.
  assert.deepEqual(standard.verify(body, sign({ scheme: "standard", secret: STANDARD_SECRET, body })), JSON.parse(body));
  const event2 = stripe.webhooks.constructEvent(body, sign({ scheme: "stripe", secret: stripeSecret, body })["stripe-signature"], stripeSecret);
  assert.equal(event2.id, JSON.parse(body).id);
});

test("constructEvent returns what @trigger.dev/sdk's constructEvent returns", async () => {
  const secret = "tr_whsec_7b1f";
  const request = (body) =>
    new Request("http://localhost/api/v2/webhooks/trigger", {
      method: "POST",
      body,
      headers: sign({ scheme: "trigger", secret, body }),
    });
  const known = ["alert.run.failed", "alert.deployment.success", "alert.deployment.failed", "alert.error"];
  for (const name of known) {
    const body = fs.readFileSync(path.join(samples, `${name}.json`), "utf8");
    const theirs = await triggerWebhooks.constructEvent(request(body), secret);
    const ours = await constructEvent(request(body), secret);
    assert.equal(ours.type, name);
    assert.equal(ours.idempotencyKey.startsWith("trigger:"), true);
    // The SDK turns date strings into Date objects; as JSON the two are the same event.
    assert.deepEqual(ours.data, JSON.parse(JSON.stringify(theirs)), name);
    assert.equal(ours.id, theirs.id);
  }
  // A correctly signed event of a type the SDK does not know: it throws, hookguard returns it.
  const body = fs.readFileSync(path.join(samples, "run.completed.json"), "utf8");
  await assert.rejects(triggerWebhooks.constructEvent(request(body), secret));
  assert.equal((await constructEvent(request(body), secret)).type, "run.completed");
  // Both refuse a bad signature.
  const forged = new Request("http://localhost/", { method: "POST", body, headers: { "x-trigger-signature-hmacsha256": "0".repeat(64) } });
  await assert.rejects(constructEvent(forged, secret), (e) => e.code === "invalid_signature" && e.status === 401);
});

test("the hookguard command signs samples and files, and sends them", async () => {
  const cli = path.join(here, "node_modules/hookguard/bin/hookguard.mjs");
  const run = promisify(execFile);
  const { stdout } = await run(process.execPath, [cli, "sign", "--secret", "s3", "--sample", "run.completed"]);
  const printed = JSON.parse(stdout);
  assert.equal(verify({ scheme: "trigger", headers: printed.headers, body: printed.body, secret: "s3" }).type, "run.completed");

  const received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      try {
        received.push(verify({ scheme: "stripe", headers: req.headers, body, secret: "whsec_cli" }));
        res.writeHead(200).end('{"ok":true}');
      } catch (e) {
        res.writeHead(e.status ?? 500).end(e.code);
      }
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    const file = path.join(samples, "alert.deployment.success.json");
    const url = `http://127.0.0.1:${server.address().port}/hook`;
    const sent = await run(process.execPath, [cli, "send", url, file, "--scheme", "stripe"], { env: { ...process.env, HOOKGUARD_SECRET: "whsec_cli" } });
    assert.match(sent.stdout, /^200 /);
    assert.equal(received.length, 1);
    assert.equal(received[0].type, "alert.deployment.success");
    await assert.rejects(run(process.execPath, [cli, "send", url, "--scheme", "stripe", "--secret", "wrong"]));
    await assert.rejects(run(process.execPath, [cli, "sign"]), /no secret/);
  } finally {
    await new Promise((r) => server.close(r));
  }
});
