// Runs a command the way run-process.ts does, from the launcher thread (launcher-thread.ts):
// the fork that starts it does not stop this thread's event loop. One thread per process, started
// by the first command, holding the process open only while a command runs. Until it is ready
// (~0.1 s) commands start here, so no command waits for it. Output, results and errors come back
// as they would from runProcess; an abort is passed on.
import { fork, type ChildProcess } from "node:child_process";
import { CodedError } from "../../shared/errors.ts";
import type { ExecResult, OutputStream } from "../port.ts";
import { guardedOutput } from "../output-capture.ts";
import type { LaunchReply, LaunchRequest } from "./launcher-messages.ts";
import { runProcess, type RunProcessOptions } from "./run-process.ts";

interface Pending {
  resolve: (result: ExecResult) => void;
  reject: (error: Error) => void;
  output: (text: string, stream: OutputStream) => void;
}

class Launcher {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #started = false;
  #gone = false;

  constructor(onGone: (launcher: Launcher) => void) {
    // None of this process's flags: the thread needs none, and some stop a thread from starting (--input-type).
    this.#child = fork(new URL("./launcher-process.ts", import.meta.url), [], {
      execArgv: [],
      serialization: "advanced",
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      detached: true,
    });
    this.#child.on("message", (reply: LaunchReply) => this.#take(reply));
    const fail = (error: Error) => {
      if (this.#gone) return;
      this.#gone = true;
      onGone(this);
      const gone = new CodedError("sandbox_unavailable", `the command launcher stopped (${error.message}); the command may or may not have run`, { cause: error });
      for (const pending of this.#pending.values()) pending.reject(gone);
      this.#pending.clear();
    };
    this.#child.on("error", fail);
    this.#child.on("exit", (code, signal) => fail(new Error(`its process exited with ${code ?? signal}`)));
    // After the listeners, which would hold the process again: a launcher still starting must not.
    this.#hold(false);
  }

  /** It has started and can take commands. */
  get ready(): boolean {
    return this.#started && !this.#gone;
  }

  /** Only while ready (launchProcess asks). */
  run(options: RunProcessOptions): Promise<ExecResult> {
    const id = this.#next++;
    const { signal, onOutput, onOutputError, ...rest } = options;
    const post = (request: LaunchRequest) => this.#child.send(request);
    return new Promise<ExecResult>((resolve, reject) => {
      const onAbort = () => post({ id, kind: "abort" });
      const settle = () => {
        signal?.removeEventListener("abort", onAbort);
        this.#pending.delete(id);
        if (this.#pending.size === 0) this.#hold(false);
      };
      this.#pending.set(id, {
        resolve: (result) => {
          settle();
          resolve(result);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
        output: guardedOutput(onOutput, onOutputError),
      });
      // A running command keeps the process alive, as its child process would on this thread.
      this.#hold(true);
      signal?.addEventListener("abort", onAbort, { once: true });
      post({ id, kind: "run", options: { ...rest, cwd: throughThisProcess(rest.cwd) }, streams: onOutput !== undefined });
    });
  }

  #hold(on: boolean): void {
    if (on) {
      this.#child.ref();
      this.#child.channel?.ref();
    } else {
      this.#child.unref();
      this.#child.channel?.unref();
    }
  }

  #take(reply: LaunchReply): void {
    if (reply.kind === "ready") {
      this.#started = true;
      return;
    }
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    if (reply.kind === "output") pending.output(reply.text, reply.stream);
    else if (reply.kind === "done") pending.resolve(reply.result);
    else pending.reject(new CodedError(reply.failure.code, reply.failure.detail, { transient: reply.failure.transient }));
  }
}

let launcher: Launcher | undefined;

/** runProcess, started from the launcher thread once it is ready; a command aborted before it starts never reaches it. */
export function launchProcess(options: RunProcessOptions): Promise<ExecResult> {
  // A thread that failed is replaced by the next command; only the current one is forgotten.
  launcher ??= new Launcher((gone) => {
    if (launcher === gone) launcher = undefined;
  });
  if (options.signal?.aborted || !launcher.ready) return runProcess(options);
  return launcher.run(options);
}

/** A directory held open by this process, named so the launcher's commands start in it. */
function throughThisProcess(cwd: string): string {
  return cwd.startsWith("/proc/self/") ? `/proc/${process.pid}/${cwd.slice("/proc/self/".length)}` : cwd;
}
