// The footer under a result: how long it took, the tokens it used, and an estimate of the cost.
import type { Usage } from "../../agent/events.ts";
import { escapeMrkdwn } from "./mrkdwn.ts";
import { estimateCostUsd, formatUsd } from "../../tasks/pricing.ts";

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

export function usageFooter(options: { durationMs: number; usage: Usage; model: string; taskId: string; showModel?: boolean }): string {
  const { usage } = options;
  const input = usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens;
  const parts = [
    `⏱ ${formatDuration(options.durationMs)}`,
    `${formatTokens(input)} tokens in · ${formatTokens(usage.output_tokens)} out`,
    `≈ ${escapeMrkdwn(formatUsd(estimateCostUsd(options.model, usage)))} (estimated)`,
    ...(options.showModel ? [`model \`${escapeMrkdwn(options.model)}\``] : []),
    `task \`${options.taskId.slice(0, 8)}\``,
  ];
  return parts.join("  ·  ");
}
