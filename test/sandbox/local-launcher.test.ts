// Commands without isolation start from a thread of their own (process-launcher.ts), so a fork
// does not stop the event loop; the first command starts the thread and, like any command sent
// before it is ready, starts here. Each command's output and result must still reach the caller
// that ran it, and the process must live exactly as long as it has work: kept alive by a running
// command, free to exit once none runs.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import pino from "pino";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "local-launcher-"));
const provider = new LocalSandboxProvider({ dataDir, isolation: "none", allowedDomains: [], logger: pino({ level: "silent" }) });

after(async () => {
  await provider.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

test("twenty commands at once, each streaming its own lines: every caller gets only its own output and exit code", async () => {
  const sandboxes = await Promise.all(Array.from({ length: 4 }, (_, i) => provider.create({ taskId: `launch-${i}` })));
  // Long enough for the thread the first command starts to be ready for the twenty.
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

test("a process whose only work is a running command waits for it (the first, or one on the thread), and ends once it is done", async () => {
  // The first starts here and starts the thread; the second starts on that thread, by then ready and idle (let go).
  assert.equal(await runAlone(["sleep 1; echo first", "sleep 0.5; echo finished"]), "first\nfinished\n", "the process ended before its command did");
});

test("a process that ran one quick command ends, though the thread it started is still starting or idle", async () => {
  assert.equal(await runAlone(["echo only"]), "only\n");
});
