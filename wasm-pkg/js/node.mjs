// Node.js (and Deno, Bun) as an ES module: the wasm file is read next to this one.
import { readFileSync } from "node:fs";
import { initSync } from "./hookguard_wasm.js";
import { attach } from "./api.js";

attach(initSync({ module: readFileSync(new URL("./hookguard_wasm_bg.wasm", import.meta.url)) }));

export * from "./api.js";
