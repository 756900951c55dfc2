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
import vm from "node:vm";
import { fileURLToPath } from "node:url";
import { constructEvent, describeScheme, runToken, sign, verify, SCHEMES, WebhookError } from "hookguard";
import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { sign as githubSign } from "@octokit/webhooks-methods";
import { webhooks as triggerWebhooks } from "@trigger.dev/sdk";
import { fresh } from "./fresh.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const samples = path.join(root, "core/samples/trigger");
const vectors = JSON.parse(fs.readFileSync(path.join(root, "core/tests/data/webhook-vectors.json"), "utf8"));

const STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
// Secrets are at least 16 bytes: shorter ones are refused unless `allowShortSecrets`.
const S = "test-secret-0123456789";
const SQUARE_URL = "https://example.com/webhooks/square";
const described = Object.fromEntries(SCHEMES.map((name) => [name, describeScheme(name)]));
const secretFor = (scheme) => (described[scheme].secret === "whsec" ? STANDARD_SECRET : `secret-for-${scheme}-0123456789`);
const wrongFor = (scheme) => (described[scheme].secret === "whsec" ? "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" : "wrong-secret-0123456789");
/** The URL option for schemes that sign one (Square). */
const urlFor = (scheme) => (described[scheme].content.includes("{url}") ? SQUARE_URL : undefined);
/** A signed body's own timestamp field (Trigger.dev's `created`, Linear's `webhookTimestamp`), now. */
const bodyStamp = (scheme, at = Date.now()) => {
  const ts = described[scheme].timestamp;
  if (!ts?.body) return {};
  return { [ts.body]: { s: Math.floor(at / 1000), ms: at, rfc3339: new Date(at).toISOString() }[ts.unit] };
};
/** Schemes whose MAC hookguard can sign: all but Ed25519 (a public key). */
const signable = SCHEMES.filter((scheme) => described[scheme].algorithm !== "ed25519");
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

