// The npm package in Node beside what users would write or install instead, on the same
// Trigger.dev bodies as the Rust benchmarks. Prints JSON: per implementation and size, the
// median time per verify (+ parse) in microseconds and the median absolute deviation.
//
//   node benches/npm.mjs INPUTS_DIR HOOKGUARD_ENTRY [--quick]
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import { webhooks as triggerWebhooks } from "@trigger.dev/sdk";

const [inputs, entry, ...flags] = process.argv.slice(2);
const quick = flags.includes("--quick");
const hookguard = await import(pathToFileURL(path.resolve(entry)).href);
const SIZES = [256, 1024, 16384, 262144, 1048576];
const SECRET = "bench-secret-4f1d8a";
/** The bench inputs' signed `created` (benches/src/lib.rs `NOW`): Trigger.dev's max age is
 * measured from it. */
const CREATED = 1_767_225_600;
const STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SAMPLES = quick ? 3 : 21;
const SAMPLE_MS = quick ? 5 : 60;

/** Rounds of each target pair, taking turns. */
const ROUNDS = quick ? 5 : 41;

/** How many calls of `fn` take about SAMPLE_MS. */
async function calibrate(fn) {
  let batch = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) await fn();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (ms >= SAMPLE_MS / 4 || batch > 1e6) break;
    batch *= 2;
  }
  return Math.max(1, Math.round(batch * 4));
}

/** The time per call (µs) of one batch of `fn`. */
async function timed(fn, batch) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < batch; i++) await fn();
  return Number(process.hrtime.bigint() - start) / 1e3 / batch;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Median and median absolute deviation of per-call times (µs), over SAMPLES timed batches. */
async function measure(fn) {
  const batch = await calibrate(fn);
  const times = [];
  for (let s = 0; s < SAMPLES; s++) times.push(await timed(fn, batch));
  const m = median(times);
  return { median_us: m, mad_us: median(times.map((t) => Math.abs(t - m))) };
}

/**
 * `ours` beside `peer` in alternating rounds of about SAMPLE_MS each (the table's rows are
 * measured seconds apart, and what the machine does in between shows in their ratio): the
 * median of the rounds' ratios, our time over the peer's.
 */
async function alternate(ours, peer) {
  const [a, b] = [await calibrate(ours), await calibrate(peer)];
  const ratios = [];
  for (let r = 0; r < ROUNDS; r++) ratios.push((await timed(ours, a)) / (await timed(peer, b)));
  return median(ratios);
}

const bySize = new Map();

function check(ok, what) {
  if (!ok) throw new Error(`benchmark input rejected: ${what}`);
}

const results = [];
for (const size of SIZES) {
  const body = fs.readFileSync(path.join(inputs, `trigger-${size}.json`));
  const text = body.toString("utf8");
  const now = Math.floor(Date.now() / 1000);
  const triggerHeaders = hookguard.sign({ scheme: "trigger", secret: SECRET, body });
  const signature = triggerHeaders["x-trigger-signature-hmacsha256"];
  const standardHeaders = hookguard.sign({ scheme: "standard", secret: STANDARD_SECRET, body, id: "msg_2Kc1Y8", timestamp: now });
  const svixHeaders = Object.fromEntries(Object.entries(standardHeaders).map(([k, v]) => [k.replace("webhook-", "svix-"), v]));

  const handWritten = () => {
    // What setup guides show, done right: constant-time compare, then JSON.parse.
    const expected = crypto.createHmac("sha256", SECRET).update(body).digest();
    const given = Buffer.from(signature, "hex");
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) throw new Error("invalid");
    return JSON.parse(text);
  };
  const standard = new StandardWebhook(STANDARD_SECRET);
  const svix = new SvixWebhook(STANDARD_SECRET);
  const implementations = [
    // Every implementation gets the body as text, as the peers take it (`await request.text()`);
    // the bytes row is hookguard given the raw bytes instead (`await request.arrayBuffer()`).
    ["hookguard verify (trigger)", () => hookguard.verify({ scheme: "trigger", headers: triggerHeaders, body: text, secret: SECRET, now: CREATED }).data],
    ["hookguard verify (trigger, bytes)", () => hookguard.verify({ scheme: "trigger", headers: triggerHeaders, body, secret: SECRET, now: CREATED }).data],
    ["node:crypto by hand (trigger)", handWritten],
    ["@trigger.dev/sdk constructEvent (trigger)", () => triggerWebhooks.constructEvent({ payload: text, header: signature }, SECRET)],
    ["hookguard verify (standard)", () => hookguard.verify({ scheme: "standard", headers: standardHeaders, body: text, secret: STANDARD_SECRET }).data],
    ["standardwebhooks (standard)", () => standard.verify(text, standardHeaders)],
    // svix verifies but returns nothing: parse as the others do.
    ["svix (svix)", () => (svix.verify(text, svixHeaders), JSON.parse(text))],
  ];
  bySize.set(size, new Map(implementations));
  for (const [name, fn] of implementations) {
    let usable = true;
    try {
      const out = await fn();
      check(out && typeof out === "object", name);
    } catch (error) {
      // The SDK refuses event types it does not know (the 256-byte body is a run.completed);
      // any other refusal is a broken benchmark.
      if (!name.startsWith("@trigger.dev/sdk")) throw error;
      usable = false;
    }
    results.push({ implementation: name, size: body.length, ...(usable ? await measure(fn) : { median_us: null, mad_us: null }) });
  }
}
// The targets' pairs: ours, the peer, at a size; the SDK at every size it accepted above.
const SDK = "@trigger.dev/sdk constructEvent (trigger)";
const accepted = (name, size) => results.some((r) => r.implementation === name && r.size === size && r.median_us !== null);
const PAIRS = [
  ["hookguard verify (standard)", "standardwebhooks (standard)", 1024],
  ["hookguard verify (trigger)", "node:crypto by hand (trigger)", 1024],
  ["hookguard verify (trigger)", "node:crypto by hand (trigger)", 262144],
  ...SIZES.filter((size) => accepted(SDK, size)).map((size) => ["hookguard verify (trigger)", SDK, size]),
];
const alternating = [];
for (const [ours, peer, size] of PAIRS) {
  const fns = bySize.get(size);
  alternating.push({ ours, peer, size, rounds: ROUNDS, ratio: await alternate(fns.get(ours), fns.get(peer)) });
}
console.log(JSON.stringify({ node: process.version, results, alternating }));
