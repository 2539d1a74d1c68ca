// PGlite runs one statement at a time, first come first served. When a NOTIFY wakes every idle
// pg-boss worker loop at once, each sends a fetch; a task's claim or an intake's insert sent a
// moment later waited behind all of them (on the embedded database a grouped fetch takes 5–20 ms).
// This queue hands PGlite one unit of work at a time — a statement, or a whole transaction, which
// holds the database until it ends, as PGlite itself would — taking ours before pg-boss's, except
// that a pg-boss statement that has waited BOSS_MAX_WAIT_MS goes next: its heartbeats and fetches
// are delayed, never starved.

export type Lane = "ours" | "boss";

export interface StatementQueue {
  /** Runs `work` when its turn comes; nothing else runs on the database until it settles. */
  run<T>(lane: Lane, work: () => Promise<T>): Promise<T>;
}

interface Waiting {
  since: number;
  start: () => Promise<void>;
}

/** How long a pg-boss statement may wait behind ours. */
const BOSS_MAX_WAIT_MS = 25;

export interface StatementQueueOptions {
  /**
   * Called before each pick to take in requests already sent. PGlite's work blocks its thread, so
   * statements sent meanwhile are still undelivered messages; without them ours could not go first.
   */
  collect?: () => void;
}

export function createStatementQueue(options: StatementQueueOptions = {}): StatementQueue {
  const now = () => performance.now();
  const lanes: Record<Lane, Waiting[]> = { ours: [], boss: [] };
  let busy = false;

  const next = (): Waiting | undefined => {
    const oldestBoss = lanes.boss[0];
    if (oldestBoss && now() - oldestBoss.since >= BOSS_MAX_WAIT_MS) return lanes.boss.shift();
    return lanes.ours.shift() ?? lanes.boss.shift();
  };

  const pump = (): void => {
    if (busy) return;
    // Each request collected calls run(), and so pump(): busy keeps it from picking before all are in.
    busy = true;
    options.collect?.();
    busy = false;
    const work = next();
    if (!work) return;
    busy = true;
    void work.start().finally(() => {
      busy = false;
      pump();
    });
  };

  return {
    run<T>(lane: Lane, work: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        lanes[lane].push({
          since: now(),
          start: () => work().then(resolve, reject),
        });
        pump();
      });
    },
  };
}
