// watchRun and runToken from the packed package, without a network: a stand-in WebSocket
// class records each connection, so reconnection, backoff, resumption and stopping can be
// driven step by step. (The browser test runs the real thing against the worker.)
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { runToken, watchRun, WebhookError } from "hookguard";
import { watchRun as liveOnly } from "hookguard/live";

class FakeSocket {
  static opened = [];
  constructor(url) {
    this.url = url;
    this.readyState = 1;
    FakeSocket.opened.push(this);
  }
  close() {
    this.readyState = 3;
    this.closedByClient = true;
  }
  message(value) {
    this.onmessage?.({ data: JSON.stringify(value) });
  }
  raw(data) {
    this.onmessage?.({ data });
  }
  drop() {
    this.end(1006);
  }
  end(code, reason = "") {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

const wait = (ms) => new Promise((r) => setTimeout(r, ms));

test("hookguard/live is the same watchRun, without the wasm", () => {
  assert.equal(liveOnly.toString(), watchRun.toString());
});

test("watchRun reconnects with backoff after a drop, resumes, and stops after a terminal status", async () => {
  FakeSocket.opened = [];
  const seen = [];
  const stop = watchRun("https://edge.example/", { runId: "run 1/x", token: "tok+en", onStatus: (s) => seen.push(s.status), minDelayMs: 20, maxDelayMs: 40, WebSocket: FakeSocket });
  assert.equal(FakeSocket.opened.length, 1);
  assert.equal(FakeSocket.opened[0].url, "wss://edge.example/api/v2/runs/run%201%2Fx/live?token=tok%2Ben");
  FakeSocket.opened[0].message({ status: null });
  FakeSocket.opened[0].message({ status: "EXECUTING" });
  FakeSocket.opened[0].drop();
  assert.equal(FakeSocket.opened.length, 1, "not at once: after a delay");
  await wait(60);
  assert.equal(FakeSocket.opened.length, 2, "reconnected");
  FakeSocket.opened[1].drop();
  await wait(5);
  assert.equal(FakeSocket.opened.length, 2, "the second delay is longer (backoff)");
  await wait(60);
  assert.equal(FakeSocket.opened.length, 3);
  FakeSocket.opened[2].message({ status: "EXECUTING" }); // resumes with the current status
  FakeSocket.opened[2].message({ status: "COMPLETED" });
  assert.ok(FakeSocket.opened[2].closedByClient, "closed after the terminal status");
  FakeSocket.opened[2].drop();
  await wait(60);
  assert.equal(FakeSocket.opened.length, 3, "no reconnection after the end");
  assert.deepEqual(seen, [null, "EXECUTING", "EXECUTING", "COMPLETED"]);
  stop();
});

test("the function watchRun returns stops it, reconnections included", async () => {
  FakeSocket.opened = [];
  const stop = watchRun("http://127.0.0.1:8787", { runId: "r", token: "t", minDelayMs: 10, WebSocket: FakeSocket });
  assert.equal(FakeSocket.opened[0].url, "ws://127.0.0.1:8787/api/v2/runs/r/live?token=t");
  FakeSocket.opened[0].drop();
  stop();
  await wait(40);
  assert.equal(FakeSocket.opened.length, 1);
  assert.throws(() => watchRun("http://x", { runId: "r", token: "t", WebSocket: undefined }), TypeError);
});

test("runToken is the core's: the worker's format, checkable by hand", () => {
  const secret = "live-token-secret-0123456789";
  const token = runToken({ runId: "run_1", secret, ttlSeconds: 60, now: 1_000 });
  const [expires, tag] = token.split(".");
  assert.equal(expires, "1060");
  const u64 = (n) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(n));
    return b;
  };
  const expected = crypto.createHmac("sha256", secret).update("hookguard run token v1").update(u64(5)).update("run_1").update(u64(1060)).digest("hex");
  assert.equal(tag, expected);
  assert.throws(() => runToken({ runId: "run_1", secret: "" }), (e) => e.code === "invalid_secret");
});

