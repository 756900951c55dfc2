// webhookHandler with memoryStore, from the packed package: refusals, duplicates, handlers that
// throw, concurrent attempts, and the store's bounds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { memoryStore, sign, webhookHandler } from "hookguard";

const SECRET = "tr_handler_secret";
let serial = 0;
const body = (type = "alert.run.failed") => JSON.stringify({ id: `evt_handler_${++serial}_${Date.now()}`, type, object: {} });
const request = (text, secret = SECRET) =>
  new Request("http://localhost/api/webhooks", { method: "POST", body: text, headers: sign({ scheme: "trigger", secret, body: text }) });
const answer = async (response) => [response.status, await response.json()];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function recorder() {
  const calls = [];
  return { calls, on: { "alert.run.failed": (event) => calls.push(["failed", event.id]), "*": (event) => calls.push(["other", event.type]) } };
}

test("a signed delivery runs its type's handler once; a repeat answers 200 without it", async () => {
  const { calls, on } = recorder();
  const handle = webhookHandler({ scheme: "trigger", secret: SECRET, store: memoryStore(), on });
  const text = body();
  assert.deepEqual(await answer(await handle(request(text))), [200, { received: true, duplicate: false, type: "alert.run.failed" }]);
  assert.deepEqual(await answer(await handle(request(text))), [200, { received: true, duplicate: true }]);
  assert.deepEqual(calls, [["failed", JSON.parse(text).id]]);
  // Other types go to "*", including names that are properties of every object.
  for (const type of ["alert.error", "constructor", "toString"]) await handle(request(body(type)));
  assert.deepEqual(calls.slice(1), [["other", "alert.error"], ["other", "constructor"], ["other", "toString"]]);
});

test("refusals answer the error's status and code, and run nothing", async () => {
  const { calls, on } = recorder();
  const handle = webhookHandler({ scheme: "trigger", secret: [SECRET, undefined], store: memoryStore(), on });
  const text = body();
  const tampered = new Request("http://localhost/", { method: "POST", body: `${text} `, headers: sign({ scheme: "trigger", secret: SECRET, body: text }) });
  assert.deepEqual(await answer(await handle(tampered)), [401, { error: "invalid_signature" }]);
  assert.deepEqual(await answer(await handle(new Request("http://localhost/", { method: "POST", body: text }))), [401, { error: "missing_signature" }]);
  assert.deepEqual(await answer(await handle(request(text, "other-secret-0123456789"))), [401, { error: "invalid_signature" }]);
  const unconfigured = webhookHandler({ scheme: "trigger", secret: [undefined], store: memoryStore(), on });
  assert.deepEqual(await answer(await unconfigured(request(text))), [500, { error: "invalid_secret" }]);
  assert.deepEqual(calls, []);
  assert.throws(() => webhookHandler({ scheme: "trigger", secret: SECRET, on }), TypeError);
});

test("a handler that throws gives 500 and releases the claim: the retry runs it again", async () => {
  let attempts = 0;
  const errors = [];
  const handle = webhookHandler({
    scheme: "trigger",
    secret: SECRET,
    store: memoryStore(),
    on: { "*": () => { if (++attempts === 1) throw new Error("database down"); } },
    onError: (error) => errors.push(error.message),
  });
  const text = body();
  assert.deepEqual(await answer(await handle(request(text))), [500, { error: "handler_failed" }]);
  assert.deepEqual(errors, ["database down"]);
  assert.equal((await handle(request(text))).status, 200);
  assert.deepEqual(await answer(await handle(request(text))), [200, { received: true, duplicate: true }]);
  assert.equal(attempts, 2);
});

test("concurrent attempts: one runs, the other is told to retry (409 in_flight)", async () => {
  let runs = 0;
  const handle = webhookHandler({ scheme: "trigger", secret: SECRET, store: memoryStore(), on: { "*": async () => { runs++; await sleep(50); } } });
  const text = body();
  const answers = await Promise.all([handle(request(text)), handle(request(text))].map(async (r) => answer(await r)));
  assert.deepEqual(answers.map(([status]) => status).sort(), [200, 409]);
  assert.deepEqual(answers.find(([status]) => status === 409)[1], { error: "in_flight" });
  assert.equal(runs, 1);
});

