// The footer under a result: how long it took, the tokens it used, and an estimate of the cost.
import type { Usage } from "../../agent/events.ts";
import { escapeMrkdwn } from "./mrkdwn.ts";

/** USD per million tokens: input, output, cache read, cache write (5-minute). */
interface Price {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

// List prices by model family; an estimate, shown as such.
const PRICES: Array<[RegExp, Price]> = [
  [/opus-4-[01]|opus-3/i, { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 }],
  [/opus/i, { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 }],
  [/haiku-3/i, { input: 0.25, output: 1.25, cacheRead: 0.03, cacheWrite: 0.3 }],
  [/haiku/i, { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 }],
  [/.*/, { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 }],
];

function estimateCostUsd(model: string, usage: Usage): number {
  const price = PRICES.find(([pattern]) => pattern.test(model))![1];
  return (
    (usage.input_tokens * price.input +
      usage.output_tokens * price.output +
      usage.cache_read_input_tokens * price.cacheRead +
      usage.cache_creation_input_tokens * price.cacheWrite) /
    1_000_000
  );
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

export function formatTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

function formatCost(usd: number): string {
  if (usd === 0) return "$0";
  if (usd < 0.01) return "<$0.01";
  return `$${usd.toFixed(2)}`;
}

export function usageFooter(options: { durationMs: number; usage: Usage; model: string; taskId: string; showModel?: boolean }): string {
  const { usage } = options;
  const input = usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens;
  const parts = [
    `⏱ ${formatDuration(options.durationMs)}`,
    `${formatTokens(input)} tokens in · ${formatTokens(usage.output_tokens)} out`,
    `≈ ${escapeMrkdwn(formatCost(estimateCostUsd(options.model, usage)))} (estimated)`,
    ...(options.showModel ? [`model \`${escapeMrkdwn(options.model)}\``] : []),
    `task \`${options.taskId.slice(0, 8)}\``,
  ];
  return parts.join("  ·  ");
}
