// Creating, closing, keeping and resuming local sandboxes, and the loud opt-out.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { after, test } from "node:test";
import pino from "pino";
import { CodedError, hasCode } from "../../src/shared/errors.ts";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

async function newProvider(lines: string[] = []) {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "local-lifecycle-"));
  dirs.push(dataDir);
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const logger = pino({ level: "info" }, sink);
  return { dataDir, provider: new LocalSandboxProvider({ dataDir, isolation: "none", allowedDomains: [], logger }) };
}

test("close() removes the workdir; using the sandbox afterwards fails with code closed", async () => {
  const { provider } = await newProvider();
  const sandbox = await provider.create({ taskId: "gone" });
  await sandbox.writeFile("f.txt", "x");
  assert.ok(existsSync(sandbox.workdir));
  await sandbox.close();
  assert.equal(existsSync(sandbox.workdir), false);
  await sandbox.close(); // twice is harmless
  await assert.rejects(sandbox.exec("true", { timeoutMs: 1000 }), (e: unknown) => e instanceof CodedError && e.code === "sandbox_closed");
  await assert.rejects(sandbox.readFile("f.txt"), (e: unknown) => e instanceof CodedError && e.code === "sandbox_closed");
  assert.equal(await provider.resume!(sandbox.id, { taskId: "next" }), null);
  await provider.close();
});

test("a sandbox closed before its directories exist leaves none behind, and a kept one keeps only its workdir", async () => {
  const { dataDir, provider } = await newProvider();
  // No await between: the directories are still being made in the background when close() starts.
  const gone = await provider.create({ taskId: "early-close" });
  await gone.close();
  assert.equal(existsSync(path.join(dataDir, "sandboxes", "early-close")), false, "the workdir was made after it was removed");
  assert.equal(existsSync(path.join(dataDir, "sandbox-tmp", "early-close")), false, "the TMPDIR was made after it was removed");
  const kept = await provider.create({ taskId: "early-keep" });
  await kept.close({ keep: true });
  assert.ok(existsSync(path.join(dataDir, "sandboxes", "early-keep")));
  assert.equal(existsSync(path.join(dataDir, "sandbox-tmp", "early-keep")), false);
  await provider.close();
});

test("directories that cannot be made: every operation fails with sandbox_unavailable naming them, and close() still works", async () => {
  const { dataDir, provider } = await newProvider();
  // A file where the sandboxes' directory should be: mkdir fails with ENOTDIR.
  await fs.writeFile(path.join(dataDir, "sandboxes"), "not a directory");
  const sandbox = await provider.create({ taskId: "no-room" });
  const unavailable = (e: unknown) => hasCode(e, "sandbox_unavailable") && e.message.includes(path.join(dataDir, "sandboxes", "no-room"));
  await assert.rejects(sandbox.exec("true", { timeoutMs: 1000 }), unavailable);
  await assert.rejects(sandbox.readFile("f.txt"), unavailable);
  await assert.rejects(sandbox.writeFile("f.txt", "x"), unavailable);
  await assert.rejects(sandbox.list("."), unavailable);
  await sandbox.close();
  await provider.close();
});

test("directories are made right wherever DATA_DIR's real place is, when a parent is removed, and for a task retried in its old workdir", async () => {
  const real = await fs.mkdtemp(path.join(os.tmpdir(), "local-real-"));
  const link = path.join(os.tmpdir(), `local-link-${process.pid}-${Date.now()}`);
  dirs.push(real, link);
  await fs.symlink(real, link);
  const provider = new LocalSandboxProvider({ dataDir: link, isolation: "none", allowedDomains: [], logger: pino({ level: "silent" }) });
  const pwd = async (taskId: string) => {
    const sandbox = await provider.create({ taskId });
    const out = (await sandbox.exec('pwd -P; printf %s "$TMPDIR"', { timeoutMs: 10_000 })).stdout;
    await sandbox.close({ keep: true });
    return out;
  };
  // Through the link, commands start in the real directory.
  assert.equal(await pwd("first"), `${path.join(real, "sandboxes", "first")}\n${path.join(real, "sandbox-tmp", "first")}`);
  // The parents are gone (an operator cleaned up): made again, not "no such directory".
  await fs.rm(path.join(real, "sandboxes"), { recursive: true });
  await fs.rm(path.join(real, "sandbox-tmp"), { recursive: true });
  assert.equal(await pwd("second"), `${path.join(real, "sandboxes", "second")}\n${path.join(real, "sandbox-tmp", "second")}`);
  // A retried task: its workdir is still there, with its files.
  const again = await provider.create({ taskId: "second" });
  await again.writeFile("kept.txt", "x");
  await again.close({ keep: true });
  const retried = await provider.create({ taskId: "second" });
  assert.equal((await retried.exec("cat kept.txt; pwd -P", { timeoutMs: 10_000 })).stdout, `x${path.join(real, "sandboxes", "second")}\n`);
  await retried.close();
  // Something that is not a directory where a task's workdir goes is refused, not worked in.
  await fs.writeFile(path.join(real, "sandboxes", "third"), "a file");
  const blocked = await provider.create({ taskId: "third" });
  await assert.rejects(blocked.exec("true", { timeoutMs: 10_000 }), (e: unknown) => hasCode(e, "sandbox_unavailable") && /Could not create the sandbox directories/.test(e.message));
  await blocked.close();
  await provider.close();
});