test("a handler's own Response is the answer", async () => {
  const handle = webhookHandler({ scheme: "trigger", secret: SECRET, store: memoryStore(), on: { "*": (event) => Response.json({ mine: event.type }, { status: 202 }) } });
  assert.deepEqual(await answer(await handle(request(body("run.completed")))), [202, { mine: "run.completed" }]);
});

test("memoryStore is bounded, forgets the oldest first, and forgets after ttlSeconds", async () => {
  const store = memoryStore({ max: 2, ttlSeconds: 0.05 });
  for (const key of ["a", "b", "c"]) {
    assert.equal(await store.claim(key, "t", 1000), "claimed");
    await store.complete(key, "t");
  }
  assert.equal(await store.claim("a", "t2", 1000), "claimed", "the oldest key was evicted");
  assert.equal(await store.claim("c", "t2", 1000), "duplicate");
  await sleep(80);
  assert.equal(await store.claim("c", "t3", 1000), "claimed", "done keys expire");
  // A lease expires by itself; a release by another claim's token changes nothing.
  assert.equal(await store.claim("lease", "t", 20), "claimed");
  assert.equal(await store.claim("lease", "u", 20), "in_flight");
  await store.release("lease", "u");
  assert.equal(await store.claim("lease", "u", 20), "in_flight");
  await sleep(40);
  assert.equal(await store.claim("lease", "u", 20), "claimed");
});

/** A GitHub delivery of `text` under the delivery id `delivery`. */
const github = (text, delivery, secret = SECRET) =>
  new Request("http://localhost/api/webhooks/github", {
    method: "POST",
    body: text,
    headers: { ...sign({ scheme: "github", secret, body: text, id: delivery }), "x-github-event": "push" },
  });

test("a GitHub delivery re-sent under a new X-GitHub-Delivery id is a duplicate (its replayKey was seen)", async () => {
  const runs = [];
  const store = memoryStore();
  const handle = webhookHandler({ scheme: "github", secret: SECRET, store, on: { "*": (event) => runs.push([event.deliveryId, event.idempotencyKey, event.replayKey]) } });
  const text = JSON.stringify({ ref: "refs/heads/main", after: `sha-${++serial}` });
  assert.deepEqual(await answer(await handle(github(text, "delivery-1"))), [200, { received: true, duplicate: false, type: "push" }]);
  // The same signed content under another id: the first key is new, the replay key is not.
  assert.deepEqual(await answer(await handle(github(text, "delivery-2"))), [200, { received: true, duplicate: true }]);
  // The same id with other content is a duplicate too (the id was seen).
  const other = JSON.stringify({ ref: "refs/heads/main", after: `sha-${++serial}` });
  assert.deepEqual(await answer(await handle(github(other, "delivery-1"))), [200, { received: true, duplicate: true }]);
  assert.equal(runs.length, 1);
  const [[delivery, key, replayKey]] = runs;
  assert.deepEqual([delivery, key], ["delivery-1", "github:delivery-1"]);
  assert.match(replayKey, /^github:sha256-body:[0-9a-f]{64}$/);
  // Both keys were completed; the new id claimed by the duplicate was released, not kept.
  assert.equal(await store.claim(key, "probe", 1000), "duplicate");
  assert.equal(await store.claim(replayKey, "probe", 1000), "duplicate");
  assert.equal(await store.claim("github:delivery-2", "probe", 1000), "claimed");
});

test("a handler that throws releases both keys: a re-send under a new id runs it again", async () => {
  let attempts = 0;
  const handle = webhookHandler({
    scheme: "github",
    secret: SECRET,
    store: memoryStore(),
    on: { "*": () => { if (++attempts === 1) throw new Error("first attempt fails"); } },
    onError: () => {},
  });
  const text = JSON.stringify({ ref: "refs/heads/dev", after: `sha-${++serial}` });
  assert.deepEqual(await answer(await handle(github(text, "retry-1"))), [500, { error: "handler_failed" }]);
  assert.equal((await handle(github(text, "retry-2"))).status, 200);
  assert.deepEqual(await answer(await handle(github(text, "retry-3"))), [200, { received: true, duplicate: true }]);
  assert.equal(attempts, 2);
});

