// Runs the real `deep-agent` binary as a user would, with a clean environment.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const binPath = fileURLToPath(new URL("../../bin/deep-agent.js", import.meta.url));

/**
 * V8 flags the test run was started with that the `deep-agent` processes tests start should get
 * too: `npm test` runs with --liftoff-only (see package.json and the README's test section).
 */
export const nodeFlags: string[] = process.execArgv.filter((flag) => flag === "--liftoff-only");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment without the caller's configuration, so the developer's own .env or keys never leak in. */
export function cleanEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env["PATH"], HOME: process.env["HOME"], LANG: "C.UTF-8" };
  // Node's compile cache (set by the suite's global setup) only makes starting faster.
  if (process.env["NODE_COMPILE_CACHE"]) env["NODE_COMPILE_CACHE"] = process.env["NODE_COMPILE_CACHE"];
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export function runCli(
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number; onStderr?: (chunk: string) => void; onSpawn?: (pid: number) => void },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, binPath, ...args], { env: options.env, cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      options.onStderr?.(d);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("spawn", () => child.pid !== undefined && options.onSpawn?.(child.pid));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}