test("close({ keep: true }) keeps the files so a follow-up task can resume the sandbox by id", async () => {
  const { provider } = await newProvider();
  const first = await provider.create({ taskId: "thread-task-1", labels: { conversation: "C1/123" } });
  await first.exec("echo remembered > notes.txt", { timeoutMs: 10_000 });
  await first.close({ keep: true });

  const again = await provider.resume!(first.id, { taskId: "thread-task-2", labels: { conversation: "C1/123" } });
  assert.ok(again);
  assert.equal(again.id, first.id);
  assert.equal(again.workdir, first.workdir);
  assert.equal((await again.exec("cat notes.txt", { timeoutMs: 10_000 })).stdout, "remembered\n");
  await again.close();
  assert.equal(existsSync(first.workdir), false);
  assert.equal(await provider.resume!("never-existed", { taskId: "t" }), null);
  assert.equal(await provider.resume!("../escape", { taskId: "t" }), null);
  await provider.close();
});

test("closing the provider kills running commands and keeps open sandboxes' files", async () => {
  const { provider } = await newProvider();
  const sandbox = await provider.create({ taskId: "busy" });
  await sandbox.writeFile("work.txt", "in progress");
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  const result = sandbox.exec("echo go; sleep 600", { timeoutMs: 600_000, onOutput: () => started() });
  await running;
  await provider.close();
  assert.equal((await result).cancelled, true);
  assert.ok(existsSync(path.join(sandbox.workdir, "work.txt")));
  await assert.rejects(provider.create({ taskId: "late" }), (e: unknown) => e instanceof CodedError && e.code === "sandbox_closed");
});

test("a task id that cannot name a directory is refused", async () => {
  const { provider } = await newProvider();
  for (const taskId of ["../x", "a/b", "", ".hidden"]) {
    await assert.rejects(provider.create({ taskId }), (e: unknown) => e instanceof CodedError && e.code === "sandbox_unavailable", taskId);
  }
  await provider.close();
});

test("SANDBOX_ISOLATION=none works and warns at every task that commands are not isolated", async () => {
  const lines: string[] = [];
  const { provider } = await newProvider(lines);
  const a = await provider.create({ taskId: "warn-1" });
  const b = await provider.create({ taskId: "warn-2" });
  await a.close({ keep: true });
  const c = await provider.resume!("warn-1", { taskId: "warn-3" });
  const warnings = lines.map((l) => JSON.parse(l) as { level: number; msg: string; taskId?: string }).filter((l) => l.level === 40);
  assert.deepEqual(
    warnings.map((w) => w.taskId),
    ["warn-1", "warn-2", "warn-3"],
  );
  for (const w of warnings) assert.match(w.msg, /NOT isolated/);
  assert.equal((await b.exec("echo ok", { timeoutMs: 10_000 })).stdout, "ok\n");
  await b.close();
  await c!.close();
  await provider.close();
});

test("an invalid SANDBOX_ALLOWED_DOMAINS entry is a configuration error naming the variable", () => {
  assert.throws(
    () => new LocalSandboxProvider({ dataDir: os.tmpdir(), isolation: "none", allowedDomains: ["http://github.com/path"], logger: pino({ level: "silent" }) }),
    (e: unknown) => hasCode(e, "config_invalid") && e.message.startsWith("SANDBOX_ALLOWED_DOMAINS:"),
  );
});
