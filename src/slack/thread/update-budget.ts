// One budget of chat.update calls per workspace for the whole process. Slack allows about 50 a
// minute per workspace (Tier 3); the budget is 45, so requests that reach Slack a little later than
// they were let go never tip a minute over. Every progress card of every task in the process draws from the
// same bucket, so 20 cards at once each update less often instead of drawing 429s. A final state
// jumps the queue (live updates wait behind it), and a 429 that still arrives pauses the whole
// workspace for as long as Slack asked.

/** Time as the budget sees it; tests give a faster one so a minute of budget passes in seconds. */
export interface Clock {
  now(): number;
  /** Resolves after `ms` (early, without error, when `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
};

export interface UpdateBudgetOptions {
  /** Most chat.update calls in any minute, per workspace; default 45. */
  perMinute?: number;
  /** How many of them may go at once after a quiet spell; default 5. */
  burst?: number;
  clock?: Clock;
}

export interface UpdateBudget {
  /**
   * Waits for this workspace's turn to call chat.update. Resolves true when the call may go, false
   * when `signal` aborted the wait first. A `final` request goes before every live one.
   */
  acquire(team: string, request: { final: boolean; signal?: AbortSignal }): Promise<boolean>;
  /** Slack answered 429: nobody of this workspace calls again before `ms` has passed. */
  pause(team: string, ms: number): void;
}

interface Waiter {
  resolve(granted: boolean): void;
  signal?: AbortSignal;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
  pausedUntil: number;
  finals: Waiter[];
  live: Waiter[];
  pumping: boolean;
  wake: AbortController | null;
}

export function createUpdateBudget(options: UpdateBudgetOptions = {}): UpdateBudget {
  const clock = options.clock ?? systemClock;
  const perMinute = Math.max(2, options.perMinute ?? 45);
  const burst = Math.min(Math.max(1, options.burst ?? 5), perMinute - 1);
  // The burst plus the refill over any 60 s never exceeds perMinute.
  const refillPerMs = (perMinute - burst) / 60_000;
  const buckets = new Map<string, Bucket>();

  const bucketOf = (team: string): Bucket => {
    let b = buckets.get(team);
    if (!b) {
      b = { tokens: burst, refilledAt: clock.now(), pausedUntil: 0, finals: [], live: [], pumping: false, wake: null };
      buckets.set(team, b);
    }
    return b;
  };

  const refill = (b: Bucket, now: number) => {
    b.tokens = Math.min(burst, b.tokens + (now - b.refilledAt) * refillPerMs);
    b.refilledAt = now;
  };

  const nextWaiter = (b: Bucket): Waiter | undefined => {
    for (const queue of [b.finals, b.live]) {
      while (queue.length > 0 && queue[0]!.signal?.aborted) queue.shift()!.resolve(false);
      if (queue.length > 0) return queue.shift();
    }
    return undefined;
  };

  // One loop per workspace hands out tokens while anyone waits; it ends when the queues are empty.
  const pump = async (b: Bucket) => {
    if (b.pumping) return;
    b.pumping = true;
    try {
      for (;;) {
        const now = clock.now();
        refill(b, now);
        if (b.finals.length === 0 && b.live.length === 0) return;
        const wait = Math.max(b.pausedUntil - now, b.tokens >= 1 ? 0 : (1 - b.tokens) / refillPerMs);
        if (wait > 0) {
          b.wake = new AbortController();
          await clock.sleep(Math.ceil(wait), b.wake.signal);
          b.wake = null;
          continue;
        }
        const waiter = nextWaiter(b);
        if (!waiter) continue;
        b.tokens -= 1;
        waiter.resolve(true);
      }
    } finally {
      b.pumping = false;
    }
  };

  return {
    acquire(team, request) {
      if (request.signal?.aborted) return Promise.resolve(false);
      const b = bucketOf(team);
      return new Promise<boolean>((resolve) => {
        const onAbort = () => {
          for (const queue of [b.finals, b.live]) {
            const at = queue.indexOf(waiter);
            if (at >= 0) queue.splice(at, 1);
          }
          resolve(false);
        };
        const waiter: Waiter = {
          resolve: (granted) => {
            request.signal?.removeEventListener("abort", onAbort);
            resolve(granted);
          },
          ...(request.signal ? { signal: request.signal } : {}),
        };
        (request.final ? b.finals : b.live).push(waiter);
        request.signal?.addEventListener("abort", onAbort, { once: true });
        void pump(b);
      });
    },
    pause(team, ms) {
      const b = bucketOf(team);
      b.pausedUntil = Math.max(b.pausedUntil, clock.now() + ms);
      b.tokens = Math.min(b.tokens, 0);
      b.wake?.abort();
    },
  };
}