test("while the first copy runs, a copy under a new id is in flight (409)", async () => {
  let runs = 0;
  const handle = webhookHandler({ scheme: "github", secret: SECRET, store: memoryStore(), on: { "*": async () => { runs++; await sleep(50); } } });
  const text = JSON.stringify({ ref: "refs/heads/race", after: `sha-${++serial}` });
  const answers = await Promise.all([handle(github(text, "race-1")), handle(github(text, "race-2"))].map(async (r) => answer(await r)));
  assert.deepEqual(answers.map(([status]) => status).sort(), [200, 409]);
  assert.equal(runs, 1);
});

test("webhookHandler takes custom schemes, url and the scheme's tolerance", async () => {
  const acme = { id: "acme-hooks", algorithm: "hmac-sha256", encoding: "base64", header: "x-acme-sig", content: "{url}{body}", secret: "text", delivery_id: { body: "id" } };
  const url = "https://example.com/api/webhooks/acme";
  const runs = [];
  const handle = webhookHandler({ scheme: acme, url, secret: SECRET, store: memoryStore(), on: { "*": (event) => runs.push(event.idempotencyKey) } });
  const text = JSON.stringify({ id: "acme_1", type: "thing.done" });
  const post = (headers) => handle(new Request(url, { method: "POST", body: text, headers }));
  assert.deepEqual(await answer(await post(sign({ scheme: acme, secret: SECRET, body: text, url }))), [200, { received: true, duplicate: false, type: "thing.done" }]);
  assert.deepEqual(await answer(await post(sign({ scheme: acme, secret: SECRET, body: text, url: `${url}x` }))), [401, { error: "invalid_signature" }]);
  assert.deepEqual(runs, ["acme-hooks:acme_1"]);
  const broken = webhookHandler({ scheme: { ...acme, content: "{body}{body}" }, url, secret: SECRET, store: memoryStore(), on: {} });
  assert.deepEqual(await answer(await broken(new Request(url, { method: "POST", body: text }))), [500, { error: "invalid_scheme" }]);
});

test("a handler slower than its lease keeps its claim: a copy meanwhile is in flight, the handler runs once", async () => {
  let runs = 0;
  // A lease of 300 ms renewed every 100 ms, a handler of 1.5 s: margins a loaded machine keeps.
  const handle = webhookHandler({ scheme: "trigger", secret: SECRET, store: memoryStore(), leaseSeconds: 0.3, on: { "*": async () => { runs++; await sleep(1500); } } });
  const text = body();
  const first = handle(request(text));
  await sleep(750);
  assert.deepEqual(await answer(await handle(request(text))), [409, { error: "in_flight" }]);
  assert.equal((await first).status, 200);
  assert.deepEqual(await answer(await handle(request(text))), [200, { received: true, duplicate: true }]);
  assert.equal(runs, 1);
});

test("an async handler that rejects, or answers non-2xx, releases the claim: the retry runs it again", async () => {
  for (const fail of [async () => { throw new Error("rejected"); }, () => new Response("busy", { status: 503 })]) {
    let attempts = 0;
    const errors = [];
    const handle = webhookHandler({
      scheme: "trigger",
      secret: SECRET,
      store: memoryStore(),
      on: { "*": (...args) => (++attempts === 1 ? fail(...args) : undefined) },
      onError: (error) => errors.push(error.message),
    });
    const text = body();
    const failed = await handle(request(text));
    assert.ok(failed.status === 500 || failed.status === 503, String(failed.status));
    assert.deepEqual(await answer(await handle(request(text))), [200, { received: true, duplicate: false, type: "alert.run.failed" }]);
    assert.deepEqual(await answer(await handle(request(text))), [200, { received: true, duplicate: true }]);
    assert.equal(attempts, 2);
    assert.deepEqual(errors, failed.status === 500 ? ["rejected"] : []);
  }
});

/** memoryStore with `fail` (a method name) rejecting the first `times` calls. */
function failing(fail, times = 1) {
  const store = memoryStore();
  const real = store[fail];
  let left = times;
  store[fail] = (...args) => (left-- > 0 ? Promise.reject(new Error(`${fail} failed`)) : real(...args));
  return store;
}

