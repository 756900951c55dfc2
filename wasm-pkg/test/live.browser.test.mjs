// The live page of the Next.js example in a real browser: the edge worker in workerd
// (Miniflare on 127.0.0.1), the example served by `next start` with the worker's URL and the
// same LIVE_TOKEN_SECRET, Debian's headless Chromium through playwright-core. Signed run
// events posted to the worker change the status on the page with no further HTTP request from
// the page. Run by `cargo xtask test` on Node 22 (Miniflare's), after the worker is built.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { chromium } from "playwright-core";
import { workerOptions } from "../../edge-worker/test/worker.mjs";
import { freePort } from "./ports.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.resolve(here, "../examples/nextjs");
const SECRET = "tr_live_page_secret_3c9d";
const LIVE_TOKEN_SECRET = "live-page-token-secret-8e21f0";

let mf;
let worker;
let server;
let site;
let browser;

before(async () => {
  mf = new Miniflare(workerOptions({ host: "127.0.0.1", port: 0, bindings: { TRIGGER_WEBHOOK_SECRET: SECRET, LIVE_TOKEN_SECRET } }));
  worker = (await mf.ready).toString().replace(/\/$/, "");
  const port = await freePort();
  site = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, [path.join(app, "node_modules/next/dist/bin/next"), "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: app,
    env: { ...process.env, HOOKGUARD_URL: worker, LIVE_TOKEN_SECRET, TRIGGER_WEBHOOK_SECRET: SECRET, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const deadline = Date.now() + 60_000;
  while (!(await fetch(site).then(() => true, () => false))) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error("next start did not come up");
    await new Promise((r) => setTimeout(r, 250));
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
  await mf?.dispose();
});

async function deliver(runId, type, status) {
  const body = JSON.stringify({ id: `evt_${crypto.randomUUID()}`, type, run: { id: runId, status } });
  const signature = crypto.createHmac("sha256", SECRET).update(body).digest("hex");
  const res = await fetch(`${worker}/api/v2/webhooks/trigger`, { method: "POST", body, headers: { "x-trigger-signature-hmacsha256": signature } });
  assert.equal(res.status, 200, await res.text());
}

test("the run page shows each new status as it is pushed, with no further request", async () => {
  const runId = `run_${crypto.randomUUID().replaceAll("-", "")}`;
  const page = await browser.newPage();
  await page.goto(`${site}/runs/${runId}`);
  const status = page.locator("#status");
  await page.waitForFunction(() => document.querySelector("#status")?.textContent === "waiting for the first event");
  const requests = [];
  page.on("request", (request) => requests.push(`${request.resourceType()} ${request.url()}`));

  await deliver(runId, "run.started", "EXECUTING");
  await page.waitForFunction(() => document.querySelector("#status")?.textContent === "EXECUTING");
  await deliver(runId, "run.failed", "FAILED");
  await page.waitForFunction(() => document.querySelector("#status")?.textContent === "FAILED");
  assert.equal(await status.textContent(), "FAILED");
  assert.deepEqual(requests, [], "the page made HTTP requests after it loaded");
  await page.close();
});
