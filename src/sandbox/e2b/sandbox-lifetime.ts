// Keeps an E2B sandbox alive exactly while a task uses it. E2B kills a sandbox when its timeout
// passes, so the timeout works as a lease: set at create to cover the expected task, extended
// before any command that could outlast it, and renewed by a heartbeat while the sandbox is
// open. If our process dies the heartbeat stops and E2B reclaims the sandbox soon after.
import type { Logger } from "pino";

/** E2B's ceiling (Pro; Hobby accounts get 1 h and E2B says so when asked for more). */
export const MAX_SANDBOX_TIMEOUT_MS = 24 * 60 * 60 * 1000;

export interface LifetimeOptions {
  /** The timeout the sandbox was created (or resumed) with. */
  initialMs: number;
  /** How often the heartbeat runs. */
  keepAliveMs: number;
  /** Margin kept beyond what a command or heartbeat needs. */
  graceMs: number;
  logger: Logger;
  /** Sets the sandbox's remaining lifetime (Sandbox.setTimeout). */
  setTimeout(ms: number): Promise<void>;
}

export class SandboxLifetime {
  private readonly options: LifetimeOptions;
  private expiresAt: number;
  private pending: Promise<void> = Promise.resolve();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(options: LifetimeOptions) {
    this.options = options;
    this.expiresAt = Date.now() + options.initialMs;
    // Twice the interval, so one late or failed heartbeat does not let the sandbox lapse.
    this.heartbeat = setInterval(() => void this.ensure(2 * options.keepAliveMs), options.keepAliveMs);
    this.heartbeat.unref();
  }

  /** Makes sure the sandbox lives at least `ms` (plus the grace margin) from now. Never shortens it. */
  ensure(ms: number): Promise<void> {
    const needed = Math.min(ms + this.options.graceMs, MAX_SANDBOX_TIMEOUT_MS);
    if (this.expiresAt - Date.now() >= needed) return this.pending;
    // One extension at a time; each re-checks, so concurrent callers share the longest one.
    this.pending = this.pending.then(async () => {
      if (this.expiresAt - Date.now() >= needed) return;
      try {
        await this.options.setTimeout(needed);
        this.expiresAt = Date.now() + needed;
      } catch (error) {
        this.options.logger.warn({ err: error, wantedMs: needed }, "could not extend the E2B sandbox's lifetime");
      }
    });
    return this.pending;
  }

  stop(): void {
    clearInterval(this.heartbeat);
  }
}
