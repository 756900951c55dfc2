// Heap allocations inside the wasm module, counted by the test build (`count-allocations`,
// assembled by `cargo xtask test` into wasm-pkg/pkg-alloc; the published package has no
// counting allocator). Run with the MACs by node:crypto and, with HOOKGUARD_MAC=wasm, by wasm.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sign, verify } from "../pkg-alloc/node.mjs";
import { allocations } from "../pkg-alloc/hookguard_wasm.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const body = fs.readFileSync(path.resolve(here, "../../core/samples/trigger/alert.run.failed.json"));
const STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

test("a verify of a 1 KiB event allocates nothing in wasm once warm (bytes and text)", () => {
  assert.ok(body.length >= 1024 && body.length < 2048, `${body.length} bytes`);
  const cases = [
    ["trigger", "s", sign({ scheme: "trigger", secret: "s", body })],
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
  verify({ scheme: "trigger", headers: sign({ scheme: "trigger", secret: "fresh", body }), body, secret: "fresh" });
  assert.ok(allocations() > before);
});
