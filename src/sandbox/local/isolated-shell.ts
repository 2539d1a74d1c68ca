// One long-lived isolated shell: a bubblewrap started once on a sandbox's prepared line,
// inside which a small supervisor runs the sandbox's commands one at a time. Starting
// bubblewrap and the seccomp helper is most of what an isolated command costs (~40 ms on
// 2 busy cores, and a blocking spawn on our main thread); a command on a running shell
// costs one fork and one exec inside it.
//
// Protocol. Requests on the shell's stdin: nonce, directory, command, each ended by NUL
// (none of them can hold one). The command runs in `bash -c` of its own, with stdin
// /dev/null and without the request and status pipes, writing straight to the shell's
// stdout and stderr. When it ends, the supervisor looks for anything it left running in the
// sandbox's pid namespace; if anything is left, it kills everything there and the shell ends
// after this command (what a bubblewrap per command did: nothing a command starts outlives
// it). Then it writes NUL nonce NUL on stdout and on stderr, marking the end of the
// command's output on each, and `nonce status [left]` on fd 3.
//
// Whatever goes wrong — a time limit, a cancellation, a command that kills the supervisor,
// output after the end marker — the whole shell is killed, as a bubblewrap per command was,
// and the next command gets a new one.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import { StringDecoder } from "node:string_decoder";
import type { Readable, Writable } from "node:stream";
import { CodedError } from "../../shared/errors.ts";
import { guardedOutput, OutputCapture } from "../output-capture.ts";
import type { ExecResult, OutputStream } from "../port.ts";
import { quoteWords } from "./bwrap-line.ts";

/**
 * The supervisor, on one line (the runtime's network relay script is read line by line).
 * Variables start with __da_ and none is exported. The pids present when it starts (pid 1,
 * the seccomp helper, the network relays, itself) are the shell's own; any other that is
 * not a zombie once a command has ended was left by the command.
 */
export function supervisorScript(tmpdir: string): string {
  return [
    `export TMPDIR=${quoteWords([tmpdir])}`,
    `__da_i=" "`,
    `for __da_p in /proc/[1-9]*; do __da_i+="\${__da_p#/proc/} "; done`,
    `while IFS= read -r -d "" __da_n && IFS= read -r -d "" __da_d && IFS= read -r -d "" __da_c; do` +
      ` (exec 3>&- </dev/null; cd -- "$__da_d" || exit 1; SHLVL=0 exec "$BASH" -c "$__da_c"); __da_s=$?; __da_l=;` +
      ` for __da_p in /proc/[1-9]*; do __da_p=\${__da_p#/proc/}; case $__da_i in *" $__da_p "*) continue;; esac;` +
      ` read -r __da_t < "/proc/$__da_p/stat" 2>/dev/null || continue; __da_t=\${__da_t##*) }; [ "\${__da_t%% *}" = Z ] && continue; __da_l=left; break; done;` +
      ` [ -z "$__da_l" ] || kill -s KILL -- -1 2>/dev/null;` +
      ` printf "\\0%s\\0" "$__da_n"; printf "\\0%s\\0" "$__da_n" >&2; printf "%s %s %s\\n" "$__da_n" "$__da_s" "$__da_l" >&3;` +
      ` [ -z "$__da_l" ] || exit 0; done`,
  ].join("; ");
}

export interface ShellCommand {
  command: string;
  /** A real path inside the sandbox's view. */
  cwd: string;
  timeoutMs: number;
  signal: AbortSignal;
  onOutput?: (chunk: string, stream: OutputStream) => void;
  maxOutputBytes: number;
  onOutputError?: (error: unknown) => void;
}

const KILL_GRACE_MS = 2_000;
/** After the command's status, how long its end markers may take; after the shell's exit, its pipes. */
const DRAIN_MS = 2_000;

interface StreamState {
  capture: OutputCapture;
  decoder: StringDecoder;
  /** Bytes that may be the start of the end marker, held until it is clear whether they are. */
  held: Buffer;
  ended: boolean;
}

