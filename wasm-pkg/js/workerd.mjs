// Cloudflare Workers (workerd, wrangler, Miniflare): .wasm imports are compiled modules.
import module from "./hookguard_wasm_bg.wasm";
import { initSync } from "./hookguard_wasm.js";
import { attach } from "./api.js";

attach(initSync({ module }));

export * from "./api.js";
export * from "./handler.js";
export * from "./live.js";
