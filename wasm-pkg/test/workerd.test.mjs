// The packed package inside workerd (Miniflare 4): a plain JS Worker, bundled the way wrangler
// bundles (esbuild with the `workerd` condition, the .wasm kept as a compiled module).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { sign } from "hookguard";
import { fresh } from "./fresh.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const out = fs.mkdtempSync(path.join(os.tmpdir(), "hookguard-worker-"));
let mf;

before(async () => {
  execFileSync(path.join(root, "node_modules/@esbuild/linux-x64/bin/esbuild"), [
    path.join(here, "worker/index.mjs"),
    "--bundle",
    "--format=esm",
    "--platform=neutral",
    "--conditions=workerd,worker",
    "--external:*.wasm",
    "--log-level=warning",
    `--outfile=${path.join(out, "worker.mjs")}`,
  ]);
  fs.copyFileSync(path.join(here, "node_modules/hookguard/hookguard_wasm_bg.wasm"), path.join(out, "hookguard_wasm_bg.wasm"));
  mf = new Miniflare({
    modules: true,
    scriptPath: path.join(out, "worker.mjs"),
    modulesRoot: out,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-07-01",
    bindings: { TRIGGER_WEBHOOK_SECRET: "tr_secret_0123456789" },
    cf: false,
  });
  await mf.ready;
});

after(async () => {
  await mf?.dispose();
  fs.rmSync(out, { recursive: true, force: true });
});

test("a plain JS Worker verifies with the package inside workerd", async () => {
  const body = fresh(fs.readFileSync(path.join(root, "core/samples/trigger/alert.run.failed.json")));
  const headers = sign({ scheme: "trigger", secret: "tr_secret_0123456789", body });
  const ok = await mf.dispatchFetch("http://localhost/", { method: "POST", body, headers });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { received: true, type: "alert.run.failed", idempotencyKey: "trigger:evt_01jq8m6xk2c3v4b5n6m7p8q9r0" });

  const forged = await mf.dispatchFetch("http://localhost/", { method: "POST", body: Buffer.concat([body, Buffer.from(" ")]), headers });
  assert.equal(forged.status, 401);
  assert.deepEqual(await forged.json(), { error: "invalid_signature" });
});

test("webhookHandler in a Worker: handled, duplicate, refused", async () => {
  const body = fresh(fs.readFileSync(path.join(root, "core/samples/trigger/alert.deployment.failed.json")));
  const headers = sign({ scheme: "trigger", secret: "tr_secret_0123456789", body });
  const post = async (b, h) => {
    const res = await mf.dispatchFetch("http://localhost/handler", { method: "POST", body: b, headers: h });
    return [res.status, await res.json()];
  };
  assert.deepEqual(await post(body, headers), [200, { received: true, duplicate: false, type: "alert.deployment.failed" }]);
  assert.deepEqual(await post(body, headers), [200, { received: true, duplicate: true }]);
  assert.deepEqual(await post(Buffer.concat([body, Buffer.from(" ")]), headers), [401, { error: "invalid_signature" }]);
});
