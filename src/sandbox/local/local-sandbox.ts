// One task's sandbox on this machine: a working directory, commands run in it with
// `bash -c` (isolated when a policy is given), and file tools confined to it.
import fs from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import type { ExecOptions, ExecResult, FileEntry, ReadFileOptions, ReadTextOptions, Sandbox, SandboxCapabilities, TextSlice } from "../port.ts";
import { CodedError } from "../../shared/errors.ts";
import { commandEnvironment } from "./command-env.ts";
import type { WorkdirRoot } from "./confine-path.ts";
import { IsolatedLauncher } from "./isolated-launcher.ts";
import type { IsolationHandle, IsolationPolicy } from "./isolation.ts";
import { removeTree } from "./remove-tree.ts";
import { runProcess } from "./run-process.ts";
import { ShellPool } from "./shell-pool.ts";
import { DEFAULT_MAX_OUTPUT_BYTES } from "../output-capture.ts";
import { WorkdirFiles, type WorkdirFileLimits } from "./workdir-files.ts";

/**
 * Longest command, in bytes. Linux takes at most 128 KiB in one argument, which is where
 * the command goes (`bash -c`); a little is left.
 */
const MAX_COMMAND_BYTES = 120 * 1024;

export interface LocalSandboxParts {
  id: string;
  root: WorkdirRoot;
  /** Private TMPDIR of this sandbox; deleted at close whatever `keep` says. */
  tmpdir: string;
  /** Absent when SANDBOX_ISOLATION=none. `handle` is asked for at the first command (it may start the runtime). */
  isolation?: { handle: () => Promise<IsolationHandle>; policy: IsolationPolicy };
  logger: Logger;
  onClose: (sandbox: LocalSandbox) => void;
  /** Limits of the file tools; defaults in workdir-files.ts. */
  fileLimits?: Partial<WorkdirFileLimits>;
}

export class LocalSandbox implements Sandbox {
  readonly id: string;
  readonly workdir: string;
  readonly provider = "local";
  /** No MCP gateway: MCP servers of MCP_CONFIG run beside the worker instead. */
  readonly capabilities: SandboxCapabilities = {};
  readonly #parts: LocalSandboxParts;
  readonly #files: WorkdirFiles;
  readonly #shells: ShellPool | undefined;
  readonly #env: Record<string, string>;
  readonly #running = new Map<AbortController, Promise<unknown>>();
  #closed = false;

  constructor(parts: LocalSandboxParts) {
    this.#parts = parts;
    this.id = parts.id;
    this.workdir = parts.root.path;
    this.#files = new WorkdirFiles(parts.root, parts.fileLimits);
    // The same for every command of the sandbox: made once.
    this.#env = commandEnvironment({ workdir: parts.root.realPath, tmpdir: parts.tmpdir });
    this.#shells = parts.isolation && new ShellPool(new IsolatedLauncher(parts.isolation.handle, parts.isolation.policy), this.#env, parts.root.realPath);
  }

  async exec(command: string, options: ExecOptions): Promise<ExecResult> {
    this.#assertOpen();
    if (!(options.timeoutMs > 0)) {
      throw new RangeError(`exec: timeoutMs must be a positive number of milliseconds (got ${options.timeoutMs})`);
    }
    checkCommand(command);
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    // A cwd is opened like any file-tool path and the command starts in that very
    // directory (through its descriptor), not in whatever its name points to by then.
    const run =
      options.cwd === undefined
        ? this.#run(command, this.#parts.root.realPath, options, signal)
        : this.#files
            .withDirectory(options.cwd, (cwd) => this.#run(command, cwd, options, signal))
            .catch((error: unknown) => {
              throw workingDirectoryError(error, options.cwd!, this.workdir);
            });
    this.#running.set(
      stop,
      run.catch(() => {}),
    );
    try {
      return await run;
    } finally {
      this.#running.delete(stop);
    }
  }

  async #run(command: string, cwd: string, options: ExecOptions, signal: AbortSignal): Promise<ExecResult> {
    const { logger } = this.#parts;
    const common = {
      timeoutMs: options.timeoutMs,
      signal,
      onOutput: options.onOutput,
      maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      onOutputError: (error: unknown) => logger.warn({ err: error, sandbox: this.id }, "onOutput callback failed; output is no longer streamed"),
    };
    let result: ExecResult | undefined;
    if (this.#shells) {
      try {
        // The isolated shell changes directory by name, as bubblewrap did with the name of
        // the directory it was started in: the one the descriptor holds now.
        const where = cwd.startsWith("/proc/self/fd/") ? await fs.readlink(cwd) : cwd;
        result = await this.#shells.run({ command, cwd: where, ...common });
      } catch (error) {
        if (signal.aborted) return cancelledBeforeStart();
        if (error instanceof CodedError) throw error;
        throw new CodedError("sandbox_unavailable", `Could not isolate the command: ${(error as Error).message}`, { cause: error });
      }
      if (!result) return cancelledBeforeStart();
    } else {
      result = await runProcess({ file: "bash", args: ["-c", command], cwd, env: this.#env, ...common });
    }
    logger.debug(
      {
        sandbox: this.id,
        exitCode: result.exitCode,
        durationMs: result.durationMs,
        timedOut: result.timedOut,
        cancelled: result.cancelled,
        isolated: this.#shells !== undefined,
      },
      "command finished",
    );
    return result;
  }

  async readFile(filePath: string, options?: ReadFileOptions): Promise<Uint8Array> {
    this.#assertOpen();
    return this.#files.read(filePath, options);
  }

  async readText(filePath: string, options?: ReadTextOptions): Promise<TextSlice> {
    this.#assertOpen();
    return this.#files.readText(filePath, options);
  }

  async writeFile(filePath: string, content: string | Uint8Array): Promise<void> {
    this.#assertOpen();
    return this.#files.write(filePath, content);
  }

  async list(filePath: string): Promise<FileEntry[]> {
    this.#assertOpen();
    return this.#files.list(filePath);
  }

  async close(options?: { keep?: boolean }): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#files.close();
    for (const stop of this.#running.keys()) stop.abort();
    await Promise.all(this.#running.values());
    await this.#shells?.close();
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

/** The file tools' wording, said of a working directory. */
function workingDirectoryError(error: unknown, requested: string, workdir: string): unknown {
  if (!(error instanceof CodedError)) return error;
  const where = `${JSON.stringify(requested)} (${path.resolve(workdir, requested)})`;
  if (error.code === "file_not_found") return new CodedError("file_not_found", `The working directory ${where} does not exist.`, { cause: error });
  if (error.code === "not_directory") return new CodedError("not_directory", `The working directory ${where} is not a directory.`, { cause: error });
  return error;
}

/** What no shell command can carry, refused with words the model can act on. */
function checkCommand(command: string): void {
  if (command.includes("\0")) {
    throw new CodedError("bad_input", "The command contains a NUL byte, which no shell command can hold; remove it.");
  }
  const bytes = Buffer.byteLength(command, "utf8");
  if (bytes > MAX_COMMAND_BYTES) {
    throw new CodedError(
      "bad_input",
      `The command is ${Math.ceil(bytes / 1024)} KiB; a command may be at most ${MAX_COMMAND_BYTES / 1024} KiB. Write a long script to a file (write_file) and run the file instead.`,
    );
  }
}

function cancelledBeforeStart(): ExecResult {
  return { exitCode: 143, stdout: "", stderr: "", timedOut: false, cancelled: true, droppedBytes: 0, durationMs: 0 };
}
