// What a task's tokens cost, estimated from list prices by model family: for the result footer,
// the spending limit (TASK_BUDGET_USD) and `/agent usage`. An estimate, and shown as such.
import type { Usage } from "../agent/events.ts";

/** USD per million tokens: input, output, cache read, cache write (5-minute). */
export interface Price {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

const PRICES: Array<[RegExp, Price]> = [
  [/opus-4-[01]|opus-3/i, { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 }],
  [/opus/i, { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 }],
  [/haiku-3/i, { input: 0.25, output: 1.25, cacheRead: 0.03, cacheWrite: 0.3 }],
  [/haiku/i, { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 }],
  [/.*/, { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 }],
];

/** The list price an estimate for this model uses (shown with the estimate on a transcript). */
export function priceOf(model: string): Price {
  return PRICES.find(([pattern]) => pattern.test(model))![1];
}

export function estimateCostUsd(model: string, usage: Usage): number {
  const price = priceOf(model);
  return (
    (usage.input_tokens * price.input + usage.output_tokens * price.output + usage.cache_read_input_tokens * price.cacheRead + usage.cache_creation_input_tokens * price.cacheWrite) /
    1_000_000
  );
}

/** An amount people set or must weigh (a spending limit): "$5.00", "$0.0054" (never "<$0.01"). */
export function formatLimitUsd(usd: number): string {
  return usd >= 0.01 || usd === 0 ? `$${usd.toFixed(2)}` : `$${Number(usd.toPrecision(2))}`;
}

/** "$0", "<$0.01", "$1.23". */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  if (usd < 0.01) return "<$0.01";
  return `$${usd.toFixed(2)}`;
}
