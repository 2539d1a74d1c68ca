// The local adapter of the sandbox port: a working directory per task under
// <dataDir>/sandboxes/<id>, commands isolated by @anthropic-ai/sandbox-runtime
// (SANDBOX_ISOLATION=auto) or, as an explicit and loudly logged opt-out, not at all.
import fs from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { z } from "zod";
import { configError } from "../../config/env.ts";
import type { Sandbox, SandboxCreateOptions, SandboxProvider, SweepQuery } from "../port.ts";
import { CodedError } from "../../shared/errors.ts";
import { removeTree } from "./remove-tree.ts";
import { acquireIsolation, type IsolationHandle } from "./isolation.ts";
import { checkIsolationTools } from "./isolation-tools.ts";
import { LocalSandbox, type PreparedParts } from "./local-sandbox.ts";
import { SandboxDirectories } from "./sandbox-directories.ts";
import { sandboxRuntime } from "./sandbox-runtime.ts";
import { deniedReadPaths } from "./read-denials.ts";
import type { WorkdirFileLimits } from "./workdir-files.ts";

export interface LocalSandboxProviderOptions {
  /** DATA_DIR: sandboxes live in <dataDir>/sandboxes/<id>. */
  dataDir: string;
  /** SANDBOX_ISOLATION. */
  isolation: "auto" | "none";
  /** SANDBOX_ALLOWED_DOMAINS; empty = commands get no network. */
  allowedDomains: string[];
  /** Files holding secrets that commands must not read wherever they are (MCP_CONFIG). */
  secretFiles?: string[];
  logger: Logger;
  /** Limits of the file tools (time per operation, read caps...); defaults in workdir-files.ts. */
  fileLimits?: Partial<WorkdirFileLimits>;
}

const optionsSchema = z.object({
  dataDir: z.string().min(1, "dataDir must name a directory"),
  isolation: z.enum(["auto", "none"]),
  allowedDomains: z.array(z.string()),
});

// Used as a directory name: no separators, no `..`, nothing a shell or glob would mangle.
const sandboxIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");

export class LocalSandboxProvider implements SandboxProvider {
  readonly name = "local";
  readonly #isolationMode: "auto" | "none";
  readonly #allowedDomains: string[];
  readonly #logger: Logger;
  readonly #deniedReads: string[];
  readonly #fileLimits: Partial<WorkdirFileLimits> | undefined;
  readonly #open = new Set<LocalSandbox>();
  readonly #dirs: SandboxDirectories;
  #handle: Promise<IsolationHandle> | undefined;
  #closed = false;

  constructor(options: LocalSandboxProviderOptions) {
    const parsed = optionsSchema.parse(options);
    // Checked by the runtime's own rules; without domains there is nothing to check (nor to load it for).
    const domains = parsed.allowedDomains.length > 0 ? sandboxRuntime().NetworkConfigSchema.safeParse({ allowedDomains: parsed.allowedDomains, deniedDomains: [] }) : null;
    if (domains && !domains.success) {
      const issue = domains.error.issues[0];
      throw configError("SANDBOX_ALLOWED_DOMAINS", `${issue?.message ?? "invalid entry"}; give comma-separated domains such as github.com,*.githubusercontent.com`, { cause: domains.error });
    }
    const dataDir = path.resolve(parsed.dataDir);
    this.#dirs = new SandboxDirectories(dataDir);
    this.#isolationMode = parsed.isolation;
    this.#allowedDomains = parsed.allowedDomains;
    this.#logger = options.logger;
    this.#deniedReads = deniedReadPaths(dataDir, options.secretFiles ?? []);
    this.#fileLimits = options.fileLimits;
  }

  async create(options: SandboxCreateOptions): Promise<Sandbox> {
    options.signal?.throwIfAborted();
    const id = parseId(options.taskId);
    // A retried task gets its earlier workdir back rather than an empty one.
    return this.#openSandbox(id, options);
  }

