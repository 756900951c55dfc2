// Node.js (and Deno, Bun) as an ES module: the wasm file is read next to this one, and
// node:crypto computes the MACs of all but small bodies (`NATIVE_MAC_FROM` in api.js; the
// tests' HOOKGUARD_MAC changes that, see `attach`).
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { initSync } from "./hookguard_wasm.js";
import { attach } from "./api.js";

attach(initSync({ module: readFileSync(new URL("./hookguard_wasm_bg.wasm", import.meta.url)) }), { createHmac, mac: globalThis.process?.env?.HOOKGUARD_MAC });

export * from "./api.js";
export * from "./handler.js";
export * from "./live.js";
