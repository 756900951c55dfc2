// redisStore against a real redis-server (Debian's, installed by `cargo xtask test` when
// missing), started here on 127.0.0.1 on a free port and stopped after: node-redis and ioredis,
// and two Node processes racing on one key.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { createClient } from "redis";
import Redis from "ioredis";
import { redisStore, sign, webhookHandler } from "hookguard";
import { freePort } from "./ports.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const SECRET = "tr_redis_secret_0123";
let server;
let port;
const clients = {};

before(async () => {
  port = await freePort();
  server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise((resolve, reject) => {
    let output = "";
    server.on("error", (e) => reject(new Error(`redis-server: ${e.message} (cargo xtask test installs Debian's redis-server)`)));
    server.on("exit", (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    server.stdout.on("data", (chunk) => {
      output += chunk;
      if (output.includes("Ready to accept connections")) resolve();
    });
  });
  clients["node-redis"] = await createClient({ url: `redis://127.0.0.1:${port}` }).connect();
  clients.ioredis = new Redis({ host: "127.0.0.1", port });
});

after(async () => {
  await clients["node-redis"]?.quit();
  await clients.ioredis?.quit();
  server?.kill();
});

let serial = 0;
const body = () => JSON.stringify({ id: `evt_redis_${process.pid}_${++serial}`, type: "alert.run.failed", object: {} });
const request = (text) => new Request("http://localhost/", { method: "POST", body: text, headers: sign({ scheme: "trigger", secret: SECRET, body: text }) });
const answer = async (response) => [response.status, await response.json()];

for (const name of ["node-redis", "ioredis"]) {
  test(`${name}: claim, duplicate, a throwing handler releases, done expires after ttlSeconds`, async () => {
    let attempts = 0;
    const store = redisStore(clients[name], { ttlSeconds: 1 });
    const handle = webhookHandler({
      scheme: "trigger",
      secret: SECRET,
      store,
      on: { "alert.run.failed": () => { if (++attempts === 1) throw new Error("first attempt fails"); } },
      onError: () => {},
    });
    const text = body();
    assert.deepEqual(await answer(await handle(request(text))), [500, { error: "handler_failed" }]);
    assert.deepEqual(await answer(await handle(request(text))), [200, { received: true, duplicate: false, type: "alert.run.failed" }]);
    assert.deepEqual(await answer(await handle(request(text))), [200, { received: true, duplicate: true }]);
    assert.equal(attempts, 2);
    const key = `hookguard:trigger:${JSON.parse(text).id}`;
    const ttl = Number(await clients.ioredis.pttl(key));
    assert.ok(ttl > 0 && ttl <= 1000, `PTTL ${ttl}`);
    // A lease held by another claim: in flight, and not released by a stranger's token.
    assert.equal(await store.claim("k", "mine", 10_000), "claimed");
    assert.equal(await store.claim("k", "theirs", 10_000), "in_flight");
    await store.release("k", "theirs");
    assert.equal(await store.claim("k", "theirs", 10_000), "in_flight");
    await store.release("k", "mine");
    assert.equal(await store.claim("k", "theirs", 10_000), "claimed");
    await store.release("k", "theirs");
  });
}

test("a handler slower than its lease keeps its Redis claim (renewed by PEXPIRE): a copy meanwhile is in flight", async () => {
  for (const [name, client] of Object.entries(clients)) {
    let runs = 0;
    const handle = webhookHandler({ scheme: "trigger", secret: SECRET, store: redisStore(client), leaseSeconds: 0.3, on: { "*": async () => { runs++; await new Promise((r) => setTimeout(r, 1500)); } } });
    const text = body();
    const first = handle(request(text));
    await new Promise((r) => setTimeout(r, 750));
    assert.deepEqual(await answer(await handle(request(text))), [409, { error: "in_flight" }], name);
    assert.equal((await first).status, 200, name);
    assert.deepEqual(await answer(await handle(request(text))), [200, { received: true, duplicate: true }], name);
    assert.equal(runs, 1, name);
  }
});

test("both clients share one store: what one completes, the other sees as a duplicate", async () => {
  const text = body();
  const runs = [];
  const handlers = Object.entries(clients).map(([name, client]) =>
    webhookHandler({ scheme: "trigger", secret: SECRET, store: redisStore(client), on: { "*": () => runs.push(name) } }),
  );
  assert.equal((await handlers[0](request(text))).status, 200);
  assert.deepEqual(await answer(await handlers[1](request(text))), [200, { received: true, duplicate: true }]);
  assert.deepEqual(runs, ["node-redis"]);
});

test("a GitHub delivery re-sent under a new id is a duplicate in Redis too (both keys claimed, released on failure)", async () => {
  for (const [name, client] of Object.entries(clients)) {
    let attempts = 0;
    const store = redisStore(client);
    const handle = webhookHandler({
      scheme: "github",
      secret: SECRET,
      store,
      on: { "*": () => { if (++attempts === 1) throw new Error("first attempt fails"); } },
      onError: () => {},
    });
    const text = JSON.stringify({ ref: "refs/heads/main", after: `redis-${process.pid}-${++serial}` });
    const github = (delivery) =>
      new Request("http://localhost/", { method: "POST", body: text, headers: { ...sign({ scheme: "github", secret: SECRET, body: text, id: delivery }), "x-github-event": "push" } });
    const id = `${name}-${process.pid}-${serial}`;
    assert.deepEqual(await answer(await handle(github(`${id}-a`))), [500, { error: "handler_failed" }], name);
    // Released: both keys are free again.
    assert.equal(await clients.ioredis.exists(`hookguard:github:${id}-a`), 0);
    assert.deepEqual(await answer(await handle(github(`${id}-b`))), [200, { received: true, duplicate: false, type: "push" }], name);
    assert.deepEqual(await answer(await handle(github(`${id}-c`))), [200, { received: true, duplicate: true }], name);
    assert.deepEqual(await answer(await handle(github(`${id}-b`))), [200, { received: true, duplicate: true }], name);
    assert.equal(attempts, 2, name);
    const replayKeys = await clients.ioredis.keys("hookguard:github:sha256-body:*");
    assert.ok(replayKeys.length >= 1, name);
    assert.equal(await clients.ioredis.get(`hookguard:github:${id}-b`), "done");
    // The id the duplicate claimed was released.
    assert.equal(await clients.ioredis.exists(`hookguard:github:${id}-c`), 0);
  }
});

test("two Node processes racing on one key: exactly one handler runs", async () => {
  const run = promisify(execFile);
  const child = path.join(here, "race/claim.mjs");
  for (let round = 0; round < 5; round++) {
    const text = body();
    const start = Date.now() + 1500;
    const results = await Promise.all(
      ["node-redis", "ioredis"].map(async (client) => JSON.parse((await run(process.execPath, [child, String(port), client, text, SECRET, String(start)])).stdout)),
    );
    assert.equal(results.filter((r) => r.ran).length, 1, JSON.stringify(results));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409], JSON.stringify(results));
  }
});
