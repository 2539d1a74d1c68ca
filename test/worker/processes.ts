// Real `deep-agent` processes for the multi-process tests: workers pointed at the scripted
// Messages API, a local sandbox without isolation, and the test's database.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runCli, cleanEnv, nodeFlags, type CliResult } from "../helpers/run-cli.ts";
import type { TestTarget } from "../helpers/test-database.ts";

const mainPath = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));

export function workerEnv(target: TestTarget, baseURL: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnv({
    ...target.env,
    ANTHROPIC_API_KEY: "test-key",
    ANTHROPIC_BASE_URL: baseURL,
    AGENT_MODEL: "claude-test",
    SANDBOX_PROVIDER: "local",
    SANDBOX_ISOLATION: "none",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    WORKER_CONCURRENCY: "4",
    SHUTDOWN_GRACE_SECONDS: "2",
    ...extra,
  });
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it logged so far. */
  log(): string;
  /** Resolves once the pool logged that it started. */
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

/** `script`: another entry point (the benches' bare worker), which must also log "worker pool started". */
export function startWorker(env: NodeJS.ProcessEnv, command: string[] = ["worker"], script = mainPath): WorkerProcess {
  const child = spawn(process.execPath, [...nodeFlags, script, ...command], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let onReady: () => void;
  let onFail: (e: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onFail = reject;
  });
  const timer = setTimeout(() => onFail(new Error(`worker did not start in 60 s:\n${output}`)), 60_000);
  let started = false;
  const watch = (chunk: string) => {
    output += chunk;
    // Searched only until found: a busy worker's log grows by lines per task.
    if (!started && output.includes("worker pool started")) {
      started = true;
      clearTimeout(timer);
      onReady();
    }
  };
  child.stdout!.setEncoding("utf8").on("data", watch);
  child.stderr!.setEncoding("utf8").on("data", watch);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      onFail(new Error(`worker exited (${code ?? signal}) before starting:\n${output}`));
      resolve({ code, signal });
    }),
  );
  ready.catch(() => {});
  return { child, log: () => output, ready, exited, kill: (s) => child.kill(s) };
}

/** Runs a one-shot command (queue add, list, cancel...) on the target's database. */
export function cli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return runCli(args, { env, timeoutMs: 60_000 });
}