interface Running {
  marker: Buffer;
  nonce: string;
  streams: Record<OutputStream, StreamState>;
  emit: (text: string, stream: OutputStream) => void;
  status?: { code: number; left: boolean };
  stopReason?: "timeout" | "abort";
  started: number;
  /** Ends the command once its status and both end markers are in (or the drain time is up). */
  checkDone: () => void;
  finish: () => void;
  /** bubblewrap could not be started at all. */
  fail: (error: Error) => void;
}

export class IsolatedShell {
  readonly #child: ChildProcess;
  readonly exited: Promise<void>;
  #running: Running | undefined;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  #broken = false;
  #statusLine = "";
  #graceTimer: NodeJS.Timeout | undefined;
  #startError: Error | undefined;

  constructor(argv: readonly string[], env: Record<string, string>, cwd: string) {
    this.#child = spawn(argv[0]!, argv.slice(1), { cwd, env, detached: true, stdio: ["pipe", "pipe", "pipe", "pipe"] });
    const stdin = this.#child.stdin as Writable;
    // A shell that died is noticed at its exit; a write into it must not throw.
    stdin.on("error", () => {});
    this.#child.once("error", (error) => {
      this.#broken = true;
      if (this.#child.pid !== undefined) return;
      this.#startError = new CodedError("sandbox_unavailable", `Could not start ${argv[0]}: ${error.message}`, { cause: error });
      this.#running?.fail(this.#startError);
    });
    for (const stream of ["stdout", "stderr"] as const) {
      (this.#child[stream] as Readable).on("data", (chunk: Buffer) => this.#output(stream, chunk));
    }
    (this.#child.stdio[3] as Readable).on("data", (chunk: Buffer) => this.#statusData(chunk));
    this.exited = new Promise<void>((resolve) => {
      this.#child.once("exit", (code, signal) => {
        this.#exit = { code, signal };
        this.#broken = true;
        clearTimeout(this.#graceTimer);
        resolve();
        // Any process of the sandbox holding our pipes died with bubblewrap's pid namespace.
        if (this.#running) {
          const running = this.#running;
          const drain = setTimeout(running.finish, DRAIN_MS);
          this.#child.once("close", () => {
            clearTimeout(drain);
            running.finish();
          });
        }
      });
      this.#child.once("error", () => {
        if (this.#child.pid === undefined) resolve();
      });
    });
  }

  /** Alive, idle, and its last command left nothing behind: the next command may run here. */
  get reusable(): boolean {
    return !this.#broken && this.#exit === undefined && this.#running === undefined;
  }

  /** Runs one command; the shell runs one at a time. */
  run(options: ShellCommand): Promise<ExecResult> {
    if (this.#running) throw new Error("IsolatedShell.run: a command is already running on this shell");
    return new Promise<ExecResult>((resolve, reject) => {
      if (this.#startError) {
        reject(this.#startError);
        return;
      }
      const nonce = randomBytes(18).toString("base64url");
      const streams = { stdout: newStream(options.maxOutputBytes), stderr: newStream(options.maxOutputBytes) };
      const onAbort = () => stop("abort");
      const timeout = setTimeout(() => stop("timeout"), options.timeoutMs);
      let drain: NodeJS.Timeout | undefined;
      let settled = false;
      /** The command's end, once: timers and listeners go, the shell is free. False if it had ended already. */
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timeout);
        clearTimeout(drain);
        options.signal.removeEventListener("abort", onAbort);
        this.#running = undefined;
        return true;
      };
      const running: Running = {
        marker: Buffer.from(`\0${nonce}\0`),
        nonce,
        streams,
        started: performance.now(),
        emit: guardedOutput(options.onOutput, options.onOutputError),
        checkDone: () => {
          if (!running.status) return;
          if (streams.stdout.ended && streams.stderr.ended) running.finish();
          else drain ??= setTimeout(running.finish, DRAIN_MS);
        },
        fail: (error) => {
          if (!settle()) return;
          reject(error);
        },
        finish: () => {
          if (!settle()) return;
          const complete = running.status !== undefined && streams.stdout.ended && streams.stderr.ended;
          if (!complete || running.status?.left || running.stopReason) this.#kill();
          for (const name of ["stdout", "stderr"] as const) {
            const s = streams[name];
            if (!s.ended && s.held.length > 0) {
              s.capture.push(s.held);
              running.emit(s.decoder.write(s.held), name);
            }
            running.emit(s.decoder.end(), name);
          }
          const out = streams.stdout.capture.result();
          const err = streams.stderr.capture.result();
          resolve({
            exitCode: running.status?.code ?? exitCodeOf(this.#exit),
            stdout: out.text,
            stderr: err.text,
            timedOut: running.stopReason === "timeout",
            cancelled: running.stopReason === "abort",
            droppedBytes: out.droppedBytes + err.droppedBytes,
            durationMs: Math.round(performance.now() - running.started),
          });
        },
      };
      const stop = (reason: "timeout" | "abort") => {
        if (settled || running.stopReason) return;
        running.stopReason = reason;
        this.#kill();
      };
      this.#running = running;
      if (options.signal.aborted) {
        stop("abort");
        return;
      }
      options.signal.addEventListener("abort", onAbort, { once: true });
      if (this.#exit) {
        // Died between commands: the command never ran.
        running.finish();
        return;
      }
      (this.#child.stdin as Writable).write(Buffer.from(`${nonce}\0${options.cwd}\0${options.command}\0`));
    });
  }

  /** Ends the shell: SIGTERM to bubblewrap, SIGKILL after a grace period; its pid namespace goes with it. */
  kill(): void {
    this.#kill();
  }

  #kill(): void {
    this.#broken = true;
    if (this.#exit || this.#child.pid === undefined || this.#graceTimer) return;
    this.#signal("SIGTERM");
    this.#graceTimer = setTimeout(() => this.#signal("SIGKILL"), KILL_GRACE_MS);
  }

  #signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.#child.pid!, signal);
    } catch {
      // ESRCH: already gone.
    }
  }

  #output(name: OutputStream, chunk: Buffer): void {
    const running = this.#running;
    const s = running?.streams[name];
    if (!running || !s || s.ended) {
      // Output outside any command, or after its end marker: the framing cannot be trusted.
      this.#kill();
      return;
    }
    const data = s.held.length > 0 ? Buffer.concat([s.held, chunk]) : chunk;
    const at = data.indexOf(running.marker);
    let take: Buffer;
    if (at !== -1) {
      take = data.subarray(0, at);
      s.held = Buffer.alloc(0);
      s.ended = true;
      if (data.length > at + running.marker.length) this.#kill();
    } else {
      const keep = heldBack(data, running.marker);
      take = data.subarray(0, data.length - keep);
      s.held = Buffer.from(data.subarray(data.length - keep));
    }
    if (take.length > 0) {
      s.capture.push(take);
      running.emit(s.decoder.write(take), name);
    }
    if (s.ended) running.checkDone();
  }

  #statusData(chunk: Buffer): void {
    this.#statusLine += chunk.toString("latin1");
    let newline = this.#statusLine.indexOf("\n");
    while (newline !== -1) {
      const line = this.#statusLine.slice(0, newline);
      this.#statusLine = this.#statusLine.slice(newline + 1);
      const [nonce, code, left] = line.split(" ");
      const running = this.#running;
      if (!running || nonce !== running.nonce || running.status || !/^\d+$/.test(code ?? "")) {
        this.#kill();
        return;
      }
      running.status = { code: Number(code), left: left === "left" };
      running.checkDone();
      newline = this.#statusLine.indexOf("\n");
    }
  }
}

function newStream(maxOutputBytes: number): StreamState {
  return { capture: new OutputCapture(maxOutputBytes), decoder: new StringDecoder("utf8"), held: Buffer.alloc(0), ended: false };
}

/** How many bytes at the end of `data` could begin `marker` (held back until the next chunk tells). */
function heldBack(data: Buffer, marker: Buffer): number {
  const from = Math.max(0, data.length - marker.length + 1);
  for (let i = from; i < data.length; i++) {
    if (data[i] === marker[0] && marker.subarray(0, data.length - i).equals(data.subarray(i))) return data.length - i;
  }
  return 0;
}

function exitCodeOf(exit: { code: number | null; signal: NodeJS.Signals | null } | undefined): number {
  if (exit?.code !== null && exit?.code !== undefined) return exit.code;
  return 128 + (os.constants.signals[exit?.signal ?? "SIGKILL"] ?? 0);
}
