// The packed package through require(): the CommonJS entry point.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const hookguard = require("hookguard");

test("require('hookguard') verifies, signs and throws WebhookError", async () => {
  const { verify, sign, constructEvent, WebhookError } = hookguard;
  const body = '{"id":"evt_cjs","type":"alert.run.failed"}';
  const headers = sign({ scheme: "trigger", secret: "s", body });
  assert.equal(verify({ scheme: "trigger", headers, body, secret: "s" }).idempotencyKey, "trigger:evt_cjs");
  assert.throws(() => verify({ scheme: "trigger", headers, body: `${body} `, secret: "s" }), (e) => e instanceof WebhookError && e.code === "invalid_signature");
  const request = new Request("http://localhost/", { method: "POST", body, headers });
  assert.equal((await constructEvent(request, "s")).type, "alert.run.failed");
});

test("the CommonJS and ES module entries agree", async () => {
  const esm = await import("hookguard");
  const body = '{"id":"evt_both"}';
  const headers = esm.sign({ scheme: "shopify", secret: "k", body, id: "wh_1" });
  assert.deepEqual(hookguard.verify({ scheme: "shopify", headers, body, secret: "k" }), esm.verify({ scheme: "shopify", headers, body, secret: "k" }));
});
