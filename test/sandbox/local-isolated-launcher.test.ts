// A sandbox wraps its isolation once and runs every command on it; the wrap follows the
// disk all the same: a credential file that appears after the first command is as hidden
// from the next command as if it had been there from the start.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { SandboxManager } from "@anthropic-ai/sandbox-runtime";
import pino from "pino";
import type { Sandbox } from "../../src/sandbox/port.ts";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";

const hasBwrap = spawnSync("sh", ["-c", "command -v bwrap"]).status === 0;
const CANARY = "canary-5d1e07b2";
const exec = (s: Sandbox, command: string) => s.exec(command, { timeoutMs: 30_000 });

describe("the isolated launcher of a sandbox", { skip: hasBwrap ? false : "bubblewrap (bwrap) is not installed" }, () => {
  let dataDir: string;
  let fakeHome: string;
  let provider: LocalSandboxProvider;
  let sandbox: Sandbox;
  // Counts the runtime's (expensive) wraps of a sandbox's line; the wrap itself is the runtime's
  // own. Not counted: the probe of the runtime's start (it may write nothing), made once per
  // process at the first command.
  const wrapWithSandbox = SandboxManager.wrapWithSandbox;
  let wraps = 0;

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "local-launcher-"));
    fakeHome = await fs.mkdtemp(path.join(os.tmpdir(), "local-launcher-home-"));
    const realHome = process.env["HOME"];
    process.env["HOME"] = fakeHome;
    try {
      provider = new LocalSandboxProvider({ dataDir, isolation: "auto", allowedDomains: [], logger: pino({ level: "silent" }) });
    } finally {
      process.env["HOME"] = realHome;
    }
    SandboxManager.wrapWithSandbox = (...args) => {
      if ((args[2]?.filesystem?.allowWrite?.length ?? 0) > 0) wraps++;
      return wrapWithSandbox(...args);
    };
    sandbox = await provider.create({ taskId: "launcher" });
  });

  after(async () => {
    SandboxManager.wrapWithSandbox = wrapWithSandbox;
    await sandbox?.close();
    await provider?.close();
    for (const d of [dataDir, fakeHome]) await fs.rm(d, { recursive: true, force: true });
  });

  test("the isolation is wrapped once for every command of the sandbox, one at a time or many at once", async () => {
    const before = wraps;
    for (let i = 0; i < 4; i++) assert.equal((await exec(sandbox, `echo ${i}`)).stdout, `${i}\n`);
    const together = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => exec(sandbox, `echo ${i}; exit ${i}`)));
    assert.deepEqual(
      together.map((r) => [r.stdout, r.exitCode]),
      [0, 1, 2, 3, 4, 5].map((i) => [`${i}\n`, i]),
    );
    assert.equal(wraps - before, 1);
  });

  test("credential files that appear after the first command are hidden from the next one", async () => {
    await exec(sandbox, "true");
    const before = wraps;
    // A file where none was, and a directory whose parents did not exist either.
    await fs.writeFile(path.join(fakeHome, ".vault-token"), `${CANARY} vault\n`);
    await fs.mkdir(path.join(fakeHome, ".config", "gh"), { recursive: true });
    await fs.writeFile(path.join(fakeHome, ".config", "gh", "hosts.yml"), `oauth_token: ${CANARY}\n`);
    const r = await exec(sandbox, `cat ${fakeHome}/.vault-token ${fakeHome}/.config/gh/hosts.yml; grep -r ${CANARY} ${fakeHome}`);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(CANARY));
    assert.equal(wraps - before, 1, "the change was seen and the isolation wrapped again");
    // And the new wrap is kept again.
    await exec(sandbox, "true");
    assert.equal(wraps - before, 1);
  });

  test("a credential file swapped for a symlink to another secret is hidden too", async () => {
    const elsewhere = path.join(fakeHome, "elsewhere.txt");
    await fs.writeFile(elsewhere, `${CANARY} through a link\n`);
    await fs.writeFile(path.join(fakeHome, ".netrc"), "machine x password old\n");
    await exec(sandbox, "true");
    // Readable by name; the runtime masks where a denied path really leads.
    await fs.rm(path.join(fakeHome, ".netrc"));
    await fs.symlink(elsewhere, path.join(fakeHome, ".netrc"));
    const r = await exec(sandbox, `cat ${fakeHome}/.netrc`);
    assert.doesNotMatch(r.stdout, new RegExp(CANARY));
  });
});
