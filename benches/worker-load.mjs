// Both workers under load in local workerd (Miniflare 4 listening on 127.0.0.1), from
// autocannon on 127.0.0.1, bounded in time, in alternating rounds: valid (each event
// distinct), invalid (bad signature) and duplicate (one event again and again) traffic; the
// Rust worker once more with a single ledger object (its per-object throughput). Afterwards, every distinct event must
// have reached the origin exactly once. The Rust worker's log lines give what each event cost
// in storage operations. Prints JSON.
//
//   node benches/worker-load.mjs INPUTS_DIR [--quick]
import crypto from "node:crypto";
import fs from "node:fs";
import { execFileSync } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { Miniflare } from "miniflare";

const here = path.dirname(fileURLToPath(import.meta.url));
const [inputs, ...flags] = process.argv.slice(2);
const quick = flags.includes("--quick");
const ROUNDS = quick ? 1 : 7;
const SECONDS = quick ? 1 : 2;
const CONNECTIONS = 16;
const SECRET = "bench-secret-4f1d8a";
const FORWARD_SECRET = "whsec_dGhpcy1pcy1hLWZvcndhcmQta2V5LTMyYnl0ZXMh";
// Sent now: its signed `created` (a fixed day in the inputs) is within Trigger.dev's max age.
// Both dates are 24 characters, so the body stays 1 KiB.
const template = fs
  .readFileSync(path.join(inputs, "trigger-1024.json"), "utf8")
  .replace(/"created":"[^"]*"/, `"created":"${new Date().toISOString()}"`);

/** A distinct 1 KiB event: the template with a fresh id of the same length. */
function event(n) {
  const id = `evt_${String(n).padStart(22, "0")}`;
  const body = Buffer.from(template.replace("evt_01jq8m6xk2c3v4b5n6m7p8q9r0", id));
  const signature = crypto.createHmac("sha256", SECRET).update(body).digest("hex");
  return { id, body, headers: { "content-type": "application/json", "x-trigger-signature-hmacsha256": signature } };
}

async function startOrigin() {
  const counts = new Map();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const id = req.headers["webhook-id"];
      counts.set(id, (counts.get(id) ?? 0) + 1);
      res.writeHead(200).end("{}");
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { counts, url: `http://127.0.0.1:${server.address().port}/hook`, close: () => new Promise((r) => server.close(r)) };
}

/** What the workers wrote to stdout, kept as it came: parsed only after the load, so that the
 * load generator, which shares the machine, does no work per request for one worker alone. */
const output = [];
/** The Rust worker's request log lines, parsed from `output`. */
function requestLines() {
  const lines = [];
  for (const line of Buffer.concat(output).toString().split("\n")) {
    const at = line.indexOf('{"');
    if (at >= 0 && line.includes('"method"')) {
      try {
        lines.push(JSON.parse(line.slice(at)));
      } catch {}
    }
  }
  return lines;
}

