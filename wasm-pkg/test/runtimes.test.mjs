// The conformance subset (conformance.mjs) in the runtimes besides Node, from the packed
// package: Deno and Bun (both from npm, pinned in the root package.json) through its default
// entry, and headless Chromium (Debian's, installed by `cargo xtask test` when missing)
// through its browser entry, served from 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.resolve(here, "../../node_modules");
const run = promisify(execFile);
// Nothing reaches for the network: no update checks, no telemetry.
const quiet = { ...process.env, DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1", DO_NOT_TRACK: "1", BUN_DISABLE_TELEMETRY: "1" };

function expectAllPassed(results) {
  assert.ok(results.length >= 10, JSON.stringify(results));
  for (const { name, ok, detail } of results) assert.ok(ok, `${name}: ${detail}`);
}

test("Deno (npm package deno) runs the conformance subset", async () => {
  // runtimes/deno.json: resolve "hookguard" from node_modules, as a Deno app with a
  // package.json does; write no lock file.
  const deno = path.join(modules, "deno/bin.cjs");
  const { stdout } = await run(process.execPath, [deno, "run", "--quiet", "--allow-read", "--allow-env", "run.mjs"], { cwd: path.join(here, "runtimes"), env: quiet });
  expectAllPassed(JSON.parse(stdout));
});

test("Bun (npm package bun) runs the conformance subset", async () => {
  // The bun package's postinstall moves the binary over its placeholder; without it, the
  // platform package still has it.
  const bun = [path.join(modules, "bun/bin/bun.exe"), path.join(modules, "@oven/bun-linux-x64/bin/bun")].find((f) => fs.existsSync(f) && fs.statSync(f).size > 1e6);
  const { stdout } = await run(bun, [path.join(here, "runtimes/run.mjs")], { cwd: here, env: quiet });
  expectAllPassed(JSON.parse(stdout));
});

const types = { ".html": "text/html", ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm" };

test("headless Chromium runs the conformance subset on the browser entry", async () => {
  const files = {
    "/": path.join(here, "runtimes/index.html"),
    "/conformance.mjs": path.join(here, "conformance.mjs"),
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost").pathname;
    const file = url.startsWith("/hookguard/") ? path.join(here, "node_modules/hookguard", path.basename(url)) : files[url];
    if (!file || !fs.existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": types[path.extname(file)] ?? "text/html" }).end(fs.readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "hookguard-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => window.results !== undefined, null, { timeout: 30_000 });
    expectAllPassed(await page.evaluate(() => window.results));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});
