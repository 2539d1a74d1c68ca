// What an isolated command costs, side by side with the bare tools doing the same work in
// the same run: a bare `bash -c true`, a bare `bwrap` with the binds the product's policy
// amounts to (read-only root, the task's two directories writable, the data directory and
// the credential files hidden, no network, own pid/ipc/user namespaces), and the product:
// `exec("true")` on the local sandbox (not isolated; isolated; isolated with an allowed
// domain, which needs the network relays), and a whole model turn whose only tool call is
// an isolated `execute true` (scripted model on loopback). The variants take turns in
// blocks so the machine's load falls on all of them alike; figures are medians.
// A sandbox starts bubblewrap once, for its first command, and runs the next ones in that
// isolated shell; "first command of a new sandbox" is that start (with the wrap of the
// policy) measured on its own: create() and one exec("true") on a new sandbox.
// Usage: npx node bench/isolated-execute.ts [blocks=6] [runs per block=12]
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { startMessagesApi } from "../test/doubles/messages-api.ts";
import { runAgent } from "../src/agent/engine.ts";
import { createModelSettings } from "../src/runtime/model-client.ts";
import type { Sandbox } from "../src/sandbox/port.ts";
import { LocalSandboxProvider } from "../src/sandbox/local/local-provider.ts";
import { deniedReadPaths } from "../src/sandbox/local/read-denials.ts";
import { median, percentile } from "./stats.ts";

const blocks = Number(process.argv[2] ?? 6);
const perBlock = Number(process.argv[3] ?? 12);
const logger = pino({ level: "silent" });

if (spawnSync("sh", ["-c", "command -v bwrap"]).status !== 0) {
  console.log("isolated execute: skipped, bubblewrap (bwrap) is not installed");
  process.exit(0);
}

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "bench-isolated-execute-"));
const providers = {
  plain: new LocalSandboxProvider({ dataDir, isolation: "none", allowedDomains: [], logger }),
  isolated: new LocalSandboxProvider({ dataDir, isolation: "auto", allowedDomains: [], logger }),
  proxied: new LocalSandboxProvider({ dataDir, isolation: "auto", allowedDomains: ["localhost"], logger }),
};
const sandboxes: Record<keyof typeof providers, Sandbox> = {
  plain: await providers.plain.create({ taskId: "plain" }),
  isolated: await providers.isolated.create({ taskId: "isolated" }),
  proxied: await providers.proxied.create({ taskId: "proxied" }),
};
// A sandbox's directories are made in the background; its first operation waits for them.
await Promise.all(Object.values(sandboxes).map((s) => s.list(".")));
const workdir = await fs.realpath(sandboxes.isolated.workdir);
const tmpdir = await fs.realpath(path.join(dataDir, "sandbox-tmp", "isolated"));

/** bwrap as a person would write it for the same policy. */
async function bareBwrapArgs(): Promise<string[]> {
  const real = await fs.realpath(dataDir);
  const hide: string[] = [];
  for (const denied of deniedReadPaths(real)) {
    if (denied === real) continue;
    const stat = await fs.stat(denied).catch(() => undefined);
    if (stat?.isDirectory()) hide.push("--tmpfs", denied);
    else if (stat) hide.push("--ro-bind", "/dev/null", denied);
  }
  return [
    ...["--new-session", "--die-with-parent", "--unshare-net", "--unshare-ipc", "--unshare-pid", "--unshare-user"],
    ...["--ro-bind", "/", "/", "--tmpfs", real, "--bind", workdir, workdir, "--bind", tmpdir, tmpdir, ...hide],
    ...["--dev", "/dev", "--proc", "/proc", "--", "/bin/bash", "-c", "true"],
  ];
}
const bwrapArgs = await bareBwrapArgs();
const env = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: workdir, TMPDIR: tmpdir };

function spawnToEnd(file: string, args: string[]): Promise<undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: workdir, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stderr = "";
    child.stdout.resume();
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.once("error", reject);
    child.once("close", (code) => (code === 0 ? resolve(undefined) : reject(new Error(`${file} exited ${code}: ${stderr}`))));
  });
}

