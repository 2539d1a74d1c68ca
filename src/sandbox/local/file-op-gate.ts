// Every file operation of one sandbox goes through here: a time limit, the caller's
// cancellation, and a cap on how many run at once.
//
// Node's file system calls run on libuv's small shared thread pool (4 threads by
// default), which every task of the worker, and the worker itself, depends on. The
// operations are written so that no call can block (O_NONBLOCK, regular files only,
// bounded reads) and make their calls one after another (closing descriptors aside).
// The cap below then bounds how many pool threads one sandbox can hold even if a call
// were slow, so one task cannot starve the others. An operation past its time limit is
// answered with an error at once; its slot is given back only when its last call returns.
import { CodedError } from "../../shared/errors.ts";
import { createSlots, type Slots } from "../../shared/slots.ts";

export interface FileOpLimits {
  /** Per operation, waiting for a slot included. */
  timeoutMs: number;
  /** Operations of one sandbox running at once; the others wait. */
  concurrency: number;
}

export class FileOpGate {
  readonly #limits: FileOpLimits;
  readonly #slots: Slots;

  constructor(limits: FileOpLimits) {
    if (!(limits.timeoutMs > 0) || !(limits.concurrency >= 1)) {
      throw new RangeError(`file operation limits must be positive (got ${JSON.stringify(limits)})`);
    }
    this.#limits = limits;
    this.#slots = createSlots(limits.concurrency);
  }

  /**
   * Runs `op` under the limits. `op` gets a signal that aborts at the time limit or when
   * `signal` aborts, and should check it between the steps of long work.
   */
  async run<T>(what: string, signal: AbortSignal | undefined, op: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const stop = new AbortController();
    const seconds = Math.round(this.#limits.timeoutMs / 100) / 10;
    const timer = setTimeout(() => stop.abort(new CodedError("file_io", `${what} did not finish within ${seconds} s and was abandoned; try again, or use execute.`)), this.#limits.timeoutMs);
    const onAbort = () => stop.abort(new CodedError("file_io", `${what} was cancelled.`, { cause: signal?.reason }));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    const stopped = new Promise<never>((_, reject) => {
      if (stop.signal.aborted) reject(stop.signal.reason);
      else stop.signal.addEventListener("abort", () => reject(stop.signal.reason), { once: true });
    });
    stopped.catch(() => {});
    try {
      if (stop.signal.aborted) throw stop.signal.reason;
      const release = await Promise.race([this.#slots.acquire(stop.signal), stopped]);
      const work = (async () => {
        try {
          return await op(stop.signal);
        } finally {
          release();
        }
      })();
      work.catch(() => {});
      return await Promise.race([work, stopped]);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }
}
