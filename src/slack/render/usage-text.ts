// `/agent usage [days]` as Slack text: estimated spend of recent tasks. Everyone allowed sees the
// totals (all tasks, this channel's, their own); admins also see it by person and by channel.
// Pure: the caller reads the rows and decides who is an admin.
import type { SpendRow } from "../../store/usage-repo.ts";
import { estimateCostUsd, formatUsd } from "../../tasks/pricing.ts";
import { escapeMrkdwn } from "./mrkdwn.ts";

export interface UsageViewer {
  userId: string;
  channelId: string;
  admin: boolean;
}

const MAX_LINES = 15;

export function usageText(rows: readonly SpendRow[], options: { days: number; model: string; viewer: UsageViewer }): string {
  const { days, model, viewer } = options;
  const priced = rows.map((r) => ({ ...r, usd: estimateCostUsd(model, r.usage) }));
  const sum = (list: typeof priced) => ({ usd: list.reduce((n, r) => n + r.usd, 0), tasks: list.reduce((n, r) => n + r.tasks, 0) });
  const line = (label: string, s: { usd: number; tasks: number }) => `${label}: ≈${formatUsd(s.usd)} over ${s.tasks} task${s.tasks === 1 ? "" : "s"}`;
  const period = days === 1 ? "the last day" : `the last ${days} days`;
  const lines = [`*Spend in ${period}* — estimated from stored token counts at the list prices of \`${escapeMrkdwn(model)}\``, line("All tasks", sum(priced))];
  if (!isDirectMessage(viewer.channelId)) lines.push(line("In this channel", sum(priced.filter((r) => r.channelId === viewer.channelId))));
  lines.push(line("Yours", sum(priced.filter((r) => r.userId === viewer.userId && isSlackAsker(r)))));
  if (!viewer.admin) return lines.join("\n");
  lines.push("", "*By person*", ...grouped(priced, personOf), "", "*By channel*", ...grouped(priced, placeOf));
  return lines.join("\n");
}

function grouped<R extends { usd: number; tasks: number }>(rows: readonly R[], key: (r: R) => string): string[] {
  const groups = new Map<string, { usd: number; tasks: number }>();
  for (const r of rows) {
    const g = groups.get(key(r)) ?? { usd: 0, tasks: 0 };
    g.usd += r.usd;
    g.tasks += r.tasks;
    groups.set(key(r), g);
  }
  const sorted = [...groups.entries()].sort((a, b) => b[1].usd - a[1].usd || a[0].localeCompare(b[0]));
  if (sorted.length === 0) return ["_none_"];
  const out = sorted.slice(0, MAX_LINES).map(([name, g]) => `• ${name} ≈${formatUsd(g.usd)} (${g.tasks} task${g.tasks === 1 ? "" : "s"})`);
  if (sorted.length > MAX_LINES) out.push(`…and ${sorted.length - MAX_LINES} more`);
  return out;
}

/** Slack tasks, and scheduled runs that post in a channel, were asked by a Slack user. */
function isSlackAsker(r: SpendRow): boolean {
  return r.source === "slack" || (r.source === "schedule" && r.channelId !== null);
}

function personOf(r: SpendRow): string {
  if (!r.userId) return r.source === "slack" ? "workflows" : "no one in particular";
  return isSlackAsker(r) ? `<@${r.userId}>` : `\`${escapeMrkdwn(r.userId)}\` (command line)`;
}

function placeOf(r: SpendRow): string {
  if (!r.channelId) return "the command line";
  return isDirectMessage(r.channelId) ? "direct messages" : `<#${r.channelId}>`;
}

function isDirectMessage(channelId: string): boolean {
  return channelId.startsWith("D");
}