test("watchRun does nothing after stop(), messages and errors of the stopped socket included", () => {
  FakeSocket.opened = [];
  const seen = [];
  const errors = [];
  const stop = watchRun("https://edge.example", { runId: "r", token: "t", onStatus: (s) => seen.push(s.status), onError: (e) => errors.push(e), WebSocket: FakeSocket });
  FakeSocket.opened[0].message({ status: "EXECUTING" });
  stop();
  FakeSocket.opened[0].message({ status: "COMPLETED" });
  FakeSocket.opened[0].raw("not json");
  FakeSocket.opened[0].onerror?.(new Event("error"));
  assert.deepEqual(seen, ["EXECUTING"]);
  assert.deepEqual(errors, []);
});

test("a terminal status stops the watch even when onStatus throws; the error goes to onError, or is thrown", async () => {
  FakeSocket.opened = [];
  const errors = [];
  const boom = new Error("render failed");
  watchRun("https://edge.example", { runId: "r", token: "t", onStatus: () => { throw boom; }, onError: (e) => errors.push(e), minDelayMs: 5, maxDelayMs: 10, WebSocket: FakeSocket });
  assert.doesNotThrow(() => FakeSocket.opened[0].message({ status: "FAILED" }));
  assert.deepEqual(errors, [boom]);
  assert.ok(FakeSocket.opened[0].closedByClient, "closed after the terminal status");
  // Without onError the error is thrown from the handler, after the watch has stopped.
  watchRun("https://edge.example", { runId: "r", token: "t", onStatus: () => { throw boom; }, minDelayMs: 5, maxDelayMs: 10, WebSocket: FakeSocket });
  assert.throws(() => FakeSocket.opened[1].message({ status: "COMPLETED" }), (e) => e === boom);
  assert.ok(FakeSocket.opened[1].closedByClient);
  FakeSocket.opened[0].drop();
  FakeSocket.opened[1].drop();
  await wait(50);
  assert.equal(FakeSocket.opened.length, 2, "no reconnection after a terminal status");
});

test("a close with 1000 (run finished) or 1008 (token expired) ends the watch; 1008 is reported", async () => {
  FakeSocket.opened = [];
  const errors = [];
  const stops = [1000, 1008].map((code) => {
    const stop = watchRun("https://edge.example", { runId: "r", token: "t", onError: (e) => errors.push(e), minDelayMs: 5, maxDelayMs: 10, WebSocket: FakeSocket });
    FakeSocket.opened.at(-1).message({ status: "EXECUTING" });
    FakeSocket.opened.at(-1).end(code, code === 1008 ? "token expired" : "run finished");
    return stop;
  });
  await wait(60);
  assert.equal(FakeSocket.opened.length, 2, "neither reconnected");
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof Error);
  assert.equal(errors[0].closeCode, 1008);
  assert.equal(errors[0].reason, "token expired");
  assert.match(errors[0].message, /1008/);
  stops.forEach((stop) => stop());
  // Any other close is a drop: reconnected.
  watchRun("https://edge.example", { runId: "r", token: "t", minDelayMs: 5, maxDelayMs: 10, WebSocket: FakeSocket });
  FakeSocket.opened[2].end(1001, "going away");
  await wait(40);
  assert.equal(FakeSocket.opened.length, 4);
  FakeSocket.opened[3].end(1000);
});

test("a server that sends the status and drops at once is backed off: the first message does not reset the backoff", async () => {
  // Each connection gets its current status and is closed straight after.
  class Flaky extends FakeSocket {
    constructor(url) {
      super(url);
      setTimeout(() => {
        if (this.readyState !== 1) return;
        this.message({ status: "EXECUTING" });
        this.drop();
      }, 0);
    }
  }
  FakeSocket.opened = [];
  const stop = watchRun("https://edge.example", { runId: "r", token: "t", minDelayMs: 10, maxDelayMs: 100, WebSocket: Flaky });
  await wait(400);
  stop();
  const count = FakeSocket.opened.length;
  // With backoff (10, 20, 40, 80, 100, ... ms, jittered down to half): at most about 12 in
  // 400 ms; reset on each first message it was every 5-10 ms, 40 or more.
  assert.ok(count >= 3 && count <= 15, `${count} connections in 400 ms`);
});

