// The package's TypeScript types, from the packed tarball: `tsc --noEmit` (TypeScript pinned in
// the root package.json) must compile test/types/events.ts, whose `@ts-expect-error` lines
// must each be an error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const tsc = path.resolve(here, "../../node_modules/typescript/bin/tsc");

test("tsc --noEmit: Trigger.dev events narrow by type; the expected errors are errors", async () => {
  const result = await promisify(execFile)(process.execPath, [tsc, "--noEmit", "-p", path.join(here, "types")]).catch((e) => e);
  assert.equal(result.code ?? 0, 0, `${result.stdout}${result.stderr}`);
});