function start(script, origin, durableObjects, extra = {}) {
  return new Miniflare({
    host: "127.0.0.1",
    port: 0,
    modules: true,
    scriptPath: script,
    modulesRoot: path.dirname(script),
    modulesRules: [
      { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-07-01",
    kvNamespaces: ["HOOKGUARD_KV"],
    durableObjects,
    ratelimits: { RATE_LIMITER: { namespace_id: "1001", simple: { limit: 1_000_000, period: 60 } } },
    bindings: { TRIGGER_WEBHOOK_SECRET: SECRET, FORWARD_URL: origin.url, FORWARD_SECRET, ...extra },
    cf: false,
    // The workers' log lines are not this script's output; the request lines are kept.
    handleRuntimeStdio(stdout, stderr) {
      stdout.on("data", (chunk) => output.push(chunk));
      stderr.resume();
    },
  });
}

/** The workerd process Miniflare started last: the one not among `known` (none without
 * pgrep: then CPU time is not reported). */
function newWorkerd(known) {
  try {
    const pids = execFileSync("pgrep", ["-x", "workerd"]).toString().trim().split("\n");
    return pids.find((pid) => !known.includes(pid));
  } catch {
    return undefined;
  }
}

/** CPU time a process has used, in ms (user + system, from /proc). */
function cpuMs(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Load for `duration` seconds; with `pid`, the workerd's CPU time per request too (the
 * runtime's own cost, which the load generator's share of the two cores does not blur). */
async function load(url, next, duration = SECONDS, pid = undefined) {
  const cpuBefore = pid && cpuMs(pid);
  const result = await autocannon({
    url: `${url}api/v2/webhooks/trigger`,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        method: "POST",
        setupRequest(request) {
          const { body, headers } = next();
          return { ...request, body, headers };
        },
      },
    ],
  });
  return {
    cpu_us: pid ? ((cpuMs(pid) - cpuBefore) * 1000) / Math.max(result.requests.total, 1) : null,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

// The Rust worker's ledger and run objects, as its wrangler.toml declares them; the JS
// worker keeps its KV-only job.
const objects = {
  LEDGER: { className: "Ledger", useSQLite: true },
  RUNS: { className: "Run", useSQLite: true },
  STATS: { className: "Stats", useSQLite: true },
};
const workers = [
  ["hookguard (Rust)", path.resolve(here, "../edge-worker/build/index.js"), objects],
  ["JavaScript + WebCrypto", path.join(here, "js-worker/index.mjs"), undefined],
];
const runs = [];
const exactlyOnce = {};
let serial = 0;
// Both workers run side by side and take turns, a few seconds each, in alternating order: the
// machine's noise (other tenants, the load generator itself) falls on both alike, and each
// row is the median of its rounds.
const live = [];
for (const [name, script, durableObjects] of workers) {
  const origin = await startOrigin();
  const mf = start(script, origin, durableObjects);
  const url = await mf.ready;
  const pid = newWorkerd(live.map((w) => w.pid));
  live.push({ name, origin, mf, url, pid, sent: [], again: event(serial++) });
}
const forged = { ...event(0), headers: { "content-type": "application/json", "x-trigger-signature-hmacsha256": "0".repeat(64) } };
const traffics = {
  // Valid: every request a new event.
  valid: (w) => () => {
    const e = event(serial++);
    w.sent.push(e.id);
    return e;
  },
  // Invalid: a wrong signature every time.
  invalid: () => () => forged,
  // Duplicate: one event over and over.
  duplicate: (w) => () => w.again,
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const [traffic, next] of Object.entries(traffics)) {
  const rounds = live.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const i of round % 2 ? [1, 0] : [0, 1]) rounds[i].push(await load(live[i].url, next(live[i]), SECONDS, live[i].pid));
  }
  live.forEach((w, i) => {
    const r = rounds[i];
    const sum = (field) => r.reduce((total, x) => total + x[field], 0);
    runs.push({ worker: w.name, traffic, rps: median(r.map((x) => x.rps)), cpu_us: median(r.map((x) => x.cpu_us)), p50: median(r.map((x) => x.p50)), p99: median(r.map((x) => x.p99)), errors: sum("errors"), non2xx: sum("non2xx") });
  });
}
await new Promise((r) => setTimeout(r, 500));
for (const w of live) {
  const counts = w.origin.counts;
  const twice = [...counts.values()].filter((c) => c > 1).length;
  const delivered = w.sent.filter((id) => counts.has(`trigger:${id}`)).length;
  exactlyOnce[w.name] = { sent: w.sent.length, forwarded: delivered, forwarded_twice: twice, duplicate_event_forwarded: counts.get(`trigger:${w.again.id}`) ?? 0 };
  await w.mf.dispose();
  await w.origin.close();
}

