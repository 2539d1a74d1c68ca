// The sandbox port on an E2B sandbox, through the e2b SDK. Relative paths resolve in the
// workdir; absolute paths may point anywhere in the sandbox (the VM is the boundary here).
import path from "node:path";
import type { Sandbox as SdkSandbox } from "e2b";
import type { Logger } from "pino";
import type { ExecOptions, ExecResult, FileEntry, McpGateway, ReadFileOptions, ReadTextOptions, Sandbox, SandboxCapabilities, TextSlice } from "../port.ts";
import { CodedError } from "../../shared/errors.ts";
import { runCommand, type ExecContext } from "./e2b-exec.ts";
import { E2BFiles, type E2BFileLimits } from "./e2b-files.ts";
import { fileError, isSandboxGone } from "./e2b-errors.ts";
import type { SandboxLifetime } from "./sandbox-lifetime.ts";

export interface E2BSandboxOptions {
  sdk: SdkSandbox;
  workdir: string;
  envs: Record<string, string>;
  logger: Logger;
  lifetime: SandboxLifetime;
  mcpGateway: McpGateway | undefined;
  /** SDK debug mode: there is no control plane to pause or kill through. */
  debug: boolean;
  /** Limits of the file tools (time per operation, read caps...); defaults in e2b-files.ts. */
  fileLimits?: Partial<E2BFileLimits>;
}

export class E2BSandbox implements Sandbox {
  readonly id: string;
  readonly workdir: string;
  readonly provider = "e2b";
  readonly capabilities: SandboxCapabilities;
  private readonly sdk: SdkSandbox;
  private readonly logger: Logger;
  private readonly lifetime: SandboxLifetime;
  private readonly debug: boolean;
  private readonly execContext: ExecContext;
  private readonly files: E2BFiles;
  private readonly running = new Set<() => Promise<void>>();
  private closed = false;

  constructor(options: E2BSandboxOptions) {
    this.sdk = options.sdk;
    this.id = options.sdk.sandboxId;
    this.workdir = options.workdir;
    this.capabilities = options.mcpGateway ? { mcpGateway: options.mcpGateway } : {};
    this.logger = options.logger;
    this.lifetime = options.lifetime;
    this.debug = options.debug;
    this.files = new E2BFiles(this.sdk, this.id, options.fileLimits);
    this.execContext = {
      sdk: this.sdk,
      sandboxId: this.id,
      workdir: this.workdir,
      envs: options.envs,
      logger: this.logger,
      ensureLifetime: (ms) => this.lifetime.ensure(ms),
      track: (stop) => {
        this.running.add(stop);
        return () => this.running.delete(stop);
      },
    };
  }

  async exec(command: string, options: ExecOptions): Promise<ExecResult> {
    this.ensureOpen();
    return runCommand(this.execContext, command, options);
  }

  async readFile(filePath: string, options?: ReadFileOptions): Promise<Uint8Array> {
    return this.files.read(this.resolve(filePath), options);
  }

  async readText(filePath: string, options?: ReadTextOptions): Promise<TextSlice> {
    return this.files.readText(this.resolve(filePath), options);
  }

  async writeFile(filePath: string, content: string | Uint8Array): Promise<void> {
    const target = this.resolve(filePath);
    // Opening a FIFO or a device to write it could block: only a regular file (or none) is written.
    await this.files.checkWritable(target);
    try {
      // The SDK creates missing parent directories, as the port expects.
      await this.sdk.files.write(target, typeof content === "string" ? content : new Blob([new Uint8Array(content)]));
    } catch (error) {
      throw fileError(error, target, this.id);
    }
  }

  async list(dirPath: string): Promise<FileEntry[]> {
    const target = this.resolve(dirPath);
    try {
      const entries = await this.sdk.files.list(target);
      return entries
        .map(
          (e): FileEntry => ({
            name: e.name,
            path: e.path,
            type: e.type === "dir" ? "dir" : e.type === "file" ? "file" : e.type === "symlink" ? "symlink" : "other",
            ...(e.type === "file" ? { size: e.size } : {}),
          }),
        )
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      throw fileError(error, target, this.id);
    }
  }

  async close(options: { keep?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.lifetime.stop();
    // Commands still running are killed first, so a paused sandbox holds none half-done.
    await Promise.allSettled([...this.running].map((stop) => stop()));
    if (this.debug) {
      this.logger.debug({ sandboxId: this.id }, "E2B debug mode: no control plane, so nothing to pause or kill");
      return;
    }
    if (options.keep) {
      try {
        await this.sdk.pause();
        this.logger.info({ sandboxId: this.id }, "E2B sandbox paused for a follow-up in the same conversation");
        return;
      } catch (error) {
        if (isSandboxGone(error)) return;
        this.logger.warn({ err: error, sandboxId: this.id }, "could not pause the E2B sandbox; killing it instead");
      }
    }
    try {
      await this.sdk.kill();
      this.logger.debug({ sandboxId: this.id }, "E2B sandbox killed");
    } catch (error) {
      // The sandbox still expires at its timeout; the sweeper also catches it.
      this.logger.warn({ err: error, sandboxId: this.id }, "could not kill the E2B sandbox");
    }
  }

  private resolve(target: string): string {
    this.ensureOpen();
    return path.posix.resolve(this.workdir, target === "" ? "." : target);
  }

  private ensureOpen(): void {
    if (this.closed) throw new CodedError("sandbox_closed", `the E2B sandbox ${this.id} was already closed for this task`);
  }
}