  async resume(id: string, options: SandboxCreateOptions): Promise<Sandbox | null> {
    options.signal?.throwIfAborted();
    if (!sandboxIdSchema.safeParse(id).success) return null;
    const stat = await fs.stat(this.#dirs.workdirOf(id)).catch(() => undefined);
    if (!stat?.isDirectory()) return null;
    return this.#openSandbox(id, options);
  }

  /** Closes open sandboxes (keeping their files) and stops the shared isolation runtime if no one else uses it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#open].map((s) => s.close({ keep: true })));
    const handle = await this.#handle?.catch(() => undefined);
    this.#handle = undefined;
    await handle?.release();
  }

  /**
   * Removes sandbox directories not open in this process whose task is over and that nothing
   * has touched for `idleMs` (default 24 h): kept for a follow-up that never came, or left by a
   * process that died.
   */
  async sweep(query: SweepQuery, idleMs = 24 * 3600_000): Promise<number> {
    const names = await fs.readdir(this.#dirs.workParent).catch(() => [] as string[]);
    const open = new Set([...this.#open].map((s) => s.id));
    let removed = 0;
    for (const name of names) {
      if (open.has(name) || !sandboxIdSchema.safeParse(name).success) continue;
      const stat = await fs.stat(this.#dirs.workdirOf(name)).catch(() => null);
      if (!stat?.isDirectory() || Date.now() - stat.mtimeMs < idleMs) continue;
      if (await query.isTaskActive(name)) continue;
      await removeTree(this.#dirs.workdirOf(name));
      await removeTree(this.#dirs.tmpdirOf(name));
      removed++;
    }
    if (removed > 0) this.#logger.info({ removed }, "removed idle local sandboxes");
    return removed;
  }

  /** Same as close(). */
  dispose(): Promise<void> {
    return this.close();
  }

  async #openSandbox(id: string, options: SandboxCreateOptions): Promise<Sandbox> {
    if (this.#closed) throw providerClosed();
    const isolated = this.#checkIsolation(options.taskId);
    const workdir = this.#dirs.workdirOf(id);
    const directories = this.#dirs.make(id).then(
      (made): PreparedParts => ({
        ...made,
        ...(isolated
          ? {
              isolation: {
                handle: () => this.#isolation(),
                policy: { writable: [made.root.realPath, made.tmpdir], deniedReads: this.#deniedReads, allowedDomains: this.#allowedDomains, tmpdir: made.tmpdir },
              },
            }
          : {}),
      }),
    );
    const sandbox = new LocalSandbox({
      id,
      workdir,
      directories,
      logger: this.#logger,
      fileLimits: this.#fileLimits,
      onClose: (s) => this.#open.delete(s),
    });
    this.#open.add(sandbox);
    // Per task, beside the task's own lines: detail for debugging, not news.
    this.#logger.debug({ sandbox: id, taskId: options.taskId, workdir, isolated }, "local sandbox ready");
    return sandbox;
  }

  /** Whether this task's commands are isolated; throws when they should be and cannot (nothing installed). */
  #checkIsolation(taskId: string): boolean {
    if (this.#isolationMode === "none") {
      this.#logger.warn(
        { taskId },
        "SANDBOX_ISOLATION=none: this task's commands are NOT isolated; they can read, write and reach " +
          "everything this process can. Install bubblewrap, socat and ripgrep and unset SANDBOX_ISOLATION to isolate them.",
      );
      return false;
    }
    // The runtime's own check runs with the first command (when the isolation starts).
    checkIsolationTools();
    return true;
  }

  /** The shared runtime, started by the first command of any of this provider's sandboxes. */
  #isolation(): Promise<IsolationHandle> {
    if (this.#closed) return Promise.reject(providerClosed());
    if (!this.#handle) {
      const pending = acquireIsolation();
      this.#handle = pending;
      pending.then(
        (h) => {
          for (const warning of h.warnings) this.#logger.warn({ warning }, "sandbox runtime warning");
        },
        () => {
          // Not cached: the next command tries again.
          if (this.#handle === pending) this.#handle = undefined;
        },
      );
    }
    return this.#handle;
  }
}

function parseId(taskId: string): string {
  const parsed = sandboxIdSchema.safeParse(taskId);
  if (!parsed.success) {
    throw new CodedError("sandbox_unavailable", `The task id ${JSON.stringify(taskId)} cannot name a sandbox directory: it ${parsed.error.issues[0]?.message}.`, {
      transient: false,
    });
  }
  return parsed.data;
}

function providerClosed(): CodedError {
  return new CodedError("sandbox_closed", "The local sandbox provider is closed (the process is shutting down).");
}
