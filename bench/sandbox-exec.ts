// What isolation costs per command: N runs of `true` through the local sandbox,
// isolated (bubblewrap via @anthropic-ai/sandbox-runtime) and not.
// Usage: npx node bench/sandbox-exec.ts [runs=200]
import { spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { LocalSandboxProvider } from "../src/sandbox/local/local-provider.ts";
import { percentile } from "./stats.ts";

const runs = Number(process.argv[2] ?? 200);
const logger = pino({ level: "silent" });

interface Figures {
  median: number;
  p90: number;
  firstCreateMs: number;
}

async function measure(isolation: "auto" | "none"): Promise<Figures> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "bench-sandbox-exec-"));
  const provider = new LocalSandboxProvider({ dataDir, isolation, allowedDomains: [], logger });
  try {
    const t0 = performance.now();
    const sandbox = await provider.create({ taskId: "bench" });
    const firstCreateMs = performance.now() - t0;
    for (let i = 0; i < 5; i++) await sandbox.exec("true", { timeoutMs: 30_000 }); // warm-up
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const r = await sandbox.exec("true", { timeoutMs: 30_000 });
      times.push(performance.now() - start);
      if (r.exitCode !== 0) throw new Error(`\`true\` exited ${r.exitCode}: ${r.stderr}`);
    }
    await sandbox.close();
    times.sort((a, b) => a - b);
    return { median: percentile(times, 50), p90: percentile(times, 90), firstCreateMs };
  } finally {
    await provider.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
console.log(`sandbox exec of \`true\`, ${runs} runs each, ${os.cpus().length} cores`);
const plain = await measure("none");
console.log(`  not isolated: median ${fmt(plain.median)}, p90 ${fmt(plain.p90)}`);
if (spawnSync("sh", ["-c", "command -v bwrap"]).status !== 0) {
  console.log("  isolated: skipped, bubblewrap (bwrap) is not installed");
} else {
  const isolated = await measure("auto");
  console.log(
    `  isolated:     median ${fmt(isolated.median)}, p90 ${fmt(isolated.p90)} ` +
      `(first create, which starts the runtime: ${fmt(isolated.firstCreateMs)})`,
  );
  console.log(`  ratio isolated/not: median ×${(isolated.median / plain.median).toFixed(1)}, p90 ×${(isolated.p90 / plain.p90).toFixed(1)}`);
}
