// Events API work after the ack (a mention, a message, the App Home tab) runs a few at a time, in
// arrival order. A burst of events then waits here as closures instead of as hundreds of chains
// interleaving database and Slack round trips on the event loop, where every new request's
// verification and 200 would queue behind them.
export interface EventLane {
  /** Runs work when a slot is free; settles with it. */
  run(work: () => Promise<void>): Promise<void>;
}

export function createEventLane(slots: number): EventLane {
  let running = 0;
  const waiting: Array<() => void> = [];
  // A finished job hands its slot straight to the next one in line.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
  return {
    async run(work) {
      if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
      else running++;
      try {
        await work();
      } finally {
        release();
      }
    },
  };
}
