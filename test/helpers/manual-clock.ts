// Time that moves only when the test says: a Clock (now and an abortable sleep) for the Slack
// update budget and the workspace double's log, so minutes pass without waiting them out.
import type { Clock } from "../../src/slack/thread/update-budget.ts";

export function manualClock() {
  let now = 0;
  const sleepers: Array<{ at: number; wake: () => void }> = [];
  const clock: Clock = {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        const sleeper = { at: now + ms, wake: () => resolve() };
        sleepers.push(sleeper);
        signal?.addEventListener("abort", () => {
          const at = sleepers.indexOf(sleeper);
          if (at >= 0) sleepers.splice(at, 1);
          resolve();
        });
      }),
  };
  return {
    clock,
    /** Moves time on by `ms`, waking sleepers in order and letting each run before the next. */
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        await new Promise((r) => setImmediate(r));
        sleepers.sort((a, b) => a.at - b.at);
        const next = sleepers[0];
        if (!next || next.at > end) break;
        sleepers.shift();
        now = Math.max(now, next.at);
        next.wake();
      }
      now = end;
      await new Promise((r) => setImmediate(r));
    },
  };
}
