// One sandbox's isolated launcher: the bubblewrap line is wrapped once (isolation.ts
// prepare) and every isolated shell of the sandbox (shell-pool.ts) starts on it. What the
// runtime builds depends on the disk as it was when it wrapped — a denied path that did
// not exist then is not masked — so before each command the paths the policy names are
// looked at again (one lstat each, a fraction of a millisecond) and the line is wrapped
// anew when any of them changed. A line is released once the last shell on it ends.
// The first wrap asks for the isolation handle: that starts the shared runtime if it is
// not running yet.
import fs from "node:fs";
import { CodedError } from "../../shared/errors.ts";
import type { IsolationHandle, IsolationPolicy, PreparedIsolation } from "./isolation.ts";
import { sharedWritePaths } from "./isolation.ts";

export interface LauncherLease {
  /** The program to run and its arguments. */
  readonly argv: readonly string[];
  /** Call once the command has ended. */
  release(): void;
}

interface Prepared {
  fingerprint: string;
  ready: Promise<PreparedIsolation>;
  users: number;
  retired: boolean;
}

export class IsolatedLauncher {
  readonly #handle: () => Promise<IsolationHandle>;
  readonly #policy: IsolationPolicy;
  #watchedPaths: readonly string[] | undefined;
  #current: Prepared | undefined;
  #closed = false;

  constructor(handle: () => Promise<IsolationHandle>, policy: IsolationPolicy) {
    this.#handle = handle;
    this.#policy = policy;
  }

  /**
   * Besides the policy's own paths: the runtime's shared write paths (denied, but only where
   * they exist) and the one system directory it hides when present. Asked at the first command:
   * the runtime is loaded only when a command needs it.
   */
  get #watched(): readonly string[] {
    this.#watchedPaths ??= [...new Set([...this.#policy.deniedReads, ...this.#policy.writable, ...sharedWritePaths(), "/etc/ssh/ssh_config.d"])];
    return this.#watchedPaths;
  }

  /** The line for one command; undefined when `signal` aborted while a line was being wrapped. */
  async acquire(signal?: AbortSignal): Promise<LauncherLease | undefined> {
    if (this.#closed) throw closedError();
    if (signal?.aborted) return undefined;
    const fingerprint = diskFingerprint(this.#watched);
    let entry = this.#current;
    if (entry?.fingerprint !== fingerprint) {
      if (entry) this.#retire(entry);
      entry = { fingerprint, ready: this.#prepare(), users: 0, retired: false };
      this.#current = entry;
      const prepared = entry;
      prepared.ready.catch(() => {
        // Not kept: the next command tries again.
        if (this.#current === prepared) this.#current = undefined;
      });
    }
    entry.users++;
    let prepared: PreparedIsolation | undefined;
    try {
      prepared = await untilAborted(entry.ready, signal);
    } finally {
      if (!prepared) this.#leave(entry);
    }
    if (!prepared) return undefined;
    let released = false;
    const owner = entry;
    return {
      argv: prepared.argv,
      release: () => {
        if (released) return;
        released = true;
        this.#leave(owner);
      },
    };
  }

  async #prepare(): Promise<PreparedIsolation> {
    const handle = await this.#handle();
    // Closed while the runtime started: the provider may be releasing it.
    if (this.#closed) throw closedError();
    return handle.prepare(this.#policy);
  }

  /** The line is released as soon as no command runs on it. */
  close(): void {
    this.#closed = true;
    if (this.#current) this.#retire(this.#current);
    this.#current = undefined;
  }

  #retire(entry: Prepared): void {
    entry.retired = true;
    this.#releaseIfIdle(entry);
  }

  #leave(entry: Prepared): void {
    entry.users--;
    this.#releaseIfIdle(entry);
  }

  #releaseIfIdle(entry: Prepared): void {
    if (entry.retired && entry.users === 0) {
      entry.ready.then(
        (prepared) => prepared.release(),
        () => {},
      );
    }
  }
}

function closedError(): CodedError {
  return new CodedError("sandbox_closed", "The sandbox is closed; its commands can no longer run.");
}

/** What the wrap read of these paths: type, permissions and identity, through symlinks too; or why it could not. */
function diskFingerprint(paths: readonly string[]): string {
  const parts = [process.cwd()];
  for (const p of paths) {
    try {
      const link = fs.lstatSync(p, { throwIfNoEntry: false });
      if (!link) {
        parts.push("-");
        continue;
      }
      let state = `${link.mode}:${link.dev}:${link.ino}`;
      if (link.isSymbolicLink()) {
        const target = fs.statSync(p, { throwIfNoEntry: false });
        state += target ? `>${target.mode}:${target.dev}:${target.ino}` : ">-";
      }
      parts.push(state);
    } catch (error) {
      parts.push((error as NodeJS.ErrnoException).code ?? "error");
    }
  }
  return parts.join("\n");
}

/** `promise`'s value, or undefined as soon as `signal` aborts (the promise goes on for others). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
