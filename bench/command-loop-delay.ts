// How long the event loop stalls while tasks run commands: 8 loops of `true` at once, each 50
// times, on local sandboxes without isolation (commands start from the launcher process), next to
// the bare way, child_process.spawn of `bash -c true` on the main thread. A stalled loop delays
// every other task's step and the Slack intake's reply. Both sides run in this process, with
// the same memory (starting a process forks it, which costs more as it grows), alternating, RUNS
// times; the figures are the event-loop delay (perf_hooks) while the commands run.
// Run: npx node bench/command-loop-delay.ts   (RUNS=3 PARALLEL=8 EACH=50)
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { pino } from "pino";
import { LocalSandboxProvider } from "../src/sandbox/local/local-provider.ts";
import { median } from "./stats.ts";

const RUNS = Number(process.env["RUNS"] ?? 3);
const PARALLEL = Number(process.env["PARALLEL"] ?? 8);
const EACH = Number(process.env["EACH"] ?? 50);

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "bench-command-loop-delay-"));
const provider = new LocalSandboxProvider({ dataDir, isolation: "none", allowedDomains: [], logger: pino({ level: "silent" }) });
const sandboxes = await Promise.all(Array.from({ length: PARALLEL }, (_, i) => provider.create({ taskId: `loop-${i}` })));

function bareTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", "true"], { cwd: dataDir, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child.once("error", reject);
    child.once("close", () => resolve());
  });
}

interface Figures {
  p50: number;
  p99: number;
  max: number;
  perSecond: number;
}

async function measure(run: (slot: number) => Promise<unknown>): Promise<Figures> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PARALLEL }, async (_, slot) => {
      for (let i = 0; i < EACH; i++) await run(slot);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  return { p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6, perSecond: (PARALLEL * EACH) / seconds };
}

const sides = {
  bare: (_slot: number) => bareTrue(),
  product: (slot: number) => sandboxes[slot]!.exec("true", { timeoutMs: 30_000 }),
};
// Warm: the sandboxes' directories exist and the launcher process (started by the first command) is ready.
await Promise.all([...sandboxes.map((s) => s.exec("sleep 0.5", { timeoutMs: 30_000 })), sides.bare(0)]);

const results: Record<keyof typeof sides, Figures[]> = { bare: [], product: [] };
for (let run = 1; run <= RUNS; run++) {
  for (const side of ["bare", "product"] as const) {
    const f = await measure(sides[side]);
    results[side].push(f);
    console.log(`  ${side}: ${PARALLEL * EACH} commands, ${f.perSecond.toFixed(0)}/s; loop delay p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms, max ${f.max.toFixed(2)} ms`);
  }
}
const m = (side: keyof typeof sides, key: keyof Figures) => median(results[side].map((f) => f[key]));
console.log(
  `event-loop delay while ${PARALLEL} tasks run commands (median of ${RUNS}), bare spawn on the main thread vs deep-agent's launcher process: ` +
    `p50 ${m("bare", "p50").toFixed(2)} vs ${m("product", "p50").toFixed(2)} ms, p99 ${m("bare", "p99").toFixed(2)} vs ${m("product", "p99").toFixed(2)} ms, ` +
    `commands ${m("bare", "perSecond").toFixed(0)} vs ${m("product", "perSecond").toFixed(0)}/s (ratio ${(m("product", "perSecond") / m("bare", "perSecond")).toFixed(2)})`,
);
await Promise.all(sandboxes.map((s) => s.close()));
await provider.close();
await fs.rm(dataDir, { recursive: true, force: true });
