// watchRun and runToken from the packed package, without a network: a stand-in WebSocket
// class records each connection, so reconnection, backoff, resumption and stopping can be
// driven step by step. (The browser test runs the real thing against the worker.)
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { runToken, watchRun } from "hookguard";
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
  drop() {
    this.readyState = 3;
    this.onclose?.({ code: 1006 });
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
