// Runs one process to completion: streamed output, bounded capture, a hard time
// limit and cancellation. The process gets its own process group (detached) so a
// timeout or an abort kills everything it started, not just the shell.
import { spawn } from "node:child_process";
import os from "node:os";
import { StringDecoder } from "node:string_decoder";
import type { ExecResult, OutputStream } from "../port.ts";
import { CodedError } from "../../shared/errors.ts";
import { guardedOutput, OutputCapture } from "../output-capture.ts";

export interface RunProcessOptions {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Sees all output as it arrives; maxOutputBytes bounds only what the result keeps. */
  onOutput?: (chunk: string, stream: OutputStream) => void;
  /** Kept per stream in the result; the rest is counted in droppedBytes. */
  maxOutputBytes: number;
  /** Between SIGTERM and SIGKILL when stopping a command. */
  killGraceMs?: number;
  /** A failing onOutput must not take the command (or the process) down; it is reported here. */
  onOutputError?: (error: unknown) => void;
  /** Told the pid of the process once it has started: its process group, which a stop kills. */
  onStart?: (pid: number) => void;
}

const DEFAULT_KILL_GRACE_MS = 2_000;
/**
 * After the command itself exits, how long its output pipes may stay open. Leftover
 * processes of its group are killed at exit; only one that left the group (setsid)
 * can still hold them, and we do not wait for that one forever.
 */
const PIPE_DRAIN_MS = 2_000;

export function runProcess(options: RunProcessOptions): Promise<ExecResult> {
  const started = performance.now();
  if (options.signal?.aborted) {
    return Promise.resolve({
      exitCode: signalExitCode("SIGTERM"),
      stdout: "",
      stderr: "",
      timedOut: false,
      cancelled: true,
      droppedBytes: 0,
      durationMs: 0,
    });
  }

  return new Promise<ExecResult>((resolve, reject) => {
    const child = spawn(options.file, options.args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });

    if (child.pid !== undefined) options.onStart?.(child.pid);
    const captures = { stdout: new OutputCapture(options.maxOutputBytes), stderr: new OutputCapture(options.maxOutputBytes) };
    const decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
    const emit = guardedOutput(options.onOutput, options.onOutputError);
    for (const stream of ["stdout", "stderr"] as const) {
      child[stream].on("data", (chunk: Buffer) => {
        captures[stream].push(chunk);
        emit(decoders[stream].write(chunk), stream);
      });
    }

    let stopReason: "timeout" | "abort" | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid !== undefined) killProcessGroup(child.pid, signal);
    };
    const stop = (reason: "timeout" | "abort") => {
      if (stopReason || exit) return;
      stopReason = reason;
      killGroup("SIGTERM");
      graceTimer = setTimeout(() => killGroup("SIGKILL"), options.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
    };

    const timeoutTimer = setTimeout(() => stop("timeout"), options.timeoutMs);
    const onAbort = () => stop("abort");
    options.signal?.addEventListener("abort", onAbort, { once: true });

    const cleanup = () => {
      clearTimeout(timeoutTimer);
      clearTimeout(graceTimer);
      clearTimeout(drainTimer);
      options.signal?.removeEventListener("abort", onAbort);
    };

    const finish = () => {
      if (settled) return;
      settled = true;
      cleanup();
      for (const stream of ["stdout", "stderr"] as const) emit(decoders[stream].end(), stream);
      const out = captures.stdout.result();
      const err = captures.stderr.result();
      const code = exit?.code ?? null;
      resolve({
        exitCode: code ?? signalExitCode(exit?.signal ?? "SIGKILL"),
        stdout: out.text,
        stderr: err.text,
        timedOut: stopReason === "timeout",
        cancelled: stopReason === "abort",
        droppedBytes: out.droppedBytes + err.droppedBytes,
        durationMs: Math.round(performance.now() - started),
      });
    };

    child.once("error", (error: NodeJS.ErrnoException) => {
      if (settled) return;
      if (child.pid === undefined) {
        settled = true;
        cleanup();
        reject(new CodedError("sandbox_unavailable", `Could not start ${options.file}: ${error.message}`, { cause: error }));
      }
    });
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      // Background jobs of the command end with it (as they do inside bubblewrap's
      // pid namespace), so nothing it started outlives the call.
      killGroup("SIGKILL");
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish();
      }, PIPE_DRAIN_MS);
    });
    child.once("close", () => {
      if (exit) finish();
    });
  });
}

/** Signals every process of the group `group` (a command's pid) that is still there. */
export function killProcessGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // ESRCH: the whole group is already gone.
  }
}

/** The shell's convention for a process killed by a signal: 128 + its number. */
function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 0);
}
