// Runs once before the suite (`npm test` passes it as --test-global-setup): what every test
// file and every process the tests start would otherwise each pay for on its own.
import os from "node:os";
import path from "node:path";
import { emptyPgliteDataDir, migratedPgliteDataDir } from "./test-database.ts";

export async function globalSetup(): Promise<void> {
  // Node's on-disk compile cache: test files and the deep-agent processes they start (cleanEnv
  // passes it on) load the same TypeScript and packages again and again; from the cache they skip
  // the compiling. Keyed by content, so an edited file is simply compiled again.
  process.env["NODE_COMPILE_CACHE"] ??= path.join(os.tmpdir(), "deep-agent-test-compile-cache");
  // The embedded databases PGlite targets start from, made before files race for them.
  await emptyPgliteDataDir();
  await migratedPgliteDataDir();
}
