// The built edge worker as Miniflare runs it in these tests: its modules, KV, and its
// Durable Objects as wrangler.toml declares them (programmatic Miniflare ignores
// wrangler.toml's migrations, so the SQLite classes are named here).
import path from "node:path";
import { fileURLToPath } from "node:url";

const build = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../build");

/** Miniflare options for the worker, with `extra` on top. */
export function workerOptions(extra = {}) {
  return {
    modules: true,
    scriptPath: path.join(build, "index.js"),
    modulesRoot: build,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2026-07-01",
    kvNamespaces: ["HOOKGUARD_KV"],
    durableObjects: {
      LEDGER: { className: "Ledger", useSQLite: true },
      RUNS: { className: "Run", useSQLite: true },
      STATS: { className: "Stats", useSQLite: true },
    },
    cf: false,
    ...extra,
  };
}
