// Heap allocations inside the wasm module, counted by the test build (`count-allocations`,
// assembled by `cargo xtask test` into wasm-pkg/pkg-alloc; the published package has no
// counting allocator). Run with the default MACs and with every MAC by wasm or by node:crypto (HOOKGUARD_MAC).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sign, verify } from "../pkg-alloc/node.mjs";
import { allocations, liveBytes } from "../pkg-alloc/hookguard_wasm.js";
import { fresh } from "./fresh.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
// `created` now: Trigger.dev events older than an hour are refused.
const body = fresh(fs.readFileSync(path.resolve(here, "../../core/samples/trigger/alert.run.failed.json")));
const SECRET = "alloc-secret-0123456789";
const STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

test("a verify of a 1 KiB event allocates nothing in wasm once warm (bytes and text)", () => {
  assert.ok(body.length >= 1024 && body.length < 2048, `${body.length} bytes`);
  const cases = [
    ["trigger", SECRET, sign({ scheme: "trigger", secret: SECRET, body })],
    ["standard", STANDARD_SECRET, sign({ scheme: "standard", secret: STANDARD_SECRET, body })],
  ];
  for (const [scheme, secret, headers] of cases) {
    for (const b of [body, body.toString("utf8")]) {
      verify({ scheme, headers, body: b, secret });
      const before = allocations();
      for (let i = 0; i < 200; i++) verify({ scheme, headers, body: b, secret });
      assert.equal(allocations() - before, 0, scheme);
    }
  }
  // The counter counts: a new verifier allocates its keyed state.
  const before = allocations();
  const other = "fresh-secret-0123456789";
  verify({ scheme: "trigger", headers: sign({ scheme: "trigger", secret: other, body }), body, secret: other });
  assert.ok(allocations() > before);
});

test("a custom scheme is read once: new verifiers for the same description hold no more memory", () => {
  const acme = { id: "acme-alloc", algorithm: "hmac-sha256", encoding: "hex", header: "x-acme-signature", prefix: "sha256=", content: "{body}", secret: "text", delivery_id: { body: "id" } };
  // Each round builds a new verifier (new secrets); the cache keeps 32, so after the warm-up
  // every new one evicts and frees another. A leaked description would add up.
  const round = (i) => {
    const secret = `acme-alloc-secret-${i}-0123456789`;
    const scheme = { ...acme };
    return verify({ scheme, headers: sign({ scheme, secret, body }), body, secret });
  };
  for (let i = 0; i < 100; i++) round(i);
  const before = liveBytes();
  for (let i = 100; i < 600; i++) round(i);
  const grown = liveBytes() - before;
  assert.ok(grown < 4096, `${grown} bytes more after 500 verifiers`);
});
