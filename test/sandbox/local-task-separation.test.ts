// Two tasks that must see nothing of each other, tried as an attack: task A writes a file in
// every place an isolated command can write (its own directories, the temp directories of
// the machine, the paths the sandbox runtime makes writable for every sandbox — /tmp/claude,
// ~/.npm/_logs —, /dev/shm) and a System V message queue, and keeps running while task B,
// another sandbox, looks for all of it. Then A's sandbox closes and nothing A wrote outside
// its own directories may be left on the host.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import pino from "pino";
import type { Sandbox } from "../../src/sandbox/port.ts";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";

const hasBwrap = spawnSync("sh", ["-c", "command -v bwrap"]).status === 0;
const hasIpcTools = spawnSync("sh", ["-c", "command -v ipcmk && command -v ipcs"]).status === 0;
const silent = pino({ level: "silent" });

/** Ids of the System V message queues this machine holds now. */
function hostQueues(): Set<string> {
  const out = spawnSync("sh", ["-c", "ipcs -q"], { encoding: "utf8" }).stdout;
  return new Set(out.split("\n").flatMap((line) => /^0x[0-9a-f]+\s+(\d+)\s/.exec(line)?.slice(1, 2) ?? []));
}

test("a task can leave nothing for another task to find, and nothing on the host once its sandbox is closed", {
  skip: hasBwrap ? false : "bubblewrap (bwrap) is not installed",
  timeout: 120_000,
}, async (t) => {
  const realHome = os.homedir();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "local-separation-"));
  // The deny list is made for a home of its own, so the real home's ~/.npm is not hidden:
  // the runtime then offers ~/.npm/_logs to every sandbox, as it would on a machine where
  // the home holds no such directory to deny.
  const fakeHome = await fs.mkdtemp(path.join(os.tmpdir(), "local-separation-home-"));
  // /tmp/claude is made writable for every sandbox by the runtime whenever it exists (a
  // Claude Code install makes it). Made here if missing, and left in place: other test files wrap
  // commands at the same time, and bubblewrap fails on a bind source removed under it.
  for (const dir of ["/tmp/claude", path.join(realHome, ".npm", "_logs")]) {
    if (!existsSync(dir)) await fs.mkdir(dir, { recursive: true, mode: 0o777 });
  }
  const queuesBefore = hasIpcTools ? hostQueues() : new Set<string>();
  const marker = `left-by-a-${randomBytes(6).toString("hex")}`;
  const secret = `secret-${randomBytes(6).toString("hex")}`;
  const shared = [
    "/tmp",
    "/var/tmp",
    "/dev/shm",
    "/run",
    "/run/lock",
    "/tmp/claude",
    path.join(realHome, ".npm", "_logs"),
    path.join(realHome, ".claude", "debug"),
    realHome,
    fakeHome,
    dataDir,
    path.join(dataDir, "sandboxes"),
    path.join(dataDir, "sandbox-tmp"),
  ];
  let provider: LocalSandboxProvider | undefined;
  let b: Sandbox | undefined;
  t.after(async () => {
    await b?.close();
    await provider?.close();
    // Only if the test failed: what the attack left in shared places.
    for (const p of shared) await fs.rm(path.join(p, marker), { force: true });
    // Only if the test failed: queues a task left behind on the host.
    if (hasIpcTools) for (const id of hostQueues()) if (!queuesBefore.has(id)) spawnSync("sh", ["-c", `ipcrm -q ${Number(id)}`]);
    for (const d of [dataDir, fakeHome]) await fs.rm(d, { recursive: true, force: true });
  });

  const realHomeEnv = process.env["HOME"];
  process.env["HOME"] = fakeHome;
  try {
    provider = new LocalSandboxProvider({ dataDir, isolation: "auto", allowedDomains: [], logger: silent });
  } finally {
    process.env["HOME"] = realHomeEnv;
  }
  const a = await provider.create({ taskId: "task-a" });
  b = await provider.create({ taskId: "task-b" });

  const aOwn = ["$HOME", "$TMPDIR"];
  const write = [...aOwn, ...shared.map((p) => JSON.stringify(p))].map((p) => `echo ${secret} > ${p}/${marker} 2>/dev/null && echo "wrote ${p}"`).join("; ");
  const queue = hasIpcTools ? "ipcmk -Q >/dev/null && echo 'wrote a message queue'; " : "";

  // A writes everywhere it can, then stays alive (its namespaces with it) while B looks.
  const stopA = new AbortController();
  let output = "";
  const ready = Promise.withResolvers<void>();
  const running = a.exec(`${write}; ${queue}echo ready; sleep 60`, {
    timeoutMs: 90_000,
    signal: stopA.signal,
    onOutput: (chunk) => {
      output += chunk;
      if (output.includes("ready")) ready.resolve();
    },
  });
  await Promise.race([ready.promise, running.then((r) => assert.fail(`A ended early: ${JSON.stringify(r)}`))]);
  // The attack ran: A's own directories took the file (and the private ones did too).
  const aPaths = [await fs.realpath(a.workdir), await fs.realpath(path.join(dataDir, "sandbox-tmp", "task-a"))];
  for (const own of aPaths) assert.ok(output.includes(`wrote ${own}\n`), output);
  if (hasIpcTools) assert.match(output, /wrote a message queue/);

  const look = [...shared, ...aPaths].map((p) => `cat ${JSON.stringify(`${p}/${marker}`)}; ls -a ${JSON.stringify(p)}`).join("; ");
  const seen = await b.exec(`${look}; ${hasIpcTools ? "ipcs -q" : "true"}`, { timeoutMs: 30_000 });
  assert.doesNotMatch(seen.stdout + seen.stderr, new RegExp(secret), "B read what A wrote");
  assert.doesNotMatch(seen.stdout, new RegExp(marker), "B saw a file A made");
  if (hasIpcTools) assert.doesNotMatch(seen.stdout, /^0x[0-9a-f]+\s+\d+/m, "B saw A's message queue");

  // While A runs, the host already holds nothing of it outside A's own directories.
  for (const p of shared) assert.equal(existsSync(path.join(p, marker)), false, `${p}/${marker} is on the host`);

  stopA.abort();
  const ended = await running;
  assert.equal(ended.cancelled, true);
  await a.close();

  for (const p of [...shared, ...aPaths]) {
    assert.equal(existsSync(path.join(p, marker)), false, `${p}/${marker} outlived A's sandbox`);
  }
  if (hasIpcTools)
    assert.deepEqual(
      [...hostQueues()].filter((id) => !queuesBefore.has(id)),
      [],
      "a message queue outlived A's sandbox",
    );
});
