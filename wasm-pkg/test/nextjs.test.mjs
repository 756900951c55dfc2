// The example Next.js app (wasm-pkg/examples/nextjs), built by `cargo xtask test` with the
// freshly packed package, served by `next start` on 127.0.0.1, and sent real requests on its
// Node route and its Edge route.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sign } from "hookguard";
import { fresh } from "./fresh.mjs";
import { freePort } from "./ports.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.resolve(here, "../examples/nextjs");
const samples = path.resolve(here, "../../core/samples/trigger");
const SECRET = "tr_next_current_0123";
const PREVIOUS = "tr_next_previous_0123";
// The samples as posted: `created` now (Trigger.dev events older than an hour are refused).
const posted = new Map(fs.readdirSync(samples).map((file) => [file, fresh(fs.readFileSync(path.join(samples, file)))]));
let server;
let base;

before(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, [path.join(app, "node_modules/next/dist/bin/next"), "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: app,
    env: { ...process.env, TRIGGER_WEBHOOK_SECRET: SECRET, TRIGGER_WEBHOOK_SECRET_PREVIOUS: PREVIOUS, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await fetch(base);
      return;
    } catch {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error("next start did not come up");
      await new Promise((r) => setTimeout(r, 250));
    }
  }
});

after(() => server?.kill());

async function post(route, body, headers) {
  const res = await fetch(`${base}/api/v2/webhooks/${route}`, { method: "POST", body, headers });
  return { status: res.status, json: await res.json() };
}

for (const [route, runtime] of [
  ["trigger", "nodejs"],
  ["trigger-edge", "edge"],
]) {
  test(`${runtime} route: signed, tampered and duplicate requests`, async () => {
    for (const [file, body] of posted) {
      const headers = sign({ scheme: "trigger", secret: SECRET, body });
      const first = await post(route, body, headers);
      assert.equal(first.status, 200, `${file}: ${JSON.stringify(first.json)}`);
      assert.equal(first.json.duplicate, false, file);
      assert.equal(first.json.runtime, runtime);
      const again = await post(route, body, headers);
      assert.deepEqual(again.json, { received: true, duplicate: true }, file);

      const tampered = Buffer.concat([body.subarray(0, -2), Buffer.from(" }")]);
      const refused = await post(route, tampered, headers);
      assert.equal(refused.status, 401, file);
      assert.deepEqual(refused.json, { error: "invalid_signature" });
    }
    const unsigned = await post(route, "{}", {});
    assert.deepEqual([unsigned.status, unsigned.json], [401, { error: "missing_signature" }]);
    const wrong = '{"id":"evt_wrong"}';
    const forged = await post(route, wrong, sign({ scheme: "trigger", secret: "not-the-secret-0123456789", body: wrong }));
    assert.deepEqual([forged.status, forged.json], [401, { error: "invalid_signature" }]);
  });
}

test("the Node route accepts the previous secret during a rotation", async () => {
  const body = JSON.stringify({ id: "evt_rotated", type: "alert.run.failed" });
  const res = await post("trigger", body, sign({ scheme: "trigger", secret: PREVIOUS, body }));
  assert.equal(res.status, 200);
  assert.equal(res.json.type, "alert.run.failed");
});

test("bodies with emoji and invalid UTF-8 bytes verify on both runtimes", async () => {
  for (const route of ["trigger", "trigger-edge"]) {
    const body = Buffer.concat([Buffer.from(`{"id":"evt_bytes_${route}","type":"run.failed 🎵","x":"`), Buffer.from([0xff, 0xc3]), Buffer.from('"}')]);
    const res = await post(route, body, sign({ scheme: "trigger", secret: SECRET, body }));
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(res.json.type, "run.failed 🎵");
  }
});

test("the example's README shows its routes and the live page in full, as they are", () => {
  const readme = fs.readFileSync(path.join(app, "README.md"), "utf8");
  for (const file of [
    "app/api/v2/webhooks/trigger/route.ts",
    "app/api/v2/webhooks/trigger-edge/route.ts",
    "lib/handlers.ts",
    "app/runs/[id]/page.tsx",
    "app/runs/[id]/live-status.tsx",
    "next.config.ts",
  ]) {
    assert.ok(readme.includes(fs.readFileSync(path.join(app, file), "utf8")), `${file} is not in the README as written`);
  }
});

test("the four stub handlers were given each delivery once, on both runtimes", async () => {
  const sample = (name) => JSON.parse(posted.get(`${name}.json`).toString("utf8"));
  const failed = sample("alert.run.failed");
  const deployed = sample("alert.deployment.success");
  const completed = sample("run.completed");
  for (const route of ["trigger", "trigger-edge"]) {
    const calls = await (await fetch(`${base}/api/v2/webhooks/${route}`)).json();
    const given = (handler, key) => calls.filter((c) => c.handler === handler && c.key === key).map((c) => c.given);
    // Every sample was posted twice; the repeat ran nothing.
    assert.deepEqual(given("save", `trigger:${failed.id}`), [failed], route);
    assert.deepEqual(given("notify", `trigger:${failed.id}`), [`Run ${failed.object.run.id} of ${failed.object.task.id} failed: ${failed.object.run.dashboardUrl}`]);
    assert.deepEqual(given("triggerTask", `trigger:${deployed.id}`), [{ task: "smoke-test", payload: { version: deployed.object.deployment.version } }]);
    assert.deepEqual(given("updateCache", `trigger:${completed.id}`), [`run:${completed.run.id}`]);
    const saved = calls.filter((c) => c.handler === "save").map((c) => c.key);
    assert.equal(new Set(saved).size, saved.length, `${route}: a delivery was saved twice`);
    assert.ok(saved.length >= fs.readdirSync(samples).length, route);
  }
});
