// The packed package through require(): the CommonJS entry point.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const hookguard = require("hookguard");

test("require('hookguard') verifies, signs and throws WebhookError", async () => {
  const { verify, sign, constructEvent, WebhookError } = hookguard;
  const body = '{"id":"evt_cjs","type":"alert.run.failed"}';
  const headers = sign({ scheme: "trigger", secret: "cjs-secret-0123456789", body });
  assert.equal(verify({ scheme: "trigger", headers, body, secret: "cjs-secret-0123456789" }).idempotencyKey, "trigger:evt_cjs");
  assert.throws(() => verify({ scheme: "trigger", headers, body: `${body} `, secret: "cjs-secret-0123456789" }), (e) => e instanceof WebhookError && e.code === "invalid_signature");
  const request = new Request("http://localhost/", { method: "POST", body, headers });
  assert.equal((await constructEvent(request, "cjs-secret-0123456789")).type, "alert.run.failed");
});

test("the CommonJS and ES module entries agree", async () => {
  const esm = await import("hookguard");
  const body = '{"id":"evt_both"}';
  const headers = esm.sign({ scheme: "shopify", secret: "shopify-secret-0123456789", body, id: "wh_1" });
  assert.deepEqual(hookguard.verify({ scheme: "shopify", headers, body, secret: "shopify-secret-0123456789" }), esm.verify({ scheme: "shopify", headers, body, secret: "shopify-secret-0123456789" }));
});
