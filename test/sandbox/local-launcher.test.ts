// Commands without isolation start from a small launcher process (process-launcher.ts), so a
// fork copies it, not the worker; the first command starts the launcher and, like any command
// sent before it is ready, starts here. Each command's output and result must still reach the
// caller that ran it; the process must live exactly as long as it has work (kept alive by a
// running command, free to exit once none runs); a launcher that dies fails only the commands it
// was running, and one whose worker dies stops its commands and ends.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import pino from "pino";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";
import { CodedError } from "../../src/shared/errors.ts";

// Ours, before any launcher starts: none of it may reach the launcher.
process.env["ANTHROPIC_API_KEY"] = "sk-ant-launcher-test-secret";
const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "local-launcher-"));
const provider = new LocalSandboxProvider({ dataDir, isolation: "none", allowedDomains: [], logger: pino({ level: "silent" }) });

after(async () => {
  await provider.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

test("twenty commands at once, each streaming its own lines: every caller gets only its own output and exit code", async () => {
  const sandboxes = await Promise.all(Array.from({ length: 4 }, (_, i) => provider.create({ taskId: `launch-${i}` })));
  // Long enough for the launcher the first command starts to be ready for the twenty.
  await sandboxes[0]!.exec("sleep 1", { timeoutMs: 30_000 });
  const runs = Array.from({ length: 20 }, async (_, n) => {
    const streamed: string[] = [];
    const result = await sandboxes[n % 4]!.exec(`for i in $(seq 200); do echo "cmd-${n}"; done; echo "err-${n}" >&2; exit ${n % 7}`, {
      timeoutMs: 30_000,
      onOutput: (chunk, stream) => streamed.push(`${stream}:${chunk}`),
    });
    return { n, result, streamed: streamed.join("") };
  });
  for (const { n, result, streamed } of await Promise.all(runs)) {
    assert.equal(result.exitCode, n % 7);
    assert.deepEqual(new Set(result.stdout.trim().split("\n")), new Set([`cmd-${n}`]));
    assert.equal(result.stdout.split("\n").length - 1, 200);
    assert.equal(result.stderr, `err-${n}\n`);
    assert.equal((streamed.match(new RegExp(`cmd-${n}\\n`, "g")) ?? []).length, 200);
    assert.ok(streamed.includes(`stderr:err-${n}`));
    assert.doesNotMatch(streamed, new RegExp(`cmd-(?!${n}\\n)`));
  }
  await Promise.all(sandboxes.map((s) => s.close()));
});

/** Runs `commands` one after another in a process of their own that has nothing else to do; its output, or why it failed. */
async function runAlone(commands: string[]): Promise<string> {
  const providerUrl = new URL("../../src/sandbox/local/local-provider.ts", import.meta.url).href;
  const script = `
    import { LocalSandboxProvider } from ${JSON.stringify(providerUrl)};
    const logger = { info() {}, warn() {}, debug() {}, error() {}, child() { return logger; } };
    const provider = new LocalSandboxProvider({ dataDir: ${JSON.stringify(dataDir)}, isolation: "none", allowedDomains: [], logger });
    const sandbox = await provider.create({ taskId: "lifetime" });
    for (const command of ${JSON.stringify(commands)}) process.stdout.write((await sandbox.exec(command, { timeoutMs: 10_000 })).stdout);
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
  const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("exit", (c, s) => resolve([c, s])));
  clearTimeout(killer);
  assert.equal(signal, null, `the process hung after its commands and was killed:\n${err}`);
  assert.equal(code, 0, err);
  return out;
}

test("a process whose only work is a running command waits for it (the first, or one the launcher runs), and ends once it is done", async () => {
  // The first starts here and starts the launcher; the second starts from it, by then ready and idle (let go).
  assert.equal(await runAlone(["sleep 1; echo first", "sleep 0.5; echo finished"]), "first\nfinished\n", "the process ended before its command did");
});

test("a process that ran one quick command ends, though the launcher it started is still starting or idle", async () => {
  assert.equal(await runAlone(["echo only"]), "only\n");
});

/** The launcher process `parent` started, once there is one. */
async function launcherOf(parent: number, not?: number): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    for (const thread of await fs.readdir(`/proc/${parent}/task`).catch(() => [])) {
      const children = await fs.readFile(`/proc/${parent}/task/${thread}/children`, "utf8").catch(() => "");
      for (const pid of children.split(" ").filter(Boolean).map(Number)) {
        if (pid === not) continue;
        const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
        if (cmdline.includes("launcher-process.ts")) return pid;
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no launcher process under ${parent}`);
}

/** True once `pid` has ended (a zombie has ended too: nothing of it runs). */
async function ends(pid: number): Promise<boolean> {
  for (let tries = 0; tries < 100; tries++) {
    const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
    if (stat === null || stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Runs `command`, resolving with its first line of output (once it is there) and the whole run. */
function started(sandbox: Awaited<ReturnType<typeof provider.create>>, command: string) {
  let first!: (line: string) => void;
  const line = new Promise<string>((resolve) => (first = resolve));
  let out = "";
  const run = sandbox.exec(command, {
    timeoutMs: 60_000,
    onOutput: (chunk) => {
      out += chunk;
      if (out.includes("\n")) first(out.slice(0, out.indexOf("\n")));
    },
  });
  run.catch(() => {});
  return { line, run };
}

test("the launcher starts commands in the directory asked, keeps our secrets out of its environment, and is the parent of what it runs", async () => {
  const sandbox = await provider.create({ taskId: "launch-where" });
  await sandbox.exec("mkdir -p sub/dir && sleep 0.5", { timeoutMs: 10_000 });
  const launcher = await launcherOf(process.pid);
  const result = await sandbox.exec('echo "$PPID"; pwd', { timeoutMs: 10_000, cwd: "sub/dir" });
  const [ppid, pwd] = result.stdout.trim().split("\n");
  assert.equal(Number(ppid), launcher, "the command did not start from the launcher");
  assert.equal(pwd, await fs.realpath(path.join(dataDir, "sandboxes", sandbox.id, "sub", "dir")));
  const environ = await fs.readFile(`/proc/${launcher}/environ`, "utf8");
  assert.doesNotMatch(environ, /sk-ant-launcher-test-secret|ANTHROPIC/);
  await sandbox.close();
});

test("a launcher killed mid-command: that command fails as sandbox_unavailable (retried) and is stopped; the next command gets a new launcher", async () => {
  const sandbox = await provider.create({ taskId: "launch-killed" });
  await sandbox.exec("sleep 0.5", { timeoutMs: 10_000 });
  const first = await launcherOf(process.pid);
  const { line, run } = started(sandbox, "sleep 30 & echo $!; wait");
  const sleeper = Number(await line);
  process.kill(first, "SIGKILL");
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof CodedError);
    assert.equal(error.code, "sandbox_unavailable");
    assert.equal(error.transient, true);
    assert.match(error.message, /launcher stopped .*the command was stopped/);
    return true;
  });
  assert.ok(await ends(sleeper), "the command the dead launcher ran is still running");
  assert.equal((await sandbox.exec("echo again", { timeoutMs: 10_000 })).stdout, "again\n");
  const second = await launcherOf(process.pid, first);
  assert.notEqual(second, first);
  await sandbox.close();
});

test("a worker killed while its launcher runs a command: the launcher stops that command and ends", async () => {
  const providerUrl = new URL("../../src/sandbox/local/local-provider.ts", import.meta.url).href;
  const script = `
    import { LocalSandboxProvider } from ${JSON.stringify(providerUrl)};
    const logger = { info() {}, warn() {}, debug() {}, error() {}, child() { return logger; } };
    const provider = new LocalSandboxProvider({ dataDir: ${JSON.stringify(dataDir)}, isolation: "none", allowedDomains: [], logger });
    const sandbox = await provider.create({ taskId: "worker-killed" });
    await sandbox.exec("sleep 0.5", { timeoutMs: 10_000 });
    await sandbox.exec("sleep 30 & echo $!; wait", { timeoutMs: 60_000, onOutput: (chunk) => process.stdout.write(chunk) });
  `;
  const worker = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const sleeper = await new Promise<number>((resolve) => {
    let out = "";
    worker.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (out.includes("\n")) resolve(Number(out.slice(0, out.indexOf("\n"))));
    });
  });
  const launcher = await launcherOf(worker.pid!);
  worker.kill("SIGKILL");
  assert.ok(await ends(launcher), "the launcher outlived its worker");
  assert.ok(await ends(sleeper), "the command outlived the worker and its launcher");
});