test("a connection that stayed open, or carried an update, starts the backoff over", async () => {
  FakeSocket.opened = [];
  const stop = watchRun("https://edge.example", { runId: "r", token: "t", minDelayMs: 10, maxDelayMs: 30, WebSocket: FakeSocket });
  for (let i = 0; i < 4; i++) {
    FakeSocket.opened.at(-1).drop();
    await wait(40);
  }
  assert.equal(FakeSocket.opened.length, 5, "backed off to the cap");
  // An update after the first status: the connection works.
  FakeSocket.opened[4].message({ status: null });
  FakeSocket.opened[4].message({ status: "EXECUTING" });
  FakeSocket.opened[4].drop();
  await wait(12);
  assert.equal(FakeSocket.opened.length, 6, "at the first delay again");
  // Open longer than maxDelayMs (capped at 10 s): healthy too.
  FakeSocket.opened[5].drop();
  await wait(40);
  FakeSocket.opened[6].message({ status: "EXECUTING" });
  await wait(40);
  FakeSocket.opened[6].drop();
  await wait(12);
  assert.equal(FakeSocket.opened.length, 8, "at the first delay again");
  stop();
});

test("watchRun's delays must be finite numbers above 0, the first not above the cap", () => {
  const options = { runId: "r", token: "t", WebSocket: FakeSocket };
  for (const bad of [0, -1, NaN, Infinity, "500", null]) {
    assert.throws(() => watchRun("http://x", { ...options, minDelayMs: bad }), TypeError, `minDelayMs ${bad}`);
    assert.throws(() => watchRun("http://x", { ...options, maxDelayMs: bad }), TypeError, `maxDelayMs ${bad}`);
  }
  assert.throws(() => watchRun("http://x", { ...options, minDelayMs: 1000, maxDelayMs: 999 }), TypeError);
  assert.throws(() => watchRun("http://x", { ...options, minDelayMs: 40_000 }), TypeError, "above the default cap");
  FakeSocket.opened = [];
  watchRun("http://x", { ...options, minDelayMs: 50, maxDelayMs: 50 })();
  assert.equal(FakeSocket.opened.length, 1);
});

test("a message that is not a JSON object is an error, not a status", () => {
  FakeSocket.opened = [];
  const seen = [];
  const errors = [];
  const stop = watchRun("https://edge.example", { runId: "r", token: "t", onStatus: (s) => seen.push(s), onError: (e) => errors.push(e), WebSocket: FakeSocket });
  for (const text of ["null", "42", '"COMPLETED"', "[1]", "true", "{"]) {
    assert.doesNotThrow(() => FakeSocket.opened[0].raw(text), text);
  }
  assert.deepEqual(seen, []);
  assert.equal(errors.length, 6);
  assert.ok(errors.every((e) => e instanceof Error));
  FakeSocket.opened[0].message({ status: "EXECUTING" });
  assert.deepEqual(seen, [{ status: "EXECUTING" }]);
  stop();
});

test("runToken's ttlSeconds and now are finite numbers of seconds; its secret at least 16 bytes; wasm's errors kept", () => {
  const secret = "live-token-secret-0123456789";
  for (const [options, what] of [
    [{ ttlSeconds: "3600", now: 1000 }, "a string ttl"],
    [{ now: "1000" }, "a string now"],
    [{ ttlSeconds: NaN }, "NaN"],
    [{ ttlSeconds: Infinity }, "Infinity"],
    [{ now: -Infinity }, "-Infinity"],
    [{ ttlSeconds: 10n }, "a BigInt"],
    [{ now: Date.now() }, "milliseconds"],
    [{ now: 1e11 + 1 }, "past 1e11: milliseconds"],
  ]) {
    assert.throws(() => runToken({ runId: "run_1", secret, ...options }), TypeError, what);
  }
  for (const short of ["short-secret", "0123456789abcde", " ".repeat(20)]) {
    assert.throws(() => runToken({ runId: "run_1", secret: short }), (e) => e instanceof WebhookError && e.code === "invalid_secret" && e.status === 500, JSON.stringify(short));
  }
  assert.match(runToken({ runId: "run_1", secret: "0123456789abcdef" }), /^\d+\.[0-9a-f]{64}$/, "16 bytes are enough");
  assert.match(runToken({ runId: "run_1", secret: "é".repeat(8), now: 1e11 }), /^100000003600\./, "bytes, not characters");
  // The core's own refusals are WebhookErrors with their code.
  assert.throws(() => runToken({ runId: "run_1", secret, now: 1000.5 }), (e) => e instanceof WebhookError && typeof e.code === "string" && typeof e.status === "number");
});
