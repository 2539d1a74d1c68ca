// One task's sandbox on this machine: a working directory, commands run in it with
// `bash -c` (isolated when a policy is given), and file tools confined to it.
import fs from "node:fs/promises";
import type { Logger } from "pino";
import type { ExecOptions, ExecResult, FileEntry, Sandbox, SandboxCapabilities } from "../port.ts";
import { CodedError } from "../../shared/errors.ts";
import { commandEnvironment } from "./command-env.ts";
import { confinePath, type WorkdirRoot } from "./confine-path.ts";
import type { IsolationHandle, IsolationPolicy } from "./isolation.ts";
import { removeTree } from "./remove-tree.ts";
import { runProcess } from "./run-process.ts";
import { DEFAULT_MAX_OUTPUT_BYTES } from "../output-capture.ts";
import { listWorkdir, readWorkdirFile, writeWorkdirFile } from "./workdir-files.ts";

/** Per stream, when the caller sets no maxOutputBytes: a guard against `yes` filling memory. */

export interface LocalSandboxParts {
  id: string;
  root: WorkdirRoot;
  /** Private TMPDIR of this sandbox; deleted at close whatever `keep` says. */
  tmpdir: string;
  /** Absent when SANDBOX_ISOLATION=none. */
  isolation?: { handle: IsolationHandle; policy: IsolationPolicy };
  logger: Logger;
  onClose: (sandbox: LocalSandbox) => void;
}

export class LocalSandbox implements Sandbox {
  readonly id: string;
  readonly workdir: string;
  readonly provider = "local";
  /** No MCP gateway: MCP servers of MCP_CONFIG run beside the worker instead. */
  readonly capabilities: SandboxCapabilities = {};
  readonly #parts: LocalSandboxParts;
  readonly #running = new Map<AbortController, Promise<unknown>>();
  #closed = false;

  constructor(parts: LocalSandboxParts) {
    this.#parts = parts;
    this.id = parts.id;
    this.workdir = parts.root.path;
  }

  async exec(command: string, options: ExecOptions): Promise<ExecResult> {
    this.#assertOpen();
    if (!(options.timeoutMs > 0)) {
      throw new RangeError(`exec: timeoutMs must be a positive number of milliseconds (got ${options.timeoutMs})`);
    }
    const cwd = options.cwd === undefined ? this.#parts.root.realPath : await this.#directory(options.cwd);
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    const run = this.#run(command, cwd, options, signal);
    this.#running.set(stop, run.catch(() => {}));
    try {
      return await run;
    } finally {
      this.#running.delete(stop);
    }
  }

  async #run(command: string, cwd: string, options: ExecOptions, signal: AbortSignal): Promise<ExecResult> {
    const { isolation, logger } = this.#parts;
    let line = command;
    let done = () => {};
    if (isolation) {
      try {
        const wrapped = await isolation.handle.wrap(command, isolation.policy, signal);
        line = wrapped.command;
        done = wrapped.done;
      } catch (error) {
        if (signal.aborted) return cancelledBeforeStart();
        throw new CodedError("sandbox_unavailable", `Could not isolate the command: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    try {
      const result = await runProcess({
        file: "bash",
        args: ["-c", line],
        cwd,
        env: commandEnvironment({ workdir: this.#parts.root.realPath, tmpdir: this.#parts.tmpdir }),
        timeoutMs: options.timeoutMs,
        signal,
        onOutput: options.onOutput,
        maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
        onOutputError: (error) => logger.warn({ err: error, sandbox: this.id }, "onOutput callback failed; output is no longer streamed"),
      });
      logger.debug(
        {
          sandbox: this.id,
          exitCode: result.exitCode,
          durationMs: result.durationMs,
          timedOut: result.timedOut,
          cancelled: result.cancelled,
          isolated: isolation !== undefined,
        },
        "command finished",
      );
      return result;
    } finally {
      done();
    }
  }

  async #directory(requested: string): Promise<string> {
    const target = await confinePath(this.#parts.root, requested);
    const stat = await fs.stat(target.realPath).catch(() => undefined);
    if (!stat) {
      throw new CodedError("file_not_found", `The working directory ${JSON.stringify(requested)} (${target.path}) does not exist.`);
    }
    if (!stat.isDirectory()) {
      throw new CodedError("not_directory", `The working directory ${JSON.stringify(requested)} (${target.path}) is not a directory.`);
    }
    return target.realPath;
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.#assertOpen();
    return readWorkdirFile(this.#parts.root, path);
  }

  async writeFile(path: string, content: string | Uint8Array): Promise<void> {
    this.#assertOpen();
    return writeWorkdirFile(this.#parts.root, path, content);
  }

  async list(path: string): Promise<FileEntry[]> {
    this.#assertOpen();
    return listWorkdir(this.#parts.root, path);
  }

  async close(options?: { keep?: boolean }): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stop of this.#running.keys()) stop.abort();
    await Promise.all(this.#running.values());
    const keep = options?.keep === true;
    try {
      await removeTree(this.#parts.tmpdir);
      if (!keep) await removeTree(this.#parts.root.path);
    } catch (error) {
      throw new CodedError("file_io", `Could not remove the sandbox's files in ${this.workdir}: ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      this.#parts.onClose(this);
    }
    this.#parts.logger.info({ sandbox: this.id, kept: keep }, keep ? "sandbox kept for a follow-up" : "sandbox removed");
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new CodedError("sandbox_closed", `Sandbox ${this.id} is closed; start a new task to get a new sandbox.`);
    }
  }
}

function cancelledBeforeStart(): ExecResult {
  return { exitCode: 143, stdout: "", stderr: "", timedOut: false, cancelled: true, droppedBytes: 0, durationMs: 0 };
}