// Fan-out: watchers of one run on the live route, then one signed event for it; the time from
// the webhook's 200 to each watcher's message.
const WATCHERS = quick ? 100 : 1000;
const LIVE_TOKEN_SECRET = "bench-live-token-secret-7a1";
let fanout;
{
  const origin = await startOrigin();
  const mf = start(workers[0][1], origin, objects, { LIVE_TOKEN_SECRET });
  await mf.ready;
  const runId = "run_fanout_bench";
  const expires = Math.floor(Date.now() / 1000) + 600;
  const u64 = (n) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(n));
    return b;
  };
  const tag = crypto.createHmac("sha256", LIVE_TOKEN_SECRET).update("hookguard run token v1").update(u64(runId.length)).update(runId).update(u64(expires)).digest("hex");
  const arrived = [];
  const sockets = [];
  for (let i = 0; i < WATCHERS; i++) {
    const res = await mf.dispatchFetch(`http://localhost/api/v2/runs/${runId}/live?token=${expires}.${tag}`, { headers: { upgrade: "websocket" } });
    const socket = res.webSocket;
    let count = 0;
    socket.addEventListener("message", () => {
      if (++count === 2) arrived.push(performance.now());
    });
    socket.accept();
    sockets.push(socket);
  }
  await new Promise((r) => setTimeout(r, 500));
  const body = Buffer.from(JSON.stringify({ id: "evt_fanout", type: "run.started", run: { id: runId, status: "EXECUTING" } }));
  const signature = crypto.createHmac("sha256", SECRET).update(body).digest("hex");
  const sent = performance.now();
  const res = await mf.dispatchFetch("http://localhost/api/v2/webhooks/trigger", { method: "POST", body, headers: { "x-trigger-signature-hmacsha256": signature } });
  const answered = performance.now();
  await res.text();
  const deadline = Date.now() + 30_000;
  while (arrived.length < WATCHERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  // From the moment the webhook was sent (the worker pushes before it answers, so measured from
  // its 200 a watcher can be ahead: negative).
  const delays = arrived.map((t) => t - sent).sort((a, b) => a - b);
  const at = (q) => Math.round(delays[Math.min(delays.length - 1, Math.floor(q * delays.length))] ?? NaN);
  const last = delays.at(-1) ?? NaN;
  fanout = {
    watchers: WATCHERS,
    received: arrived.length,
    status: res.status,
    answered_ms: Math.round(answered - sent),
    p50_ms: at(0.5),
    p99_ms: at(0.99),
    last_ms: Math.round(last),
    last_after_200_ms: Math.round(last - (answered - sent)),
  };
  for (const socket of sockets) socket.close(1000);
  await mf.dispose();
  await origin.close();
}

// One ledger object alone: how many first deliveries a second it takes.
{
  const origin = await startOrigin();
  const mf = start(workers[0][1], origin, objects, { LEDGER_SHARDS: "1" });
  const url = await mf.ready;
  runs.push({ worker: "hookguard (Rust), 1 ledger object", traffic: "valid", ...(await load(url, () => event(serial++), ROUNDS * SECONDS)) });
  await mf.dispose();
  await origin.close();
}

/** Storage operations per request, averaged over the log lines of one kind. */
function cost(lines, filter) {
  const chosen = lines.filter(filter);
  const mean = (field) => chosen.reduce((sum, l) => sum + (l[field] ?? 0), 0) / Math.max(chosen.length, 1);
  const fields = ["kv_reads", "kv_writes", "ledger_requests", "run_requests", "sql_rows_written"];
  return { requests: chosen.length, ...Object.fromEntries(fields.map((f) => [f, mean(f)])) };
}
const lines = requestLines();
const costs = {
  first: cost(lines, (l) => l.outcome === "accepted"),
  duplicate_from_kv: cost(lines, (l) => l.outcome === "duplicate" && l.code === "kv"),
  duplicate_from_ledger: cost(lines, (l) => l.outcome === "duplicate" && l.code === "ledger"),
};
console.log(JSON.stringify({ seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS, runs, exactly_once: exactlyOnce, costs, fanout }));
