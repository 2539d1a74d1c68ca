// Runs a command the way run-process.ts does, from the launcher thread (launcher-thread.ts):
// the fork that starts it does not stop this thread's event loop. One thread per process, started
// by the first command, holding the process open only while a command runs. Until it is ready
// (~0.1 s) commands start here, so no command waits for it. Output, results and errors come back
// as they would from runProcess; an abort is passed on.
import { Worker } from "node:worker_threads";
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
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #started = false;
  #gone = false;

  constructor(onGone: (launcher: Launcher) => void) {
    // None of this process's flags: the thread needs none, and some stop a thread from starting (--input-type).
    this.#worker = new Worker(new URL("./launcher-thread.ts", import.meta.url), { execArgv: [] });
    this.#worker.on("message", (reply: LaunchReply) => this.#take(reply));
    const fail = (error: Error) => {
      if (this.#gone) return;
      this.#gone = true;
      onGone(this);
      const gone = new CodedError("sandbox_unavailable", `the command launcher stopped (${error.message}); the command may or may not have run`, { cause: error });
      for (const pending of this.#pending.values()) pending.reject(gone);
      this.#pending.clear();
    };
    this.#worker.on("error", fail);
    this.#worker.on("exit", (code) => fail(new Error(`its thread exited with code ${code}`)));
    // After the listeners, which would hold the process again: a thread still starting must not.
    this.#worker.unref();
  }

  /** It has started and can take commands. */
  get ready(): boolean {
    return this.#started && !this.#gone;
  }

  /** Only while ready (launchProcess asks). */
  run(options: RunProcessOptions): Promise<ExecResult> {
    const id = this.#next++;
    const { signal, onOutput, onOutputError, ...rest } = options;
    const post = (request: LaunchRequest) => this.#worker.postMessage(request);
    return new Promise<ExecResult>((resolve, reject) => {
      const onAbort = () => post({ id, kind: "abort" });
      const settle = () => {
        signal?.removeEventListener("abort", onAbort);
        this.#pending.delete(id);
        if (this.#pending.size === 0) this.#worker.unref();
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
      this.#worker.ref();
      signal?.addEventListener("abort", onAbort, { once: true });
      post({ id, kind: "run", options: rest, streams: onOutput !== undefined });
    });
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