async function execTrue(sandbox: Sandbox): Promise<undefined> {
  const r = await sandbox.exec("true", { timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`\`true\` exited ${r.exitCode} in ${sandbox.id}: ${r.stderr}`);
  return undefined;
}

// A model that calls `execute true` every turn; each block's agent runs perBlock + 1 turns.
let turnsLeft = 0;
const api = await startMessagesApi({
  script: () => (turnsLeft-- > 0 ? { toolCalls: [{ name: "execute", input: { command: "true" } }] } : { text: "done" }),
});
const model = createModelSettings({ ANTHROPIC_API_KEY: "bench", ANTHROPIC_BASE_URL: api.baseURL, AGENT_MODEL: "bench" }, { sdkRetries: 0 });

async function agentTurns(runs: number): Promise<number[]> {
  turnsLeft = runs + 1;
  const starts: number[] = [];
  const outcome = await runAgent({
    taskId: "bench",
    prompt: "run true",
    sandbox: sandboxes.isolated,
    model,
    sink: { emit: (e) => e.type === "turn" && starts.push(performance.now()) },
    limits: { maxTurns: runs + 3, timeoutMs: 600_000, maxToolResultChars: 30_000, contextWindowTokens: 10_000_000, maxOutputTokens: 1024 },
  });
  if (outcome.status !== "succeeded") throw new Error(`bench task failed: ${outcome.failure?.detail}`);
  // Turn n+1 starts when turn n's tool call is done: each gap is one model call and one execute.
  return starts.slice(2).map((t, i) => t - starts[i + 1]!);
}

let fresh = 0;
/** create() and a first exec on a new sandbox; its close (off the clock) removes it. */
async function firstCommand(): Promise<number> {
  const start = performance.now();
  const sandbox = await providers.isolated.create({ taskId: `fresh-${fresh++}` });
  await execTrue(sandbox);
  const took = performance.now() - start;
  await sandbox.close();
  return took;
}

// A variant that returns a number times itself.
const variants: Array<[string, () => Promise<number | undefined>]> = [
  ["bare spawn (bash -c true)", () => spawnToEnd("bash", ["-c", "true"])],
  ["bare bwrap (same policy)", () => spawnToEnd("bwrap", bwrapArgs)],
  ["exec, not isolated", () => execTrue(sandboxes.plain)],
  ["exec, isolated", () => execTrue(sandboxes.isolated)],
  ["exec, isolated, a domain allowed", () => execTrue(sandboxes.proxied)],
  ["first command of a new sandbox", firstCommand],
];
const times = new Map<string, number[]>([...variants.map(([name]) => [name, []] as [string, number[]]), ["model turn with isolated execute", []]]);

// Warm-up: the runtime's first wrap, the first agent's module work.
for (const [, run] of variants) await run();
await agentTurns(2);

for (let b = 0; b < blocks; b++) {
  const order = [...variants.keys()].map((i) => (i + b) % variants.length);
  for (const i of order) {
    const [name, run] = variants[i]!;
    for (let r = 0; r < perBlock; r++) {
      const start = performance.now();
      const took = await run();
      times.get(name)!.push(took ?? performance.now() - start);
    }
  }
  times.get("model turn with isolated execute")!.push(...(await agentTurns(perBlock)));
}

await api.close();
for (const s of Object.values(sandboxes)) await s.close();
for (const p of Object.values(providers)) await p.close();
await fs.rm(dataDir, { recursive: true, force: true });

const bare = median(times.get("bare bwrap (same policy)")!);
const fmt = (ms: number) => `${ms.toFixed(1)} ms`.padStart(9);
console.log(`isolated execute: ${blocks} blocks of ${perBlock} runs per variant, ${os.cpus().length} cores`);
for (const [name, values] of times) {
  const m = median(values);
  console.log(`  ${name.padEnd(34)} median ${fmt(m)}  p90 ${fmt(percentile(values, 90))}  ×${(m / bare).toFixed(2)} bare bwrap`);
}
const turn = median(times.get("model turn with isolated execute")!);
console.log(`  model turn with isolated execute / bare bwrap: ×${(turn / bare).toFixed(2)} (target ≤ 1.5)`);
