// A fixed number of slots for work that must not all run at once. A released slot passes straight
// to the next in line (first come, first served); a waiter whose signal aborts leaves the line
// without a slot (its acquire then never resolves: the caller races it with its own stop).
export interface Slots {
  /** Resolves with the slot's release (idempotent) once one is free. */
  acquire(signal?: AbortSignal): Promise<() => void>;
}

export function createSlots(count: number): Slots {
  let active = 0;
  const waiting: Array<() => void> = [];
  const releaser = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = waiting.shift();
      // The slot passes from the releaser to the next: `active` is unchanged.
      if (next) next();
      else active--;
    };
  };
  return {
    acquire(signal) {
      if (active < count) {
        active++;
        return Promise.resolve(releaser());
      }
      return new Promise((resolve) => {
        const take = () => {
          signal?.removeEventListener("abort", giveUp);
          resolve(releaser());
        };
        const giveUp = () => {
          const at = waiting.indexOf(take);
          if (at >= 0) waiting.splice(at, 1);
        };
        waiting.push(take);
        signal?.addEventListener("abort", giveUp, { once: true });
      });
    },
  };
}
