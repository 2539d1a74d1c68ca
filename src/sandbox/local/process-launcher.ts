// Runs a command the way run-process.ts does, from the launcher process (launcher-process.ts):
// the fork that starts it copies that small process, not this one, and does not stop this event
// loop. One launcher per process, started by the first command, holding this process open only
// while a command runs. Until it is ready (~0.1 s) commands start here, so no command waits for
// it. Output, results and errors come back as they would from runProcess; an abort is passed on.
import { fork, type ChildProcess } from "node:child_process";
import { CodedError } from "../../shared/errors.ts";
import type { ExecResult, OutputStream } from "../port.ts";
import { guardedOutput } from "../output-capture.ts";
import type { LaunchReply, LaunchRequest } from "./launcher-messages.ts";
import { killProcessGroup, runProcess, type RunProcessOptions } from "./run-process.ts";

interface Pending {
  resolve: (result: ExecResult) => void;
  reject: (error: Error) => void;
  output: (text: string, stream: OutputStream) => void;
  /** The command's process group, once it has started. */
  group?: number;
}

/** What runProcess takes, but for learning the command's pid: that is the launcher's own business. */
type LaunchOptions = Omit<RunProcessOptions, "onStart">;

class Launcher {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #started = false;
  #gone = false;

  constructor(onGone: (launcher: Launcher) => void) {
    this.#child = fork(new URL("./launcher-process.ts", import.meta.url), [], {
      // None of this process's flags (--input-type would stop it) nor its environment: our secrets
      // stay out of it, and each command gets the environment its sandbox gives it.
      execArgv: [],
      env: {},
      serialization: "advanced",
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      // Its own process group: a Ctrl-C at the terminal is for this process, which drains its
      // tasks (and their commands) itself; the launcher ends when this process does.
      detached: true,
    });
    this.#child.on("message", (reply: LaunchReply) => this.#take(reply));
    const fail = (error: Error) => {
      if (this.#gone) return;
      this.#gone = true;
      onGone(this);
      // A launcher we can no longer talk to must not linger beside the next one.
      this.#child.kill("SIGKILL");
      for (const pending of this.#pending.values()) {
        const what = pending.group === undefined ? "the command may or may not have started" : "the command was stopped";
        // Nobody would stop it now: it ends with the launcher, as it would have with this process.
        if (pending.group !== undefined) killProcessGroup(pending.group, "SIGKILL");
        pending.reject(new CodedError("sandbox_unavailable", `the command launcher stopped (${error.message}); ${what}`, { cause: error }));
      }
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
  run(options: LaunchOptions): Promise<ExecResult> {
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
      // A running command keeps this process alive, as its child process would if started here.
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
    if (reply.kind === "started") pending.group = reply.pid;
    else if (reply.kind === "output") pending.output(reply.text, reply.stream);
    else if (reply.kind === "done") pending.resolve(reply.result);
    else pending.reject(new CodedError(reply.failure.code, reply.failure.detail, { transient: reply.failure.transient }));
  }
}

let launcher: Launcher | undefined;

/** runProcess, started from the launcher process once it is ready; a command aborted before it starts never reaches it. */
export function launchProcess(options: LaunchOptions): Promise<ExecResult> {
  // A launcher that failed is replaced by the next command; only the current one is forgotten.
  launcher ??= new Launcher((gone) => {
    if (launcher === gone) launcher = undefined;
  });
  if (options.signal?.aborted || !launcher.ready) return runProcess(options);
  return launcher.run(options);
}

/** A directory this process holds open (/proc/self/fd/N), named so that the launcher's commands start in that very directory. */
function throughThisProcess(cwd: string): string {
  return cwd.startsWith("/proc/self/") ? `/proc/${process.pid}/${cwd.slice("/proc/self/".length)}` : cwd;
}
