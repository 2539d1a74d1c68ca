// Peak resident memory of `deep-agent task` running a 20-turn task (each turn one
// `execute` in the local sandbox), measured by /usr/bin/time around the real binary,
// started as a user starts it (the executable, so its shebang's flags apply).
// Usage: npx node bench/task-rss.ts [runs=3]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startMessagesApi } from "../test/doubles/messages-api.ts";
import { binPath, cleanEnv } from "../test/helpers/run-cli.ts";
import { median } from "./stats.ts";

const runs = Number(process.argv[2] ?? 3);
const turns = 20;
for (const isolation of ["none", "auto"] as const) {
  const peaks: number[] = [];
  for (let run = 0; run < runs; run++) {
    const api = await startMessagesApi({
      script: (_req, ctx) => (ctx.call < turns - 1 ? { toolCalls: [{ name: "execute", input: { command: `seq 1 2000 | tail -n 3; echo turn ${ctx.call}` } }] } : { text: "done" }),
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), "bench-rss-"));
    const env = cleanEnv({ ANTHROPIC_API_KEY: "bench", ANTHROPIC_BASE_URL: api.baseURL, DATA_DIR: dir, SANDBOX_ISOLATION: isolation });
    const child = spawn("/usr/bin/time", ["-f", "%M", binPath, "task", "twenty turns"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code: number = await new Promise((resolve) => child.on("close", (c) => resolve(c ?? -1)));
    await api.close();
    rmSync(dir, { recursive: true, force: true });
    if (code !== 0) throw new Error(`task failed (${code}): ${stderr}`);
    const kb = Number(stderr.trim().split("\n").at(-1));
    peaks.push(kb / 1024);
  }
  console.log(
    `peak RSS, ${turns}-turn task, isolation=${isolation}: median ${median(peaks).toFixed(1)} MB over ${runs} runs (${peaks.map((p) => p.toFixed(1)).join(", ")}) — target < 150 MB`,
  );
}
