// Deno's and Bun's side of runtimes.test.mjs: the conformance subset on the packed package's
// default entry for the runtime; prints the results as JSON.
import * as hookguard from "hookguard";
import { run } from "../conformance.mjs";

console.log(JSON.stringify(await run(hookguard)));
