// `/agent queue` and `/agent status` as Slack text.
import type { Task } from "../../store/task-repo.ts";
import { escapeMrkdwn } from "./mrkdwn.ts";
import { formatDuration, formatTokens } from "./usage-footer.ts";
import { slackMetaOf } from "../slack-meta.ts";
import { shorten } from "./progress-card.ts";
import { failureWords } from "./failure-words.ts";

/** The whole queue's counts; a line for each task `visible` allows, the others only counted. */
export function queueText(open: Array<Task & { position: number | null }>, now: number, visible: (task: Task) => boolean, limit = 25): string {
  if (open.length === 0) return "The queue is empty: no task is queued or running.";
  const running = open.filter((t) => t.status === "running").length;
  const waiting = open.filter((t) => t.status === "waiting").length;
  const queued = open.length - running - waiting;
  const shown = open.filter(visible);
  const lines = shown.slice(0, limit).map((t) => {
    const where =
      t.status === "running"
        ? `▶️ running ${formatDuration(now - (t.startedAt ?? t.createdAt).getTime())}`
        : t.status === "waiting"
          ? `⏸ waiting for approval ${formatDuration(now - t.updatedAt.getTime())}`
          : `#${t.position ?? "?"} queued ${formatDuration(now - t.createdAt.getTime())} ago`;
    return `\`${t.id.slice(0, 8)}\` ${where} · ${who(t)}${place(t)} · _${escapeMrkdwn(shorten(oneLine(t.text), 80))}_`;
  });
  if (shown.length > limit) lines.push(`…and ${shown.length - limit} more`);
  const others = open.length - shown.length;
  if (others > 0) lines.push(`${shown.length > 0 ? "…and " : ""}${others} ${others === 1 ? "task" : "tasks"} of other people or channels`);
  return [`*Queue* — ${running} running, ${queued} queued${waiting > 0 ? `, ${waiting} waiting for approval` : ""}`, ...lines].join("\n");
}

export function statusText(task: Task, now: number, position?: number): string {
  const done = task.todos.filter((t) => t.status === "completed").length;
  const lines = [`*Task \`${task.id.slice(0, 8)}\`* · ${stateWords(task, now, position)} · ${who(task)}${place(task)}`, `_${escapeMrkdwn(shorten(oneLine(task.text), 300))}_`];
  if (task.todos.length > 0) {
    const current = task.todos.find((t) => t.status === "in_progress");
    lines.push(`Plan: ${done}/${task.todos.length} done${current ? ` · now: ${escapeMrkdwn(shorten(current.content, 120))}` : ""}`);
  }
  if (task.status === "running" && task.lastActivity) lines.push(`Doing: ${escapeMrkdwn(shorten(oneLine(task.lastActivity), 150))}`);
  if (task.status === "failed" || task.status === "cancelled") lines.push(`Why: ${failureWords(task.failure?.code, task.cancelledBy)}`);
  if (task.status === "succeeded" && task.result) lines.push(`Answer: ${escapeMrkdwn(shorten(oneLine(task.result), 300))}`);
  const tokens = task.usage.input_tokens + task.usage.output_tokens + task.usage.cache_read_input_tokens + task.usage.cache_creation_input_tokens;
  if (tokens > 0) lines.push(`${formatTokens(tokens)} tokens over ${task.turns} steps`);
  return lines.join("\n");
}

function stateWords(task: Task, now: number, position?: number): string {
  switch (task.status) {
    case "queued":
      return `⏳ queued${position ? ` (position ${position})` : ""} for ${formatDuration(now - task.createdAt.getTime())}`;
    case "running":
      return `▶️ running for ${formatDuration(now - (task.startedAt ?? task.createdAt).getTime())}`;
    case "waiting":
      return `⏸ waiting for approval for ${formatDuration(now - task.updatedAt.getTime())}`;
    default: {
      const icon = task.status === "succeeded" ? "✅" : task.status === "failed" ? "❌" : "🚫";
      const ended = task.finishedAt ?? task.updatedAt;
      return `${icon} ${task.status} ${formatDuration(now - ended.getTime())} ago`;
    }
  }
}

function who(task: Task): string {
  return task.userId ? `<@${task.userId}>` : task.source === "slack" ? "a workflow" : `from the ${task.source === "cli" ? "command line" : task.source}`;
}

function place(task: Task): string {
  const meta = slackMetaOf(task.meta);
  if (!meta) return "";
  return meta.channel.startsWith("D") ? " · in a DM" : ` · <#${meta.channel}>`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
