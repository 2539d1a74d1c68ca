// Commands without isolation run in the first executable `bash` on the sandbox's PATH, found once
// and started by its full path; never one a relative PATH entry points at (the command's own
// directory, where the model writes).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { bashOn } from "../../src/sandbox/local/bash-path.ts";

const root = await fs.mkdtemp(path.join(os.tmpdir(), "bash-path-"));
after(() => fs.rm(root, { recursive: true, force: true }));

async function dirWith(name: string, make: (file: string) => Promise<void>): Promise<string> {
  const dir = path.join(root, name);
  await fs.mkdir(dir, { recursive: true });
  await make(path.join(dir, "bash"));
  return dir;
}

test("the first executable bash file on PATH, skipping one that cannot run, a directory named bash and relative entries", async () => {
  const notExecutable = await dirWith("plain", (f) => fs.writeFile(f, "#!/bin/sh\n", { mode: 0o644 }));
  const aDirectory = await dirWith("dir", (f) => fs.mkdir(f));
  const good = await dirWith("good", (f) => fs.writeFile(f, "#!/bin/sh\n", { mode: 0o755 }));
  const later = await dirWith("later", (f) => fs.writeFile(f, "#!/bin/sh\n", { mode: 0o755 }));
  // Relative entries that do hold an executable bash, from where the lookup runs.
  await dirWith("rel", (f) => fs.writeFile(f, "#!/bin/sh\n", { mode: 0o755 }));
  await fs.writeFile(path.join(root, "bash"), "#!/bin/sh\n", { mode: 0o755 });
  const cwd = process.cwd();
  process.chdir(root);
  try {
    assert.equal(await bashOn(["", ".", "rel", notExecutable, path.join(root, "missing"), aDirectory, good, later].join(":")), path.join(good, "bash"));
  } finally {
    process.chdir(cwd);
  }
});

test("no bash on PATH: the name itself, so starting it fails as it always did", async () => {
  assert.equal(await bashOn(path.join(root, "missing")), "bash");
});

test("the system's bash, on the PATH the sandboxes get", async () => {
  const found = await bashOn("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  assert.ok(path.isAbsolute(found) && path.basename(found) === "bash", found);
  await fs.access(found, fs.constants.X_OK);
});
