// One command in an E2B sandbox: streamed output, a hard time limit, cancellation, and the
// exit status as a result (the SDK throws CommandExitError for non-zero exits).
import path from "node:path";
import { CommandExitError, type CommandHandle, type Sandbox as SdkSandbox } from "e2b";
import type { Logger } from "pino";
import type { ExecOptions, ExecResult } from "../port.ts";
import { DEFAULT_MAX_OUTPUT_BYTES, OutputCapture } from "../output-capture.ts";
import { commandError } from "./e2b-errors.ts";

/** Exit code reported for a command we killed (128 + SIGKILL, as a shell reports it). */
const KILLED_EXIT_CODE = 137;
/** envd's own deadline, a backstop in case our kill cannot reach the sandbox in time. */
const SDK_DEADLINE_MARGIN_MS = 30_000;
/** How long to wait for the stream to end after a kill before giving up on it. */
const AFTER_KILL_WAIT_MS = 5_000;
const KILL_REQUEST_TIMEOUT_MS = 10_000;

export interface ExecContext {
  sdk: SdkSandbox;
  sandboxId: string;
  workdir: string;
  /** Environment variables the operator configured for commands; nothing else is passed. */
  envs: Record<string, string>;
  logger: Logger;
  /** Extends the sandbox's lifetime to cover this long. */
  ensureLifetime(ms: number): Promise<void>;
  /** Registers a running command's stop function with the sandbox (for close()); returns the unregister function. */
  track(stop: () => Promise<void>): () => void;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

// envd signals only the process it started, so children would survive a kill. Running the
// command as the leader of its own process group (setsid, which does not fork here because
// envd's child is not a group leader) lets one `kill -- -PID` end the whole tree.
function inOwnProcessGroup(command: string): string {
  const q = shellQuote(command);
  return `if command -v setsid >/dev/null 2>&1; then exec setsid bash -c ${q}; else exec bash -c ${q}; fi`;
}

export async function runCommand(ctx: ExecContext, command: string, options: ExecOptions): Promise<ExecResult> {
  const started = performance.now();
  const stdout = new OutputCapture(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
  const stderr = new OutputCapture(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
  const result = (exitCode: number, timedOut: boolean, cancelled: boolean): ExecResult => {
    const out = stdout.result();
    const err = stderr.result();
    return {
      exitCode,
      stdout: out.text,
      stderr: err.text,
      timedOut,
      cancelled,
      droppedBytes: out.droppedBytes + err.droppedBytes,
      durationMs: Math.round(performance.now() - started),
    };
  };
  if (options.signal?.aborted) return result(KILLED_EXIT_CODE, false, true);

  await ctx.ensureLifetime(options.timeoutMs);
  const cwd = path.posix.resolve(ctx.workdir, options.cwd ?? ".");
  let handle: CommandHandle;
  try {
    handle = await ctx.sdk.commands.run(inOwnProcessGroup(command), {
      background: true,
      cwd,
      envs: ctx.envs,
      timeoutMs: options.timeoutMs + SDK_DEADLINE_MARGIN_MS,
      onStdout: (chunk) => {
        stdout.push(Buffer.from(chunk, "utf8"));
        options.onOutput?.(chunk, "stdout");
      },
      onStderr: (chunk) => {
        stderr.push(Buffer.from(chunk, "utf8"));
        options.onOutput?.(chunk, "stderr");
      },
    });
  } catch (error) {
    throw commandError(error, cwd, ctx.sandboxId);
  }

  let timedOut = false;
  let cancelled = false;
  let stopping = false;
  let giveUp: NodeJS.Timeout | undefined;
  let killed: Promise<void> = Promise.resolve();
  /** Kills the command's process group; resolves once the kill requests are answered. */
  const stop = (why: "timeout" | "cancel"): Promise<void> => {
    if (stopping || handle.exitCode !== undefined) return killed;
    stopping = true;
    if (why === "timeout") timedOut = true;
    else cancelled = true;
    ctx.logger.debug({ sandboxId: ctx.sandboxId, pid: handle.pid, why }, "killing command");
    const killGroup = ctx.sdk.commands.run(`kill -KILL -- -${handle.pid} 2>/dev/null; true`, {
      timeoutMs: KILL_REQUEST_TIMEOUT_MS,
      requestTimeoutMs: KILL_REQUEST_TIMEOUT_MS,
    });
    killed = Promise.allSettled([killGroup, handle.kill()]).then(() => {});
    // If the sandbox cannot answer, stop listening rather than hang the caller.
    giveUp = setTimeout(() => void handle.disconnect(), AFTER_KILL_WAIT_MS);
    return killed;
  };
  const timer = setTimeout(() => void stop("timeout"), options.timeoutMs);
  const onAbort = () => void stop("cancel");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort(); // aborted while the command was starting
  const untrack = ctx.track(() => stop("cancel"));

  try {
    const done = await handle.wait();
    return result(stopping ? KILLED_EXIT_CODE : done.exitCode, timedOut, cancelled);
  } catch (error) {
    if (stopping) return result(KILLED_EXIT_CODE, timedOut, cancelled);
    if (error instanceof CommandExitError) return result(error.exitCode, false, false);
    throw commandError(error, cwd, ctx.sandboxId);
  } finally {
    clearTimeout(timer);
    clearTimeout(giveUp);
    options.signal?.removeEventListener("abort", onAbort);
    untrack();
  }
}
