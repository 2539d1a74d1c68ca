// Start-up, the product beside the bare libraries in the same run (medians of RUNS, ratio):
//  - `deep-agent task "<text>"` to its one-turn answer (the Claude double on loopback), process
//    start to exit, beside bench/bare-sdk-task.ts (one streamed SDK call);
//  - `deep-agent start` on Postgres (already migrated) until /readyz answers 200, beside
//    bench/bare-boss-start.ts (pg-boss start + an HTTP /readyz), and both processes' resident
//    memory IDLE_MS after that; the same for `start` on the embedded database (no bare figure).
// Run: npx node bench/startup.ts   (RUNS=5 IDLE_MS=3000; the start figures need TEST_DATABASE_URL)
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startMessagesApi } from "../test/doubles/messages-api.ts";
import { binPath, cleanEnv } from "../test/helpers/run-cli.ts";
import { createTarget, type TargetKind } from "../test/helpers/test-database.ts";
import { median } from "./stats.ts";

const RUNS = Number(process.env["RUNS"] ?? 5);
const IDLE_MS = Number(process.env["IDLE_MS"] ?? 3000);
const bench = (file: string) => fileURLToPath(new URL(file, import.meta.url));

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code ?? -1)));
}

async function timeTask(side: "bare" | "deep-agent", baseURL: string, isolation: string): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-startup-"));
  const env = cleanEnv({ ANTHROPIC_API_KEY: "bench", ANTHROPIC_BASE_URL: baseURL, AGENT_MODEL: "claude-test", DATA_DIR: dir, SANDBOX_ISOLATION: isolation });
  const t0 = performance.now();
  // The product as a user starts it (the executable, so its shebang's flags apply).
  const child =
    side === "bare" ? spawn(process.execPath, [bench("./bare-sdk-task.ts"), "say hello"], { env, stdio: "ignore" }) : spawn(binPath, ["task", "say hello"], { env, stdio: "ignore" });
  const code = await exited(child);
  const ms = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`${side} task exited ${code}`);
  return ms;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return kb / 1024;
}

/** Spawn → first 200 from /readyz; then the idle RSS; then SIGTERM. */
async function timeStart(side: "bare" | "deep-agent", env: NodeJS.ProcessEnv): Promise<{ ms: number; rss: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const args = side === "bare" ? [bench("./bare-boss-start.ts")] : [binPath, "start"];
  const child = spawn(process.execPath, args, { env: { ...env, PORT: String(port), HOST: "127.0.0.1" }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const gone = exited(child);
  let ms = 0;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${side} start exited ${child.exitCode}: ${stderr}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (performance.now() - t0 > 60_000) throw new Error(`${side} start: no /readyz in 60 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, IDLE_MS));
    return { ms, rss: rssMb(child.pid!) };
  } finally {
    child.kill("SIGTERM");
    await gone;
  }
}

const f = (n: number) => n.toFixed(0);
const line = (label: string, unit: string, bare: number[] | null, product: number[]) => {
  const p = median(product);
  if (!bare) return console.log(`  ${label.padEnd(34)} ${"".padStart(9)} | ${f(p).padStart(6)} ${unit} (${product.map(f).join(", ")})`);
  const b = median(bare);
  console.log(
    `  ${label.padEnd(34)} ${f(b).padStart(6)} ${unit} | ${f(p).padStart(6)} ${unit} | ×${(p / b).toFixed(2)}   (bare ${bare.map(f).join(", ")}; product ${product.map(f).join(", ")})`,
  );
};

console.log(`start-up, medians of ${RUNS} runs (bare | deep-agent | ratio)`);
{
  const api = await startMessagesApi({ script: () => ({ text: "hello" }) });
  try {
    const bare: number[] = [];
    const product: Record<string, number[]> = { auto: [], none: [] };
    await timeTask("bare", api.baseURL, "none"); // warm-up: file cache, compile cache
    await timeTask("deep-agent", api.baseURL, "none");
    for (let run = 0; run < RUNS; run++) {
      bare.push(await timeTask("bare", api.baseURL, "none"));
      for (const isolation of ["auto", "none"]) product[isolation]!.push(await timeTask("deep-agent", api.baseURL, isolation));
    }
    line("task, one-turn answer (isolation auto)", "ms", bare, product["auto"]!);
    line("task, one-turn answer (isolation none)", "ms", bare, product["none"]!);
  } finally {
    await api.close();
  }
}

for (const kind of (process.env["TEST_DATABASE_URL"] ? ["postgres", "pglite"] : ["pglite"]) as TargetKind[]) {
  const bare = { ms: [] as number[], rss: [] as number[] };
  const product = { ms: [] as number[], rss: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    const target = await createTarget(kind, { migrated: true });
    try {
      const env = cleanEnv({ ...target.env, ANTHROPIC_API_KEY: "bench", ANTHROPIC_BASE_URL: "http://127.0.0.1:9", SANDBOX_PROVIDER: "local" });
      // The first start migrates a new Postgres database; the timed ones find it migrated.
      if (run === 0 || kind === "postgres") await timeStart("deep-agent", { ...env });
      if (kind === "postgres") {
        const b = await timeStart("bare", env);
        bare.ms.push(b.ms);
        bare.rss.push(b.rss);
      }
      const p = await timeStart("deep-agent", env);
      product.ms.push(p.ms);
      product.rss.push(p.rss);
    } finally {
      await target.cleanup();
    }
  }
  const hasBare = kind === "postgres";
  line(`start → /readyz on ${kind}`, "ms", hasBare ? bare.ms : null, product.ms);
  line(`start idle RSS on ${kind} (target ≤ 141)`, "MB", hasBare ? bare.rss : null, product.rss);
}
