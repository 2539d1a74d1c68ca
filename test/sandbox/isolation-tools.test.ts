// The programs isolation needs, looked up on PATH when a sandbox is made: each missing one is
// named with how to install it; a file that cannot be run does not count; neither do relative
// PATH entries (they would resolve against whatever directory the worker runs in).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { hasCode } from "../../src/shared/errors.ts";
import { checkIsolationTools } from "../../src/sandbox/local/isolation-tools.ts";

async function binDir(tools: Record<string, number>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "iso-tools-"));
  for (const [name, mode] of Object.entries(tools)) await fs.writeFile(path.join(dir, name), "#!/bin/sh\n", { mode });
  return dir;
}

test("each missing program is named, with how to install it or opt out", { skip: process.platform !== "linux" }, async (t) => {
  const some = await binDir({ bwrap: 0o755, socat: 0o644 });
  const all = await binDir({ bwrap: 0o755, socat: 0o755, rg: 0o755 });
  t.after(() => Promise.all([some, all].map((d) => fs.rm(d, { recursive: true, force: true }))));
  assert.throws(
    () => checkIsolationTools(some),
    (e: unknown) =>
      hasCode(e, "isolation_unavailable") &&
      /machine: socat, ripgrep \(rg\) not installed\./.test(e.message) &&
      /apt-get install bubblewrap socat ripgrep/.test(e.message) &&
      /SANDBOX_ISOLATION=none/.test(e.message),
  );
  assert.throws(() => checkIsolationTools(""), /bubblewrap \(bwrap\), socat, ripgrep \(rg\) not installed/);
  // A relative entry is not looked in, even where it would find the programs.
  assert.throws(() => checkIsolationTools(path.relative(process.cwd(), all)), /bubblewrap \(bwrap\), socat, ripgrep \(rg\) not installed/);
  checkIsolationTools(`${some}${path.delimiter}${all}`);
  // Once found, not looked up again for the same PATH; a PATH that lost them is looked up.
  await fs.rm(path.join(all, "rg"));
  checkIsolationTools(`${some}${path.delimiter}${all}`);
  assert.throws(() => checkIsolationTools(all), /ripgrep \(rg\) not installed/);
});
