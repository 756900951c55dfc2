// The dashboard in a real browser: Debian's headless Chromium, driven by playwright-core,
// against the worker in workerd (Miniflare listening on 127.0.0.1) with a real origin. Sign
// in, see a delivered and a failed delivery, open the failed one, replay it, see it
// delivered; an XSS probe in an event type shows as text. A screenshot goes to
// target/dashboard.png. Run by `cargo xtask test` after the worker tests.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { chromium } from "playwright-core";
import { startOrigin } from "./upstream.mjs";
import { workerOptions } from "./worker.mjs";
import { randomId, signFor } from "./sign.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const workerDir = path.resolve(here, "..");
const screenshot = path.resolve(workerDir, "../target/dashboard.png");
const SECRET = "tr_browser_secret_51a9";
const FORWARD_SECRET = "whsec_dGhpcy1pcy1hLWZvcndhcmQta2V5LTMyYnl0ZXMh";
const ADMIN_TOKEN = "browser-admin-token-2b7d";
const PROBE = `"><img src=x onerror="window.__pwned=1">`;

let mf;
let url;
let origin;
let browser;

before(async () => {
  origin = await startOrigin(FORWARD_SECRET);
  mf = new Miniflare(
    workerOptions({
      host: "127.0.0.1",
      port: 0,
      bindings: {
        TRIGGER_WEBHOOK_SECRET: SECRET,
        FORWARD_URL: origin.url,
        FORWARD_SECRET,
        ADMIN_TOKEN,
        RETRY_SCHEDULE_SECONDS: "1",
        STATS_FLUSH_SECONDS: "0",
      },
    }),
  );
  url = (await mf.ready).toString().replace(/\/$/, "");
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ], // playwright gives every launch a fresh, empty profile of its own

  });
});

after(async () => {
  await browser?.close();
  await mf?.dispose();
  await origin?.close();
});

async function deliver(body) {
  const headers = await signFor("trigger", SECRET, body);
  const res = await fetch(`${url}/api/v2/webhooks/trigger`, { method: "POST", body, headers: { ...headers, "content-type": "application/json" } });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).idempotencyKey;
}

test("sign in, see deliveries, open a failed one, replay it, see it delivered; the probe stays text", async () => {
  const delivered = await deliver(Buffer.from(JSON.stringify({ id: randomId("evt"), type: "run.completed", run: { id: "run_ok", status: "COMPLETED" } })));
  const failedId = randomId("evt");
  origin.failures.set(`trigger:${failedId}`, 1_000);
  const failed = await deliver(Buffer.from(JSON.stringify({ id: failedId, type: "alert.run.failed", object: { run: { id: "run_bad", status: "FAILED" } } })));
  const probe = await deliver(Buffer.from(JSON.stringify({ id: randomId("evt"), type: PROBE })));
  // A repeat and two forged requests, so that the counts and the refusals table have rows.
  const repeat = Buffer.from(JSON.stringify({ id: randomId("evt"), type: "alert.deployment.success" }));
  await deliver(repeat);
  const again = await fetch(`${url}/api/v2/webhooks/trigger`, { method: "POST", body: repeat, headers: await signFor("trigger", SECRET, repeat) });
  assert.equal((await again.json()).duplicate, true);
  for (let i = 0; i < 2; i++) {
    const forged = await fetch(`${url}/api/v2/webhooks/trigger`, { method: "POST", body: repeat, headers: await signFor("trigger", "not-the-secret", repeat) });
    assert.equal(forged.status, 401);
  }

  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const dialogs = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss();
  });
  const requests = [];
  page.on("request", (request) => requests.push(request.url()));

  await page.goto(`${url}/dashboard`);
  await page.fill("#token", "not the token");
  await page.click("button[type=submit]");
  await page.waitForSelector("text=That token is not right.");
  await page.fill("#token", ADMIN_TOKEN);
  await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
  const row = (key) => page.locator(`tr[data-key="${key}"]`);
  await row(delivered).waitFor();
  assert.equal(await row(delivered).locator("td.outcome").textContent(), "delivered");

  // The failed delivery: every attempt refused, then failed.
  await page.waitForFunction((key) => document.querySelector(`tr[data-key="${key}"] td.outcome`)?.textContent === "failed", failed, { timeout: 20_000 });
  await row(failed).click();
  await page.waitForFunction((key) => document.querySelector("#detail-key")?.textContent === key, failed);
  assert.equal(await page.locator("#attempts tbody tr").count(), 2);
  assert.equal(await page.locator("#attempts tbody tr").first().locator("td").nth(3).textContent(), "503");

  // Replay once the origin is back: delivered.
  origin.failures.delete(failed);
  await row(failed).locator("button.replay").click();
  await page.waitForFunction((key) => document.querySelector(`tr[data-key="${key}"] td.outcome`)?.textContent === "delivered", failed, { timeout: 20_000 });
  assert.equal(origin.count(failed), 1);

  // The probe is text in a cell, never markup.
  const typeCell = row(probe).locator("td").nth(2);
  assert.equal(await typeCell.textContent(), PROBE);
  assert.equal(await page.locator("#deliveries img").count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned ?? null), null);
  assert.deepEqual(dialogs, []);
  // Everything the page loaded came from the worker itself.
  assert.ok(requests.every((r) => r.startsWith(url)), requests.filter((r) => !r.startsWith(url)).join(", "));

  await page.waitForFunction(() => document.querySelector("#refused tbody td")?.textContent === "trigger");
  await page.locator("#detail-close").click();
  fs.mkdirSync(path.dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  assert.ok(fs.statSync(screenshot).size > 20_000, "the screenshot is not blank");
  await page.close();
});
