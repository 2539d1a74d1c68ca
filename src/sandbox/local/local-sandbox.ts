// One task's sandbox on this machine: a working directory, commands run in it with
// `bash -c` (isolated when a policy is given), and file tools confined to it.
import fs from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import type { ExecOptions, ExecResult, FileEntry, ReadFileOptions, ReadTextOptions, Sandbox, SandboxCapabilities, TextSlice } from "../port.ts";
import { CodedError } from "../../shared/errors.ts";
import { bashOn } from "./bash-path.ts";
import { commandEnvironment } from "./command-env.ts";
import type { WorkdirRoot } from "./confine-path.ts";
import { IsolatedLauncher } from "./isolated-launcher.ts";
import type { IsolationHandle, IsolationPolicy } from "./isolation.ts";
import { removeTree } from "./remove-tree.ts";
import { launchProcess } from "./process-launcher.ts";
import { ShellPool } from "./shell-pool.ts";
import { DEFAULT_MAX_OUTPUT_BYTES } from "../output-capture.ts";
import { WorkdirFiles, type WorkdirFileLimits } from "./workdir-files.ts";

/**
 * Longest command, in bytes. Linux takes at most 128 KiB in one argument, which is where
 * the command goes (`bash -c`); a little is left.
 */
const MAX_COMMAND_BYTES = 120 * 1024;

/** What a sandbox works with once its directories exist (see LocalSandboxParts.directories). */
export interface PreparedParts {
  root: WorkdirRoot;
  /** Private TMPDIR of this sandbox; deleted at close whatever `keep` says. */
  tmpdir: string;
  /** Absent when SANDBOX_ISOLATION=none. `handle` is asked for at the first command (it may start the runtime). */
  isolation?: { handle: () => Promise<IsolationHandle>; policy: IsolationPolicy };
}

export interface LocalSandboxParts {
  id: string;
  /** The workdir as the sandbox shows it (known before its directory exists). */
  workdir: string;
  /**
   * Made in the background from create(): a task's first model call does not wait on the file
   * system. Every operation waits for them; a failure fails each one with "sandbox_unavailable"
   * (a code that ends the run).
   */
  directories: Promise<PreparedParts>;
  logger: Logger;
  onClose: (sandbox: LocalSandbox) => void;
  /** Limits of the file tools; defaults in workdir-files.ts. */
  fileLimits?: Partial<WorkdirFileLimits>;
}

/** What the operations use, built once the directories exist. */
interface Opened {
  dirs: PreparedParts;
  files: WorkdirFiles;
  shells: ShellPool | undefined;
  env: Record<string, string>;
  /** The bash that runs commands without isolation. */
  bash: string;
}

export class LocalSandbox implements Sandbox {
  readonly id: string;
  readonly workdir: string;
  readonly provider = "local";
  /** No MCP gateway: MCP servers of MCP_CONFIG run beside the worker instead. */
  readonly capabilities: SandboxCapabilities = {};
  readonly #parts: LocalSandboxParts;
  readonly #opened: Promise<Opened>;
  readonly #running = new Map<AbortController, Promise<unknown>>();
  #closed = false;

