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

/** Every block of a progress card has a block_id starting with this: the thread reader leaves cards out by it. */
export const CARD_BLOCK_PREFIX = "deep_agent_card";

export interface SlackMessagePayload {
  text: string;
  blocks: types.KnownBlock[];
}

export type PlanStyle = "plan_blocks" | "sections";

const SECTION_LIMIT = 2900;
/** A text object holds at most 3,000 characters. */
const TEXT_OBJECT_LIMIT = 3000;
const MAX_TASK_CARDS = 40;
const MAX_PLAN_SECTIONS = 8;

export function renderProgress(view: ProgressView, style: PlanStyle, now: number): SlackMessagePayload {
  const blocks: KnownBlock[] = [section(statusLine(view, now))];
  const failed = view.phase === "failed" || view.phase === "cancelled";
  if (view.todos.length > 0) blocks.push(...(style === "plan_blocks" ? planBlocks(view.todos, failed) : planSections(view.todos, failed)));
  const context = contextLine(view);
  if (context) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: shorten(context, TEXT_OBJECT_LIMIT) }] });
  if (!isFinal(view.phase)) blocks.push(cancelButton(view.taskId));
  return { text: fallbackText(view, now), blocks };
}

let stamps = 0;

/**
 * The payload with a block_id on every block that no earlier version of any card used (Slack asks
 * for a new block_id each time a message is updated), all starting with CARD_BLOCK_PREFIX.
 */
export function stampBlocks(payload: SlackMessagePayload): SlackMessagePayload {
  const stamp = `${Date.now().toString(36)}${(stamps++).toString(36)}`;
  return { text: payload.text, blocks: payload.blocks.map((b, i) => ({ ...b, block_id: `${CARD_BLOCK_PREFIX}.${stamp}.${i}` }) as KnownBlock) };
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
  if (view.outcome) parts.push(escapeKeepingMentions(shorten(view.outcome, 500)));
  const tokens = view.usage.input_tokens + view.usage.cache_read_input_tokens + view.usage.cache_creation_input_tokens + view.usage.output_tokens;
  if (tokens > 0) parts.push(`${formatTokens(tokens)} tokens`);
  if (view.requester) parts.push(`asked by <@${view.requester}>`);
  if (view.transcriptUrl) parts.push(transcriptLink(view.transcriptUrl));
  return parts.join("  ·  ");
}

function planBlocks(todos: Todo[], failed: boolean): KnownBlock[] {
  const done = todos.filter((t) => t.status === "completed").length;
  const shown = todos.slice(0, MAX_TASK_CARDS);
  const plan = {
    type: "plan",
    title: `Plan · ${done}/${todos.length} done`,
    tasks: shown.map((t, i) => ({ type: "task_card", task_id: `todo-${i + 1}`, title: shorten(t.content, 150), status: cardStatus(t.status, failed) })),
  } as unknown as KnownBlock;
  const blocks = [plan];
  if (todos.length > shown.length) blocks.push(section(`…and ${todos.length - shown.length} more`));
  return blocks;
}

function planSections(todos: Todo[], failed: boolean): KnownBlock[] {
  const done = todos.filter((t) => t.status === "completed").length;
  const lines = todos.map((t) => {
    const text = escapeMrkdwn(shorten(t.content, 150));
    const icon = failed && t.status !== "completed" ? "⚠️" : ICON[t.status];
    return `${icon} ${t.status === "in_progress" ? `*${text}*` : t.status === "completed" ? `~${text}~` : text}`;
  });
  const blocks: KnownBlock[] = [];
  let current = `*Plan* · ${done}/${todos.length} done`;
  let shown = 0;
  for (const line of lines) {
    // Each section keeps room for the "…and N more" line.
    if (current.length + line.length + 1 > SECTION_LIMIT - 40) {
      if (blocks.length + 1 >= MAX_PLAN_SECTIONS) break;
      blocks.push(section(current));
      current = line;
    } else current += `\n${line}`;
    shown++;
  }
  if (shown < lines.length) current += `\n…and ${lines.length - shown} more`;
  blocks.push(section(current));
  return blocks;
}

const ICON: Record<TodoStatus, string> = { pending: "◻️", in_progress: "▶️", completed: "✅" };

/** A task card's status; a failed or cancelled task's unfinished items show as errors. */
function cardStatus(status: TodoStatus, failed: boolean): "pending" | "in_progress" | "complete" | "error" {
  if (status === "completed") return "complete";
  return failed ? "error" : status;
}

/** Escaped for mrkdwn, except the user mentions our own words put in (who cancelled). */
function escapeKeepingMentions(text: string): string {
  return escapeMrkdwn(text).replace(/&lt;@([UW][A-Z0-9]{2,20})&gt;/g, "<@$1>");
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

/** The link to a task's transcript page, as the card and the result show it. */
export function transcriptLink(url: string): string {
  return `<${url}|Transcript>`;
}
