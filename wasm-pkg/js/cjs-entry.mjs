// Bundled by esbuild into hookguard.cjs; node.cjs initialises it.
export * from "./api.js";
export * from "./handler.js";
export * from "./live.js";
export { initSync } from "./hookguard_wasm.js";