test("index.d.ts's Scheme union lists exactly the core's schemes, in its order", () => {
  const dts = fs.readFileSync(path.join(here, "node_modules/hookguard/index.d.ts"), "utf8");
  const union = /export type Scheme =([^;]*);/.exec(dts);
  assert.ok(union, "no `export type Scheme = ...;` in index.d.ts");
  const names = [...union[1].matchAll(/"([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(names, [...SCHEMES]);
  assert.ok(SCHEMES.length >= 31 && SCHEMES[0] === "trigger");
});

test("the README's provider list is the core's", () => {
  const readme = fs.readFileSync(path.join(here, "node_modules/hookguard/README.md"), "utf8");
  const list = /<!-- schemes -->([\s\S]*?)<!-- \/schemes -->/.exec(readme);
  assert.ok(list, "no <!-- schemes --> list in the README");
  assert.deepEqual([...list[1].matchAll(/`([^`]*)`/g)].map((m) => m[1]), [...SCHEMES]);
});

test("every scheme: sign, verify, and the result's shape, as the core describes the scheme", () => {
  for (const scheme of signable) {
    const d = described[scheme];
    const body = event(bodyStamp(scheme));
    const url = urlFor(scheme);
    const headers = sign({ scheme, secret: secretFor(scheme), body, id: "msg_42", url });
    const result = verify({ scheme, headers, body, secret: secretFor(scheme), url });
    assert.equal(result.scheme, scheme);
    assert.equal(result.type, "run.completed");
    assert.equal(result.id, JSON.parse(body).id);
    assert.deepEqual(result.data, JSON.parse(body));
    assert.equal(typeof result.timestamp, d.timestamp ? "number" : "undefined", scheme);
    // The key: the delivery id header, the body's id field, or the signed content's hash.
    const prefix = d.family ?? d.id;
    const id = d.delivery_id?.header ? "msg_42" : d.delivery_id?.body ? JSON.parse(body)[d.delivery_id.body] : undefined;
    if (id !== undefined) assert.equal(result.idempotencyKey, `${prefix}:${id}`, scheme);
    else assert.match(result.idempotencyKey, new RegExp(`^${prefix}:sha256-body:[0-9a-f]{64}$`), scheme);
    assert.equal(result.deliveryId, d.delivery_id?.header ? "msg_42" : undefined, scheme);
    // A delivery id the signature does not cover: a second key over the signed content.
    if (d.delivery_id?.header && !d.delivery_id.signed) assert.match(result.replayKey, new RegExp(`^${prefix}:sha256-body:[0-9a-f]{64}$`), scheme);
    else assert.equal(result.replayKey, undefined, scheme);
  }
  // Standard Webhooks, Svix and their senders share one key prefix: one delivery, one key.
  assert.equal(verify({ scheme: "svix", headers: sign({ scheme: "svix", secret: STANDARD_SECRET, body: "{}", id: "msg_1" }), body: "{}", secret: STANDARD_SECRET }).idempotencyKey, "standard:msg_1");
});

test("every scheme: a wrong secret and a tampered body are refused", () => {
  for (const scheme of signable) {
    const body = event(bodyStamp(scheme));
    const url = urlFor(scheme);
    const headers = sign({ scheme, secret: secretFor(scheme), body, url });
    expectError(() => verify({ scheme, headers, body, secret: wrongFor(scheme), url }), "invalid_signature", 401);
    expectError(() => verify({ scheme, headers, body: body.replace("COMPLETED", "FAILED"), secret: secretFor(scheme), url }), "invalid_signature", 401);
  }
});

/** An Ed25519 key pair from node:crypto: the private key, and the public key as 64 hex digits. */
function ed25519Pair() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  return { privateKey, hex: Buffer.from(publicKey.export({ format: "jwk" }).x, "base64url").toString("hex") };
}

test("Discord: Ed25519 signed by node:crypto with a generated key, checked against the public key", () => {
  const { privateKey, hex } = ed25519Pair();
  const body = JSON.stringify({ id: "1234", type: 1, application_id: "app" });
  const t = String(now());
  const headers = { "x-signature-ed25519": crypto.sign(null, Buffer.from(t + body), privateKey).toString("hex"), "x-signature-timestamp": t };
  const result = verify({ scheme: "discord", headers, body, secret: hex });
  assert.equal(result.timestamp, Number(t));
  assert.match(result.idempotencyKey, /^discord:sha256-body:[0-9a-f]{64}$/);
  assert.equal(result.data.application_id, "app");
  expectError(() => verify({ scheme: "discord", headers, body: body.replace("app", "ppa"), secret: hex }), "invalid_signature", 401);
  expectError(() => verify({ scheme: "discord", headers, body, secret: ed25519Pair().hex }), "invalid_signature", 401);
  // Rotation: either public key.
  assert.ok(verify({ scheme: "discord", headers, body, secret: [ed25519Pair().hex, hex] }));
  const stale = { ...headers, "x-signature-timestamp": String(now() - 3600) };
  expectError(() => verify({ scheme: "discord", headers: stale, body, secret: hex }), "timestamp_out_of_tolerance", 401);
  expectError(() => verify({ scheme: "discord", headers, body, secret: "not-a-public-key-0123456789" }), "invalid_secret", 500);
  // A public key cannot sign.
  expectError(() => sign({ scheme: "discord", secret: hex, body }), "unsupported_algorithm", 500);
});

test("HMAC-SHA1 (Vercel, Intercom): signatures made by node:crypto are accepted, and hookguard's match them", () => {
  const secret = "vercel-secret-0123456789";
  const body = event();
  const sha1 = crypto.createHmac("sha1", secret).update(body).digest("hex");
  assert.equal(verify({ scheme: "vercel", headers: { "x-vercel-signature": sha1 }, body, secret }).id, JSON.parse(body).id);
  assert.equal(sign({ scheme: "vercel", secret, body })["x-vercel-signature"], sha1);
  assert.equal(verify({ scheme: "intercom", headers: { "x-hub-signature": `sha1=${sha1}` }, body, secret }).id, JSON.parse(body).id);
  expectError(() => verify({ scheme: "vercel", headers: { "x-vercel-signature": sha1 }, body: `${body} `, secret }), "invalid_signature", 401);
  // A SHA-256 tag where SHA-1 is expected is malformed.
  const sha256 = crypto.createHmac("sha256", secret).update(body).digest("hex");
  expectError(() => verify({ scheme: "vercel", headers: { "x-vercel-signature": sha256 }, body, secret }), "malformed_signature", 401);
});

test("Square signs the notification URL: verified with `url`, missing_url without", () => {
  const secret = "square-signature-key-0123";
  const body = JSON.stringify({ merchant_id: "M1", type: "payment.updated", event_id: "ev_sq_1" });
  const expected = crypto.createHmac("sha256", secret).update(SQUARE_URL + body).digest("base64");
  const headers = { "x-square-hmacsha256-signature": expected };
  assert.deepEqual(sign({ scheme: "square", secret, body, url: SQUARE_URL }), headers);
  const result = verify({ scheme: "square", headers, body, secret, url: SQUARE_URL });
  assert.equal(result.idempotencyKey, "square:ev_sq_1");
  expectError(() => verify({ scheme: "square", headers, body, secret, url: `${SQUARE_URL}/` }), "invalid_signature", 401);
  expectError(() => verify({ scheme: "square", headers, body, secret }), "missing_url", 500);
  expectError(() => sign({ scheme: "square", secret, body }), "missing_url", 500);
});

test("GitHub: a delivery re-sent under a new X-GitHub-Delivery has a new key but the same replayKey", () => {
  const body = event();
  const first = verify({ scheme: "github", headers: sign({ scheme: "github", secret: S, body, id: "d-1" }), body, secret: S });
  const again = verify({ scheme: "github", headers: sign({ scheme: "github", secret: S, body, id: "d-2" }), body, secret: S });
  assert.notEqual(first.idempotencyKey, again.idempotencyKey);
  assert.equal(first.replayKey, again.replayKey);
  assert.match(first.replayKey, /^github:sha256-body:[0-9a-f]{64}$/);
  // Schemes whose id is signed or in the body have none.
  assert.equal(verify({ scheme: "stripe", headers: sign({ scheme: "stripe", secret: S, body }), body, secret: S }).replayKey, undefined);
});

test("custom schemes: every HMAC scheme's description, as a custom scheme, verifies what the scheme signs", () => {
  for (const scheme of signable) {
    const body = event(bodyStamp(scheme));
    const url = urlFor(scheme);
    const headers = sign({ scheme, secret: secretFor(scheme), body, id: "msg_7", url });
    // `x-` + the name: the same spec under an id of its own (ids are at most 24 characters).
    const custom = { ...described[scheme], id: `x-${scheme}` };
    const ours = verify({ scheme: custom, headers, body, secret: secretFor(scheme), url });
    const theirs = verify({ scheme, headers, body, secret: secretFor(scheme), url });
    assert.equal(ours.scheme, `x-${scheme}`);
    assert.deepEqual({ ...ours, scheme, idempotencyKey: undefined, replayKey: undefined }, { ...theirs, idempotencyKey: undefined, replayKey: undefined }, scheme);
    // Keys carry the custom id (or the shared family).
    assert.ok(ours.idempotencyKey.startsWith(`${described[scheme].family ?? `x-${scheme}`}:`), ours.idempotencyKey);
    expectError(() => verify({ scheme: custom, headers, body: `${body} `, secret: secretFor(scheme), url }), "invalid_signature", 401);
    assert.deepEqual(describeScheme(custom), custom);
  }
  // Discord's description checks Ed25519 signatures too.
  const { privateKey, hex } = ed25519Pair();
  const body = "{}";
  const t = String(now());
  const headers = { "x-signature-ed25519": crypto.sign(null, Buffer.from(t + body), privateKey).toString("hex"), "x-signature-timestamp": t };
  assert.ok(verify({ scheme: { ...described.discord, id: "my-discord" }, headers, body, secret: hex }));
});

test("custom schemes: a description that cannot work throws invalid_scheme naming its field", () => {
  const acme = { id: "acme", algorithm: "hmac-sha256", encoding: "hex", header: "x-acme-signature", content: "{body}", secret: "text" };
  const body = event();
  const headers = sign({ scheme: acme, secret: S, body });
  assert.equal(verify({ scheme: acme, headers, body, secret: S }).idempotencyKey.startsWith("acme:sha256-body:"), true);
  for (const [change, field] of [
    [{ content: "{payload}" }, "content"],
    [{ content: "{timestamp}.{body}" }, "content"],
    [{ algorithm: "hmac-md5" }, "algorithm"],
    [{ encoding: "base32" }, "encoding"],
    [{ header: "X-Acme" }, "header"],
    [{ prefix: "a=", items: "v1" }, "syntax"],
    [{ timestamp: { header: "x-acme-ts", unit: "minutes" } }, "timestamp.unit"],
    [{ algorithm: "ed25519" }, "secret"],
    [{ id: "Acme" }, "id"],
    [{ id: "github" }, "id"],
    [{ id: undefined }, "id"],
    // Unknown fields are refused by name; a value of the wrong type is `json`.
    [{ tolerence: 300 }, "tolerence"],
    [{ timestamp: { header: "x-acme-ts", unit: "s", tolerence: 300 } }, "tolerence"],
    [{ content: 42 }, "json"],
  ]) {
    assert.throws(
      () => verify({ scheme: { ...acme, ...change }, headers, body, secret: S }),
      (error) => {
        assert.ok(error instanceof WebhookError, String(error));
        assert.deepEqual([error.code, error.status, error.field], ["invalid_scheme", 500, field], JSON.stringify(change));
        assert.match(error.message, new RegExp(`\\b${field.replace(".", "\\.")}\\b`));
        return true;
      },
    );
  }
  expectError(() => verify({ scheme: 42, headers, body, secret: S }), "unknown_scheme", 500);
  // Read once per distinct description: the same description again, from a new object each
  // time, with new secrets (new verifiers), is the same scheme.
  for (let i = 0; i < 100; i++) {
    const secret = `acme-secret-${i}-0123456789`;
    assert.ok(verify({ scheme: { ...acme }, headers: sign({ scheme: { ...acme }, secret, body }), body, secret }));
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

test("a Headers-like get() is read as a plain object is: numbers and objects as text, arrays joined", () => {
  const body = event();
  const signed = sign({ scheme: "trigger", secret: S, body });
  const [[name, value]] = Object.entries(signed);
  const like = (v) => ({ get: (n) => (n === name ? v : null) });
  expectError(() => verify({ scheme: "trigger", headers: like(12345), body, secret: S }), "malformed_signature", 401);
  expectError(() => verify({ scheme: "trigger", headers: like({ not: "text" }), body, secret: S }), "malformed_signature", 401);
  expectError(() => verify({ scheme: "trigger", headers: like(undefined), body, secret: S }), "missing_signature", 401);
  // Converted, not refused: an object whose text is the signature, a one-item array.
  assert.equal(verify({ scheme: "trigger", headers: like({ toString: () => value }), body, secret: S }).type, "run.completed");
  assert.equal(verify({ scheme: "trigger", headers: like([value]), body, secret: S }).type, "run.completed");
  assert.equal(verify({ scheme: "trigger", headers: new Headers(signed), body, secret: S }).type, "run.completed");
});

test("where encodeInto stringifies (browsers, workerd, Deno), a Headers-like get() of a number or object writes nothing past the input buffer, in a fresh process", async () => {
  // Node's encodeInto refuses a non-string; the other runtimes' convert it, so a value whose
  // `length` is not a number reserved nothing and the body was written past the reservation.
  const script = `
    const encodeInto = TextEncoder.prototype.encodeInto;
    TextEncoder.prototype.encodeInto = function (source, destination) { return encodeInto.call(this, String(source), destination); };
    const { sign, verify } = await import("hookguard");
    const out = [];
    const good = (n) => {
      const body = JSON.stringify({ id: "evt_" + n, type: "run.completed", pad: "x".repeat(n) });
      return verify({ scheme: "trigger", headers: sign({ scheme: "trigger", secret: "${S}", body }), body, secret: "${S}" }).id;
    };
    out.push(good(10));
    for (const value of [12345, { not: "text" }]) {
      for (const body of ['{"a":"' + "y".repeat(200000) + '"}', new Uint8Array(200000).fill(0x41)]) {
        try {
          verify({ scheme: "trigger", headers: { get: () => value }, body, secret: "${S}" });
          out.push("verified");
        } catch (e) {
          out.push(e.name + " " + e.code);
        }
      }
    }
    for (const n of [10, 1000, 300000]) out.push(good(n));
    console.log(JSON.stringify(out));`;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { cwd: here });
  const refused = "WebhookError malformed_signature";
  assert.deepEqual(JSON.parse(stdout), ["evt_10", refused, refused, refused, refused, "evt_10", "evt_1000", "evt_300000"]);
});

test("a URL object changed in place is read anew: its verifier is the new URL's", () => {
  const body = event();
  const headers = sign({ scheme: "square", secret: S, body, url: SQUARE_URL });
  const url = new URL(SQUARE_URL);
  assert.ok(verify({ scheme: "square", headers, body, secret: S, url }));
  url.pathname = "/webhooks/other";
  expectError(() => verify({ scheme: "square", headers, body, secret: S, url }), "invalid_signature", 401);
  const moved = sign({ scheme: "square", secret: S, body, url });
  assert.ok(verify({ scheme: "square", headers: moved, body, secret: S, url }));
  assert.ok(verify({ scheme: "square", headers: moved, body, secret: S, url: url.href }));
});

test("bodies in a SharedArrayBuffer or from another realm are bytes; look-alikes are not", () => {
  const body = event();
  const headers = sign({ scheme: "trigger", secret: S, body });
  const bytes = new TextEncoder().encode(body);
  const shared = new SharedArrayBuffer(bytes.length);
  new Uint8Array(shared).set(bytes);
  const foreign = vm.runInNewContext(`new ArrayBuffer(${bytes.length})`);
  new Uint8Array(foreign).set(bytes);
  const foreignView = vm.runInNewContext(`new Uint8Array(${bytes.length})`);
  foreignView.set(bytes);
  for (const b of [shared, new Uint8Array(shared), new DataView(shared), foreign, new DataView(foreign), foreignView]) {
    assert.equal(verify({ scheme: "trigger", headers, body: b, secret: S }).type, "run.completed", Object.prototype.toString.call(b));
    assert.deepEqual(sign({ scheme: "trigger", secret: S, body: b }), headers);
  }
  for (const fake of [{ [Symbol.toStringTag]: "ArrayBuffer", byteLength: 3 }, { [Symbol.toStringTag]: "SharedArrayBuffer" }, [1, 2, 3]]) {
    expectError(() => verify({ scheme: "trigger", headers, body: fake, secret: S }), "invalid_body", 400);
  }
});

test("a custom scheme description JSON cannot hold (BigInt, a cycle) is invalid_scheme, field json", () => {
  const acme = { id: "acme", algorithm: "hmac-sha256", encoding: "hex", header: "x-acme-signature", content: "{body}", secret: "text" };
  const cyclic = { ...acme, timestamp: { header: "x-acme-ts", unit: "s" } };
  cyclic.timestamp.self = cyclic;
  for (const scheme of [{ ...acme, timestamp: { header: "x-acme-ts", unit: "s", tolerance: 300n } }, cyclic]) {
    for (const fn of [() => verify({ scheme, headers: {}, body: "{}", secret: S }), () => sign({ scheme, secret: S, body: "{}" }), () => describeScheme(scheme)]) {
      assert.throws(fn, (error) => {
        assert.ok(error instanceof WebhookError, String(error));
        assert.deepEqual([error.code, error.status, error.field], ["invalid_scheme", 500, "json"]);
        assert.match(error.message, /\bjson\b/);
        return true;
      });
    }
  }
});

test("string arguments are checked before they reach wasm: TypeError, and the module still works", () => {
  const body = event();
  for (const id of [123, { id: "msg_1" }, ["msg_1"], true]) {
    assert.throws(() => sign({ scheme: "standard", secret: STANDARD_SECRET, body, id }), TypeError, JSON.stringify(id));
  }
  for (const secret of [123, { secret: "live-token-secret-0123456789" }, ["live-token-secret-0123456789"]]) {
    assert.throws(() => runToken({ runId: "run_1", secret }), TypeError, JSON.stringify(secret));
  }
  assert.throws(() => runToken({ runId: 42, secret: "live-token-secret-0123456789" }), TypeError);
  // Absent is not a type error: a random id, and for runToken the missing secret it always was.
  const headers = sign({ scheme: "standard", secret: STANDARD_SECRET, body, id: undefined });
  assert.equal(verify({ scheme: "standard", headers, body, secret: STANDARD_SECRET }).type, "run.completed");
  expectError(() => runToken({ runId: "run_1", secret: undefined }), "invalid_secret", 500);
  const signed = sign({ scheme: "standard", secret: STANDARD_SECRET, body, id: "msg_42" });
  assert.equal(signed["webhook-id"], "msg_42");
  assert.equal(verify({ scheme: "standard", headers: signed, body, secret: STANDARD_SECRET }).id, JSON.parse(body).id);
  assert.match(runToken({ runId: "run_1", secret: "live-token-secret-0123456789", now: 1000 }), /^4600\.[0-9a-f]{64}$/);
});

test("verifiers are cached per exact secret list", () => {
  const body = event();
  const [a, b] = ["first-secret-0123456789", "second-secret-0123456789"];
  const headers = sign({ scheme: "trigger", secret: b, body });
  assert.ok(verify({ scheme: "trigger", headers, body, secret: [a, b] }));
  // A single secret that merely joins the same strings is another secret.
  expectError(() => verify({ scheme: "trigger", headers, body, secret: `${a}\u0000${b}` }), "invalid_signature", 401);
  // Options are part of the key: the same secrets with another tolerance or URL are another verifier.
  const square = sign({ scheme: "square", secret: a, body, url: SQUARE_URL });
  assert.ok(verify({ scheme: "square", headers: square, body, secret: a, url: SQUARE_URL }));
  expectError(() => verify({ scheme: "square", headers: square, body, secret: a, url: "https://example.com/other" }), "invalid_signature", 401);
});

test("the verifier cache evicts the least recently used verifier, and only it", () => {
  const body = event();
  const signed = (n) => sign({ scheme: "trigger", secret: `lru-secret-${n}-0123456789`, body });
  const check = (n) => assert.equal(verify({ scheme: "trigger", headers: signed(n), body, secret: `lru-secret-${n}-0123456789` }).type, "run.completed");
  check(0);
  for (let n = 1; n <= 40; n++) {
    check(n);
    check(0); // kept fresh: never evicted
  }
  // Evicted verifiers were freed and are built again when needed; kept ones still work.
  for (let n = 0; n <= 40; n++) check(n);
  expectError(() => verify({ scheme: "trigger", headers: signed(1), body, secret: "lru-secret-2-0123456789" }), "invalid_signature", 401);
});

test("oversized bodies and headers are refused before they are copied in", () => {
  const body = new Uint8Array(1024 * 1024 + 1);
  const headers = sign({ scheme: "trigger", secret: S, body: "{}" });
  expectError(() => verify({ scheme: "trigger", headers, body, secret: S }), "payload_too_large", 413);
  expectError(
    () => verify({ scheme: "trigger", headers: { "x-trigger-signature-hmacsha256": "a".repeat(10_000) }, body: "{}", secret: S }),
    "malformed_signature",
    401,
  );
});

test("a verify that grows wasm memory reads the new memory: a large text body between small ones, in a fresh process", async () => {
  // A fresh process, so that this body is the largest its module has seen: its input buffer
  // grows, which replaces wasm memory's ArrayBuffer under every view made before.
  const script = `
    import { sign, verify } from "hookguard";
    const out = [];
    for (const size of [10, 340000, 10]) {
      const body = JSON.stringify({ id: "evt_grow_" + size, type: "alert.run.failed", pad: "\u00e9".repeat(size) });
      const event = verify({ scheme: "trigger", headers: sign({ scheme: "trigger", secret: "${S}", body }), body, secret: "${S}" });
      out.push([event.id, event.data.pad.length]);
    }
    console.log(JSON.stringify(out));`;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { cwd: here });
  assert.deepEqual(JSON.parse(stdout), [["evt_grow_10", 10], ["evt_grow_340000", 340000], ["evt_grow_10", 10]]);
});

test("rotation: any of several secrets verifies", () => {
  const body = event();
  const headers = sign({ scheme: "trigger", secret: "old-secret-0123456789", body });
  assert.ok(verify({ scheme: "trigger", headers, body, secret: ["new-secret-0123456789", "old-secret-0123456789"] }));
  expectError(() => verify({ scheme: "trigger", headers, body, secret: ["new-secret-0123456789"] }), "invalid_signature", 401);
});

test("tolerance: each scheme's own default, settable, for old and future stamps", () => {
  const body = event();
  const t = now();
  const stamped = signable.filter((scheme) => described[scheme].timestamp && !described[scheme].timestamp.body);
  assert.ok(stamped.length >= 10, stamped.join());
  for (const scheme of stamped) {
    const tolerance = described[scheme].timestamp.tolerance;
    const url = urlFor(scheme);
    const headers = sign({ scheme, secret: secretFor(scheme), body, timestamp: t, url });
    const at = (when, toleranceSeconds) => () => verify({ scheme, headers, body, secret: secretFor(scheme), now: when, toleranceSeconds, url });
    assert.ok(at(t + tolerance)(), scheme);
    assert.ok(at(t - tolerance)(), scheme);
    expectError(at(t + tolerance + 1), "timestamp_out_of_tolerance", 401);
    expectError(at(t - tolerance - 1), "timestamp_out_of_tolerance", 401);
    expectError(at(t + 11, 10), "timestamp_out_of_tolerance", 401);
    assert.ok(at(t + 10, 10)(), scheme);
    // Infinity turns the check off.
    assert.ok(at(t + 10 * 365 * 86400, Infinity)(), scheme);
  }
  assert.equal(described.stripe.timestamp.tolerance, 300);
  // The default clock is the real one.
  const stale = sign({ scheme: "standard", secret: STANDARD_SECRET, body, timestamp: now() - 3600 });
  expectError(() => verify({ scheme: "standard", headers: stale, body, secret: STANDARD_SECRET }), "timestamp_out_of_tolerance", 401);
});

test("Trigger.dev: the signed envelope's `created` may be at most an hour from now; bodies without it pass", () => {
  const sample = fs.readFileSync(path.join(samples, "alert.run.failed.json"), "utf8");
  const at = (ms) => {
    const body = fresh(sample, new Date(ms));
    return () => verify({ scheme: "trigger", headers: sign({ scheme: "trigger", secret: S, body }), body, secret: S });
  };
  assert.equal(at(Date.now())().timestamp, now());
  assert.ok(at(Date.now() - 3590_000)());
  expectError(at(Date.now() - 3610_000), "timestamp_out_of_tolerance", 401);
  expectError(at(Date.now() + 3610_000), "timestamp_out_of_tolerance", 401);
  // The samples as committed are days old.
  const old = sign({ scheme: "trigger", secret: S, body: sample });
  expectError(() => verify({ scheme: "trigger", headers: old, body: sample, secret: S }), "timestamp_out_of_tolerance", 401);
  assert.ok(verify({ scheme: "trigger", headers: old, body: sample, secret: S, toleranceSeconds: Infinity }));
  const bare = '{"id":"evt_no_created","type":"run.completed"}';
  assert.equal(verify({ scheme: "trigger", headers: sign({ scheme: "trigger", secret: S, body: bare }), body: bare, secret: S }).timestamp, undefined);
});

test("Linear: the body's webhookTimestamp (ms) must be within 60 s", () => {
  const body = (ms) => JSON.stringify({ action: "create", type: "Issue", webhookTimestamp: ms });
  const check = (text) => () => verify({ scheme: "linear", headers: { ...sign({ scheme: "linear", secret: S, body: text, id: "lin-1" }), "linear-event": "Issue" }, body: text, secret: S });
  const fresh = check(body(Date.now()))();
  assert.equal(fresh.deliveryId, "lin-1");
  assert.match(fresh.replayKey, /^linear:sha256-body:/);
  expectError(check(body(Date.now() - 61_000)), "timestamp_out_of_tolerance", 401);
  expectError(check(JSON.stringify({ action: "create" })), "missing_timestamp", 401);
});

test("secrets under 16 bytes are refused unless allowShortSecrets (legacy secrets only)", () => {
  const body = event();
  expectError(() => sign({ scheme: "github", secret: "short-secret", body }), "invalid_secret", 500);
  const headers = sign({ scheme: "github", secret: "short-secret", body, allowShortSecrets: true });
  expectError(() => verify({ scheme: "github", headers, body, secret: "short-secret" }), "invalid_secret", 500);
  assert.ok(verify({ scheme: "github", headers, body, secret: "short-secret", allowShortSecrets: true }));
  // Never an empty or whitespace-only one.
  expectError(() => verify({ scheme: "github", headers, body, secret: "   ", allowShortSecrets: true }), "invalid_secret", 500);
  expectError(() => verify({ scheme: "github", headers, body, secret: " ".repeat(20) }), "invalid_secret", 500);
});

test("errors by code and status", () => {
  const body = event();
  const trigger = sign({ scheme: "trigger", secret: S, body });
  const cases = [
    [() => verify({ scheme: "trigger", headers: {}, body, secret: S }), "missing_signature", 401],
    [() => verify({ scheme: "trigger", headers: { "x-trigger-signature-hmacsha256": "xyz" }, body, secret: S }), "malformed_signature", 401],
    [() => verify({ scheme: "trigger", headers: trigger, body, secret: "" }), "invalid_secret", 500],
    [() => verify({ scheme: "trigger", headers: trigger, body, secret: [] }), "invalid_secret", 500],
    [() => verify({ scheme: "standard", headers: {}, body, secret: "whsec_short" }), "invalid_secret", 500],
    [() => verify({ scheme: "paypal", headers: trigger, body, secret: S }), "unknown_scheme", 500],
    [() => verify({ scheme: "stripe", headers: { "stripe-signature": `v1=${"0".repeat(64)}` }, body, secret: S }), "missing_timestamp", 401],
    [() => verify({ scheme: "standard", headers: { "webhook-signature": `v1,${"A".repeat(43)}=`, "webhook-timestamp": "1" }, body, secret: STANDARD_SECRET }), "missing_message_id", 401],
    [() => verify({ scheme: "standard", headers: { "webhook-signature": `v1,${"A".repeat(43)}=`, "webhook-timestamp": String(now()), "webhook-id": "msg.1" }, body, secret: STANDARD_SECRET }), "malformed_message_id", 401],
  ];
  for (const [fn, code, status] of cases) expectError(fn, code, status);
  for (const [text, code] of [
    ["not json", "invalid_json"],
    ["[1]", "not_an_object"],
    ["{} {}", "trailing_characters"],
    ['{"type":"a","type":"b"}', "duplicate_key"],
    [`{"a":${"[".repeat(65)}${"]".repeat(65)}}`, "nesting_too_deep"],
  ]) {
    const headers = sign({ scheme: "trigger", secret: S, body: text });
    expectError(() => verify({ scheme: "trigger", headers, body: text, secret: S }), code, 400);
  }
});

test("emoji and invalid UTF-8: verified over the raw bytes, decoded as TextDecoder does", () => {
  const bytes = Buffer.concat([
    Buffer.from('{"id":"evt_bytes","type":"run.failed 🎵","note":"caf\\u00e9 \\ud83c\\udfb5 '),
    Buffer.from([0xff, 0xfe]),
    Buffer.from('"}'),
  ]);
  const headers = sign({ scheme: "trigger", secret: S, body: bytes });
  const result = verify({ scheme: "trigger", headers, body: bytes, secret: S });
  assert.equal(result.type, "run.failed 🎵");
  assert.equal(result.data.note, "café 🎵 \ufffd\ufffd");
  // A string body is its UTF-8 bytes: the same signature.
  const text = '{"type":"🎶 émoji"}';
  const signed = sign({ scheme: "github", secret: S, body: new TextEncoder().encode(text) });
  assert.equal(verify({ scheme: "github", headers: signed, body: text, secret: S }).type, "🎶 émoji");
  // A string that is not well-formed UTF-16 is its UTF-8 bytes too (U+FFFD for a lone
  // surrogate): what was verified is what is parsed.
  const lone = '{"type":"x","note":"\ud800 ok"}';
  assert.equal(lone.isWellFormed(), false);
  const loneHeaders = sign({ scheme: "trigger", secret: S, body: new TextEncoder().encode(lone) });
  assert.equal(verify({ scheme: "trigger", headers: loneHeaders, body: lone, secret: S }).data.note, "\ufffd ok");
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
  const githubHeaders = { "x-hub-signature-256": await githubSign("gh-secret-0123456789", body), "x-github-delivery": "d1" };
  for (const [scheme, headers, secret] of [
    ["standard", swHeaders, STANDARD_SECRET],
    ["svix", svixHeaders, STANDARD_SECRET],
    ["stripe", stripeHeaders, stripeSecret],
    ["github", githubHeaders, "gh-secret-0123456789"],
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
  const secret = "tr_whsec_7b1f0c9d2e";
  const request = (body) =>
    new Request("http://localhost/api/v2/webhooks/trigger", {
      method: "POST",
      body,
      headers: sign({ scheme: "trigger", secret, body }),
    });
  const known = ["alert.run.failed", "alert.deployment.success", "alert.deployment.failed", "alert.error"];
  for (const name of known) {
    const body = fresh(fs.readFileSync(path.join(samples, `${name}.json`), "utf8"));
    const theirs = await triggerWebhooks.constructEvent(request(body), secret);
    const ours = await constructEvent(request(body), secret);
    assert.equal(ours.type, name);
    assert.equal(ours.idempotencyKey.startsWith("trigger:"), true);
    // The SDK turns date strings into Date objects; as JSON the two are the same event.
    assert.deepEqual(ours.data, JSON.parse(JSON.stringify(theirs)), name);
    assert.equal(ours.id, theirs.id);
  }
  // A correctly signed event of a type the SDK does not know: it throws, hookguard returns it.
  const body = fresh(fs.readFileSync(path.join(samples, "run.completed.json"), "utf8"));
  await assert.rejects(triggerWebhooks.constructEvent(request(body), secret));
  assert.equal((await constructEvent(request(body), secret)).type, "run.completed");
  // Both refuse a bad signature.
  const forged = new Request("http://localhost/", { method: "POST", body, headers: { "x-trigger-signature-hmacsha256": "0".repeat(64) } });
  await assert.rejects(constructEvent(forged, secret), (e) => e.code === "invalid_signature" && e.status === 401);
});

test("the hookguard command signs samples and files, and sends them", async () => {
  const cli = path.join(here, "node_modules/hookguard/bin/hookguard.mjs");
  const run = promisify(execFile);
  const { stdout } = await run(process.execPath, [cli, "sign", "--secret", "cli-secret-0123456789", "--sample", "run.completed"]);
  const printed = JSON.parse(stdout);
  assert.equal(verify({ scheme: "trigger", headers: printed.headers, body: printed.body, secret: "cli-secret-0123456789" }).type, "run.completed");

  const received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      try {
        received.push(verify({ scheme: "stripe", headers: req.headers, body, secret: "whsec_cli_0123456789" }));
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
    const sent = await run(process.execPath, [cli, "send", url, file, "--scheme", "stripe"], { env: { ...process.env, HOOKGUARD_SECRET: "whsec_cli_0123456789" } });
    assert.match(sent.stdout, /^200 /);
    assert.equal(received.length, 1);
    assert.equal(received[0].type, "alert.deployment.success");
    await assert.rejects(run(process.execPath, [cli, "send", url, "--scheme", "stripe", "--secret", "wrong-secret-0123456789"]));
    await assert.rejects(run(process.execPath, [cli, "sign"]), /no secret/);
  } finally {
    await new Promise((r) => server.close(r));
  }
});