test("a failing store: never a thrown request, never a claim held for good, onError told", async () => {
  const text = body();
  // claim fails: 503, the provider retries, and the retry runs.
  let runs = 0;
  let errors = [];
  const on = { "*": () => { runs++; } };
  let handle = webhookHandler({ scheme: "trigger", secret: SECRET, store: failing("claim"), on, onError: (e) => errors.push(e.message) });
  assert.deepEqual(await answer(await handle(request(text))), [503, { error: "store_unavailable" }]);
  assert.equal((await handle(request(text))).status, 200);
  assert.deepEqual([runs, errors], [1, ["claim failed"]]);
  // release fails after a throwing handler: still 500 handler_failed, onError hears both, and a
  // rejecting onError changes nothing.
  errors = [];
  handle = webhookHandler({
    scheme: "trigger",
    secret: SECRET,
    store: failing("release"),
    on: { "*": () => { throw new Error("handler"); } },
    onError: async (e) => { errors.push(e.message); throw new Error("onError itself"); },
  });
  assert.deepEqual(await answer(await handle(request(body()))), [500, { error: "handler_failed" }]);
  assert.deepEqual(errors.sort(), ["handler", "release failed"]);
  // complete fails after the handler ran: the handler's answer stands.
  errors = [];
  runs = 0;
  handle = webhookHandler({ scheme: "trigger", secret: SECRET, store: failing("complete"), on, onError: (e) => errors.push(e.message) });
  assert.equal((await handle(request(body()))).status, 200);
  assert.deepEqual([runs, errors], [1, ["complete failed"]]);
});

test("a GitHub delivery whose second key fails to claim releases the first: the retry runs", async () => {
  const store = memoryStore();
  const real = store.claim;
  let calls = 0;
  store.claim = (...args) => (++calls === 2 ? Promise.reject(new Error("down")) : real(...args));
  let runs = 0;
  const handle = webhookHandler({ scheme: "github", secret: SECRET, store, on: { "*": () => { runs++; } }, onError: () => {} });
  const text = JSON.stringify({ ref: "refs/heads/main", after: `second-key-${Date.now()}` });
  assert.equal((await handle(github(text, "d-1"))).status, 503);
  assert.equal((await handle(github(text, "d-1"))).status, 200);
  assert.equal(runs, 1);
});

test("a body over the limit is refused before it is all read, from its length or its bytes", async () => {
  const { calls, on } = recorder();
  const handle = webhookHandler({ scheme: "trigger", secret: SECRET, store: memoryStore(), on });
  const declared = new Request("http://localhost/", { method: "POST", body: "{}", headers: { "content-length": String(2 ** 21) } });
  assert.deepEqual(await answer(await handle(declared)), [413, { error: "payload_too_large" }]);
  // A stream without a length: the reader stops at the first chunk past the limit.
  let pulled = 0;
  const chunk = new Uint8Array(64 * 1024);
  const endless = new ReadableStream({ pull(controller) { pulled++; controller.enqueue(chunk); } });
  const streamed = new Request("http://localhost/", { method: "POST", body: endless, duplex: "half" });
  assert.deepEqual(await answer(await handle(streamed)), [413, { error: "payload_too_large" }]);
  assert.ok(pulled <= 20, `read ${pulled} chunks of 64 KiB`);
  assert.deepEqual(calls, []);
});

test("options are checked; empty secrets in a rotation list are left out", async () => {
  for (const leaseSeconds of [0, -1, NaN, "60"]) {
    assert.throws(() => webhookHandler({ scheme: "trigger", secret: SECRET, store: memoryStore(), on: {}, leaseSeconds }), TypeError);
  }
  for (const options of [{ max: 0 }, { max: -1 }, { max: NaN }, { max: 1.5 }, { ttlSeconds: 0 }]) {
    assert.throws(() => memoryStore(options), TypeError, JSON.stringify(options));
  }
  const { calls, on } = recorder();
  const handle = webhookHandler({ scheme: "trigger", secret: [SECRET, ""], store: memoryStore(), on });
  assert.equal((await handle(request(body()))).status, 200);
  assert.equal(calls.length, 1);
});