  constructor(parts: LocalSandboxParts) {
    this.#parts = parts;
    this.id = parts.id;
    this.workdir = parts.workdir;
    this.#opened = parts.directories.then(async (dirs) => {
      // The same for every command of the sandbox: made once.
      const env = commandEnvironment({ workdir: dirs.root.realPath, tmpdir: dirs.tmpdir });
      return {
        dirs,
        env,
        bash: dirs.isolation ? "bash" : await bashOn(env["PATH"]!),
        files: new WorkdirFiles(dirs.root, parts.fileLimits),
        shells: dirs.isolation && new ShellPool(new IsolatedLauncher(dirs.isolation.handle, dirs.isolation.policy), env, dirs.root.realPath),
      };
    });
    // Reported by the operations that wait for it; a sandbox nobody uses leaves nothing unhandled.
    this.#opened.catch(() => {});
  }

  async exec(command: string, options: ExecOptions): Promise<ExecResult> {
    this.#assertOpen();
    if (!(options.timeoutMs > 0)) {
      throw new RangeError(`exec: timeoutMs must be a positive number of milliseconds (got ${options.timeoutMs})`);
    }
    checkCommand(command);
    const opened = await this.#open();
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    // A cwd is opened like any file-tool path and the command starts in that very
    // directory (through its descriptor), not in whatever its name points to by then.
    const run =
      options.cwd === undefined
        ? this.#run(opened, command, opened.dirs.root.realPath, options, signal)
        : opened.files
            .withDirectory(options.cwd, (cwd) => this.#run(opened, command, cwd, options, signal))
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

  async #run(opened: Opened, command: string, cwd: string, options: ExecOptions, signal: AbortSignal): Promise<ExecResult> {
    const { logger } = this.#parts;
    const common = {
      timeoutMs: options.timeoutMs,
      signal,
      onOutput: options.onOutput,
      maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      onOutputError: (error: unknown) => logger.warn({ err: error, sandbox: this.id }, "onOutput callback failed; output is no longer streamed"),
    };
    let result: ExecResult | undefined;
    if (opened.shells) {
      try {
        // The isolated shell changes directory by name, as bubblewrap did with the name of
        // the directory it was started in: the one the descriptor holds now.
        const where = cwd.startsWith("/proc/self/fd/") ? await fs.readlink(cwd) : cwd;
        result = await opened.shells.run({ command, cwd: where, ...common });
      } catch (error) {
        if (signal.aborted) return cancelledBeforeStart();
        if (error instanceof CodedError) throw error;
        throw new CodedError("sandbox_unavailable", `Could not isolate the command: ${(error as Error).message}`, { cause: error });
      }
      if (!result) return cancelledBeforeStart();
    } else {
      result = await launchProcess({ file: opened.bash, args: ["-c", command], cwd, env: opened.env, ...common });
    }
    logger.debug(
      {
        sandbox: this.id,
        exitCode: result.exitCode,
        durationMs: result.durationMs,
        timedOut: result.timedOut,
        cancelled: result.cancelled,
        isolated: opened.shells !== undefined,
      },
      "command finished",
    );
    return result;
  }

  async readFile(filePath: string, options?: ReadFileOptions): Promise<Uint8Array> {
    return (await this.#open()).files.read(filePath, options);
  }

  async readText(filePath: string, options?: ReadTextOptions): Promise<TextSlice> {
    return (await this.#open()).files.readText(filePath, options);
  }

  async writeFile(filePath: string, content: string | Uint8Array): Promise<void> {
    return (await this.#open()).files.write(filePath, content);
  }

  async list(filePath: string): Promise<FileEntry[]> {
    return (await this.#open()).files.list(filePath);
  }

  async close(options?: { keep?: boolean }): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Directories still being made are waited for, so none is made after it was removed.
    const opened = await this.#opened.catch(() => null);
    opened?.files.close();
    for (const stop of this.#running.keys()) stop.abort();
    await Promise.all(this.#running.values());
    await opened?.shells?.close();
    const keep = options?.keep === true;
    try {
      if (opened) await Promise.all([removeTree(opened.dirs.tmpdir), keep ? null : removeTree(opened.dirs.root.path)]);
    } catch (error) {
      throw new CodedError("file_io", `Could not remove the sandbox's files in ${this.workdir}: ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      this.#parts.onClose(this);
    }
    // A removal happens for every task: only a kept sandbox (which lingers until the sweep) is news.
    if (keep) this.#parts.logger.info({ sandbox: this.id, kept: true }, "sandbox kept for a follow-up");
    else this.#parts.logger.debug({ sandbox: this.id, kept: false }, "sandbox removed");
  }

  /** The sandbox's parts once its directories exist; closed while waiting for them is closed. */
  async #open(): Promise<Opened> {
    const opened = await this.#opened;
    this.#assertOpen();
    return opened;
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
