// The one way tests wait for something another process, a worker or a timer makes happen:
// poll a probe often (so a test goes on as soon as the thing is there) for a bounded time, and
// name what was awaited (and what the probe last saw) when it never comes.

export interface WaitOptions {
  /** Give up after this long; 30 s unless told. */
  timeoutMs?: number;
  /** Between two probes; 25 ms unless told (a probe that hits a database may want more). */
  intervalMs?: number;
  /** Extra words for the failure message, e.g. a child process's log. */
  detail?: () => string;
}

/**
 * Resolves with the probe's first truthy answer. A probe that throws fails the wait at once
 * (a broken probe must not look like a slow system).
 */
export async function waitFor<T>(what: string, probe: () => T | null | undefined | false | Promise<T | null | undefined | false>, options: WaitOptions | number = {}): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 25, detail } = typeof options === "number" ? { timeoutMs: options } : options;
  const started = Date.now();
  const deadline = started + timeoutMs;
  let last: unknown;
  for (;;) {
    const value = await probe();
    if (value) return value;
    last = value;
    if (Date.now() >= deadline) {
      const extra = detail ? `\n${detail()}` : "";
      throw new Error(`timed out after ${Date.now() - started} ms waiting for ${what} (last probe answered ${String(last)})${extra}`);
    }
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
