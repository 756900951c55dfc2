// The core's JSON scan as WebAssembly inside Node (WASI preview 1): runs the
// hookguard-wasm-scan binary on each body in INPUTS_DIR and passes its JSON through.
//
//   node benches/wasm-scan.mjs WASM INPUTS_DIR [--quick]
import fs from "node:fs";
import { WASI } from "node:wasi";

const [wasm, inputs, ...flags] = process.argv.slice(2);
const files = fs.readdirSync(inputs).filter((f) => f.startsWith("trigger-")).map((f) => `/inputs/${f}`);
const wasi = new WASI({
  version: "preview1",
  args: ["scan", flags.includes("--quick") ? "quick" : "full", ...files],
  preopens: { "/inputs": inputs },
});
const instance = await WebAssembly.instantiate(await WebAssembly.compile(fs.readFileSync(wasm)), wasi.getImportObject());
process.exitCode = wasi.start(instance);
