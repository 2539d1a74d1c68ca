// Time to a usable sandbox: create() plus a first command (`echo ready`), then close().
// E2B adapter through the real SDK against the loopback stand-ins (control plane + envd), so
// this measures our adapter and the SDK, not E2B's cloud; and the local adapter without
// isolation for comparison.
// Usage: npx node bench/sandbox-create.ts [runs=30]
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import type { SandboxProvider } from "../src/sandbox/port.ts";
import { E2bSandboxProvider } from "../src/sandbox/e2b/e2b-provider.ts";
import { LocalSandboxProvider } from "../src/sandbox/local/local-provider.ts";
import { startFakeE2B } from "../test/doubles/e2b/fake-e2b.ts";
import { median, ms, percentile } from "./stats.ts";

const runs = Number(process.argv[2] ?? 30);
const logger = pino({ level: "silent" });

async function measure(provider: SandboxProvider): Promise<{ median: number; p90: number; createMedian: number }> {
  const total: number[] = [];
  const createOnly: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const start = performance.now();
    const sandbox = await provider.create({ taskId: `bench-${i}` });
    const created = performance.now();
    const result = await sandbox.exec("echo ready", { timeoutMs: 30_000 });
    const end = performance.now();
    await sandbox.close();
    if (result.stdout !== "ready\n") throw new Error(`first command failed: exit ${result.exitCode} ${result.stderr}`);
    if (i < 3) continue; // warm-up: module loading, connection pools
    total.push(end - start);
    createOnly.push(created - start);
  }
  return { median: median(total), p90: percentile(total, 90), createMedian: median(createOnly) };
}

const rows: Array<[string, { median: number; p90: number; createMedian: number }]> = [];

const fake = await startFakeE2B();
try {
  const e2b = new E2bSandboxProvider({ apiKey: fake.apiKey, logger, connection: { apiUrl: fake.apiUrl, sandboxUrl: fake.sandboxUrl } });
  rows.push(["e2b (SDK → loopback stand-ins)", await measure(e2b)]);
} finally {
  await fake.close();
}

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "bench-sandbox-create-"));
const local = new LocalSandboxProvider({ dataDir, isolation: "none", allowedDomains: [], logger });
try {
  rows.push(["local (isolation none)", await measure(local)]);
} finally {
  await local.dispose();
  await fs.rm(dataDir, { recursive: true, force: true });
}

console.log(`sandbox create + first command, ${runs} runs each (after 3 warm-up runs)`);
for (const [name, f] of rows) {
  console.log(`  ${name.padEnd(32)} median ${ms(f.median)}  p90 ${ms(f.p90)}  (create alone: median ${ms(f.createMedian)})`);
}
