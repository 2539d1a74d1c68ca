// Events API work after the ack (a mention, a message, the App Home tab) runs a few at a time, in
// arrival order. A burst of events then waits here as closures instead of as hundreds of chains
// interleaving database and Slack round trips on the event loop, where every new request's
// verification and 200 would queue behind them.
import { createSlots } from "../../shared/slots.ts";

export interface EventLane {
  /** Runs work when a slot is free; settles with it. */
  run(work: () => Promise<void>): Promise<void>;
}

export function createEventLane(slots: number): EventLane {
  const lane = createSlots(slots);
  return {
    async run(work) {
      const release = await lane.acquire();
      try {
        await work();
      } finally {
        release();
      }
    },
  };
}
