// Next.js Edge runtime (and Vercel Edge): `?module` gives a compiled WebAssembly.Module.
import module from "./hookguard_wasm_bg.wasm?module";
import { initSync } from "./hookguard_wasm.js";
import { attach } from "./api.js";

attach(initSync({ module }));

export * from "./api.js";
export * from "./handler.js";
export * from "./live.js";
