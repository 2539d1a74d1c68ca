// A sandbox's isolated shells (isolated-shell.ts): a command takes an idle shell started on
// the sandbox's current line, or starts one; afterwards the shell is kept for the next
// command if it is fit for it. Commands of one turn that run at once each get a shell of
// their own. A shell holds its line for as long as it lives, so a line rewrapped because
// the disk changed (isolated-launcher.ts) is released once its last shell is gone; idle
// shells on an old line are ended as soon as a command finds the line changed.
import type { ExecResult } from "../port.ts";
import type { IsolatedLauncher, LauncherLease } from "./isolated-launcher.ts";
import { IsolatedShell, type ShellCommand } from "./isolated-shell.ts";

/** Idle shells kept per sandbox: enough for a turn's few commands at once, not many processes. */
const MAX_IDLE = 2;

interface Held {
  shell: IsolatedShell;
  lease: LauncherLease;
}

export class ShellPool {
  readonly #launcher: IsolatedLauncher;
  readonly #env: Record<string, string>;
  readonly #cwd: string;
  #idle: Held[] = [];
  readonly #all = new Set<Held>();
  #closed = false;

  /** `env` and `cwd`: the shells' environment and starting directory (every command gets its own cwd). */
  constructor(launcher: IsolatedLauncher, env: Record<string, string>, cwd: string) {
    this.#launcher = launcher;
    this.#env = env;
    this.#cwd = cwd;
  }

  /** The command's result; undefined when `signal` aborted before it could start. Throws as IsolatedLauncher.acquire does. */
  async run(command: ShellCommand): Promise<ExecResult | undefined> {
    const lease = await this.#launcher.acquire(command.signal);
    if (!lease) return undefined;
    let held: Held;
    // Idle shells on another line are stale: the disk changed since they started.
    const stale = this.#idle.filter((h) => h.lease.argv !== lease.argv || !h.shell.reusable);
    this.#idle = this.#idle.filter((h) => !stale.includes(h));
    for (const h of stale) h.shell.kill();
    const idle = this.#idle.pop();
    if (idle) {
      lease.release();
      held = idle;
    } else {
      let shell: IsolatedShell;
      try {
        shell = new IsolatedShell(lease.argv, this.#env, this.#cwd);
      } catch (error) {
        lease.release();
        throw error;
      }
      held = { shell, lease };
      this.#all.add(held);
      void held.shell.exited.then(() => {
        this.#all.delete(held);
        this.#idle = this.#idle.filter((h) => h !== held);
        held.lease.release();
      });
    }
    try {
      return await held.shell.run(command);
    } finally {
      if (!this.#closed && held.shell.reusable && this.#idle.length < MAX_IDLE) this.#idle.push(held);
      else held.shell.kill();
    }
  }

  /** Ends every shell and lets go of the line; resolves once the shells are gone. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#idle = [];
    this.#launcher.close();
    const all = [...this.#all];
    for (const h of all) h.shell.kill();
    await Promise.all(all.map((h) => h.shell.exited));
  }
}
