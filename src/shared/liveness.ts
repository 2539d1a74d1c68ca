// Whether this process still makes progress, for GET /healthz: a request that answers is not
// enough (the HTTP server needs neither the file thread pool nor a free event loop for long).
// Every few seconds one file-system call goes through libuv's thread pool; if it has not come
// back in time, the pool is blocked (a FIFO opened for reading, a hung network mount) and every
// task that touches a file is stuck. The event loop's delay is watched as well.
import fs from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

export interface Liveness {
  check(): { ok: true } | { ok: false; reason: string };
  stop(): void;
}

export interface LivenessOptions {
  /** Any path to stat; the data directory. */
  path: string;
  intervalMs?: number;
  /** A probe out longer than this means the thread pool is blocked. */
  stuckAfterMs?: number;
  /** An event loop blocked longer than this (p99 over the last interval) is reported. */
  maxLoopDelayMs?: number;
}

export function startLiveness(options: LivenessOptions): Liveness {
  const interval = options.intervalMs ?? 2_000;
  const stuckAfter = options.stuckAfterMs ?? 15_000;
  const maxDelay = options.maxLoopDelayMs ?? 5_000;
  let outstandingSince: number | null = null;
  const loop = monitorEventLoopDelay({ resolution: 50 });
  loop.enable();
  let lastDelayMs = 0;
  const probe = () => {
    lastDelayMs = loop.percentile(99) / 1e6;
    loop.reset();
    if (outstandingSince !== null) return;
    outstandingSince = Date.now();
    fs.stat(options.path, () => {
      outstandingSince = null;
    });
  };
  const timer = setInterval(probe, interval);
  timer.unref();
  probe();
  return {
    check() {
      if (outstandingSince !== null && Date.now() - outstandingSince > stuckAfter) {
        const seconds = Math.round((Date.now() - outstandingSince) / 1000);
        return { ok: false, reason: `file operations have not completed for ${seconds} s: the file thread pool is blocked` };
      }
      if (lastDelayMs > maxDelay) return { ok: false, reason: `the event loop was blocked for ${Math.round(lastDelayMs)} ms` };
      return { ok: true };
    },
    stop() {
      clearInterval(timer);
      loop.disable();
    },
  };
}
