// Renders the progress view as a Slack message. Two forms of the plan: Slack's `plan` block of
// `task_card`s where the workspace accepts them, and plain mrkdwn sections that every
// workspace accepts (the fallback).
import type { types } from "@slack/bolt";
import type { Todo, TodoStatus } from "../../agent/events.ts";
import { escapeMrkdwn } from "./mrkdwn.ts";
import { formatDuration, formatTokens } from "./usage-footer.ts";
import { isFinal, type ProgressView } from "./progress-view.ts";

type KnownBlock = types.KnownBlock;

export const CANCEL_ACTION_ID = "deep_agent_cancel";

export interface SlackMessagePayload {
  text: string;
  blocks: types.KnownBlock[];
}

export type PlanStyle = "plan_blocks" | "sections";

const SECTION_LIMIT = 2900;
const MAX_TASK_CARDS = 40;

export function renderProgress(view: ProgressView, style: PlanStyle, now: number): SlackMessagePayload {
  const blocks: KnownBlock[] = [section(statusLine(view, now))];
  if (view.todos.length > 0) blocks.push(...(style === "plan_blocks" ? planBlocks(view.todos) : planSections(view.todos)));
  const context = contextLine(view);
  if (context) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: context }] });
  if (!isFinal(view.phase)) blocks.push(cancelButton(view.taskId));
  return { text: fallbackText(view, now), blocks };
}

function statusLine(view: ProgressView, now: number): string {
  const ask = `_${escapeMrkdwn(shorten(view.text.replace(/\s+/g, " "), 200))}_`;
  const elapsed = view.startedAt !== undefined ? formatDuration((view.finishedAt ?? now) - view.startedAt) : "";
  switch (view.phase) {
    case "queued":
      return `⏳ *Queued*${view.position ? ` — position ${view.position}` : ""}\n${ask}`;
    case "running":
      return `⚙️ *Working* · ${elapsed}${view.turns > 0 ? ` · step ${view.turns}` : ""}\n${ask}`;
    case "retrying":
      return `🔁 *Working, retrying* · ${elapsed}\n${ask}`;
    case "waiting":
      return `⏸ *Waiting for approval* · ${elapsed}\n${ask}`;
    case "succeeded":
      return `✅ *Done* in ${elapsed}\n${ask}`;
    case "failed":
      return `❌ *Failed*${elapsed ? ` after ${elapsed}` : ""}\n${ask}`;
    case "cancelled":
      return `🚫 *Cancelled*${elapsed ? ` after ${elapsed}` : ""}\n${ask}`;
  }
}

function contextLine(view: ProgressView): string {
  const parts: string[] = [];
  if (!isFinal(view.phase) && view.activity) parts.push(`▶ ${escapeMrkdwn(shorten(view.activity.replace(/\s+/g, " "), 180))}`);
  if (view.note && !isFinal(view.phase)) parts.push(escapeMrkdwn(shorten(view.note, 180)));
  if (view.outcome) parts.push(view.outcome);
  const tokens = view.usage.input_tokens + view.usage.cache_read_input_tokens + view.usage.cache_creation_input_tokens + view.usage.output_tokens;
  if (tokens > 0) parts.push(`${formatTokens(tokens)} tokens`);
  if (view.requester) parts.push(`asked by <@${view.requester}>`);
  return parts.join("  ·  ");
}

function planBlocks(todos: Todo[]): KnownBlock[] {
  const done = todos.filter((t) => t.status === "completed").length;
  const shown = todos.slice(0, MAX_TASK_CARDS);
  const plan = {
    type: "plan",
    title: `Plan · ${done}/${todos.length} done`,
    tasks: shown.map((t, i) => ({ type: "task_card", task_id: `todo-${i + 1}`, title: shorten(t.content, 150), status: cardStatus(t.status) })),
  } as unknown as KnownBlock;
  const blocks = [plan];
  if (todos.length > shown.length) blocks.push(section(`…and ${todos.length - shown.length} more`));
  return blocks;
}

function planSections(todos: Todo[]): KnownBlock[] {
  const done = todos.filter((t) => t.status === "completed").length;
  const lines = todos.map((t) => `${ICON[t.status]} ${t.status === "in_progress" ? `*${escapeMrkdwn(shorten(t.content, 150))}*` : t.status === "completed" ? `~${escapeMrkdwn(shorten(t.content, 150))}~` : escapeMrkdwn(shorten(t.content, 150))}`);
  const blocks: KnownBlock[] = [];
  let current = `*Plan* · ${done}/${todos.length} done`;
  for (const [i, line] of lines.entries()) {
    if (current.length + line.length + 1 > SECTION_LIMIT) {
      blocks.push(section(current));
      current = line;
      if (blocks.length >= 8) {
        if (i + 1 < lines.length) current += `\n…and ${lines.length - i - 1} more`;
        break;
      }
    } else current += `\n${line}`;
  }
  blocks.push(section(current));
  return blocks;
}

const ICON: Record<TodoStatus, string> = { pending: "◻️", in_progress: "▶️", completed: "✅" };

function cardStatus(status: TodoStatus): "pending" | "in_progress" | "complete" {
  return status === "completed" ? "complete" : status;
}

function cancelButton(taskId: string): KnownBlock {
  return {
    type: "actions",
    block_id: "deep_agent_controls",
    elements: [
      {
        type: "button",
        action_id: CANCEL_ACTION_ID,
        text: { type: "plain_text", text: "Cancel" },
        style: "danger",
        value: taskId,
        confirm: {
          title: { type: "plain_text", text: "Cancel this task?" },
          text: { type: "mrkdwn", text: "The agent stops at its next step." },
          confirm: { type: "plain_text", text: "Cancel task" },
          deny: { type: "plain_text", text: "Keep working" },
        },
      },
    ],
  };
}

function fallbackText(view: ProgressView, now: number): string {
  const done = view.todos.filter((t) => t.status === "completed").length;
  const plan = view.todos.length > 0 ? ` (${done}/${view.todos.length} steps done)` : "";
  const head: Record<ProgressView["phase"], string> = {
    queued: "Queued",
    running: "Working",
    retrying: "Working",
    waiting: "Waiting for approval",
    succeeded: "Done",
    failed: "Failed",
    cancelled: "Cancelled",
  };
  const elapsed = view.startedAt !== undefined ? ` · ${formatDuration((view.finishedAt ?? now) - view.startedAt)}` : "";
  return `${head[view.phase]}${plan}${elapsed}: ${escapeMrkdwn(shorten(view.text.replace(/\s+/g, " "), 150))}`;
}

function section(text: string): KnownBlock {
  return { type: "section", text: { type: "mrkdwn", text: shorten(text, SECTION_LIMIT) } };
}

export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  // Never cut between the two halves of a character outside the BMP (an emoji): a lone half is not text.
  const cut = /[\uD800-\uDBFF]/.test(text[max - 2] ?? "") ? max - 2 : max - 1;
  return `${text.slice(0, cut)}…`;
}
