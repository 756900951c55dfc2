// `hookguard/live`: watchRun alone, with no WebAssembly, for client bundles.
export { watchRun } from "./index.js";
export type { LiveRunStatus, WatchRunOptions } from "./index.js";
