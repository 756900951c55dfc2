// Browsers and bundlers: compiled asynchronously once, at import; the API is synchronous after.
import init from "./hookguard_wasm.js";
import { attach } from "./api.js";

attach(await init({ module_or_path: new URL("./hookguard_wasm_bg.wasm", import.meta.url) }));

export * from "./api.js";
export * from "./handler.js";
export * from "./live.js";
