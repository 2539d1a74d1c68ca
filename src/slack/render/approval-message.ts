// The approval request in a task's thread: what the agent wants to do (the tool and its input in
// a code block, cut to fit) or how much it has spent, and two buttons whose value is the request's
// id; once decided, the same message without buttons, saying who decided. Pure.
import type { types } from "@slack/bolt";
import type { Approval, ApprovalStatus } from "../../store/approval-repo.ts";
import { parseActor } from "../../tasks/actor.ts";
import { durationWords } from "../../tasks/approval-policy.ts";
import { formatLimitUsd } from "../../tasks/pricing.ts";
import { NUL_SYMBOL, withVisibleNuls } from "../../shared/visible-text.ts";
import { escapeMrkdwn } from "./mrkdwn.ts";
import type { SlackMessagePayload } from "./progress-card.ts";

type KnownBlock = types.KnownBlock;

export const APPROVE_ACTION_ID = "deep_agent_approve";
export const DENY_ACTION_ID = "deep_agent_deny";

/** What the message shows of a request: stored or about to be. */
export type ApprovalView = Pick<Approval, "id" | "taskId" | "kind" | "tool" | "input" | "rule" | "summary"> & {
  status: ApprovalStatus;
  decidedBy?: string | null;
  /** The person who asked for the task (may decide, with admins). */
  requester?: string;
  timeoutSeconds: number;
};

const INPUT_CHARS = 2500;
const SECTION_CHARS = 2900;

/** `scrub` takes configured secrets out before the input is cut (a cut secret would slip past it). */
export function renderApproval(view: ApprovalView, scrub: (text: string) => string): SlackMessagePayload {
  const blocks: KnownBlock[] = [section(headline(view))];
  if (view.kind === "tool") blocks.push(section(codeBlock(withVisibleNuls(scrub(inputText(view.tool, view.input))))));
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: contextLine(view) }] });
  if (view.status === "pending") blocks.push(buttons(view));
  else blocks.push(section(outcome(view)));
  const what = escapeMrkdwn(cut(scrub(view.summary).replaceAll("\0", NUL_SYMBOL), 300));
  return { text: view.status === "pending" ? `Approval needed: ${what}` : `${plainOutcome(view)}: ${what}`, blocks };
}

function headline(view: ApprovalView): string {
  if (view.kind === "budget") {
    const spent = formatLimitUsd(numberIn(view.input, "spent_usd"));
    const limit = formatLimitUsd(numberIn(view.input, "limit_usd"));
    return `💸 *Spending limit reached* — this task has spent ≈${spent} (its limit is ${limit}, estimated). Should it go on?`;
  }
  return `✋ *Approval needed* — the agent wants to use \`${escapeMrkdwn(view.tool ?? "a tool")}\`:`;
}

function contextLine(view: ApprovalView): string {
  const parts = [`task \`${view.taskId.slice(0, 8)}\``];
  if (view.rule) parts.push(`rule \`${escapeMrkdwn(view.rule)}\``);
  if (view.status === "pending") {
    const who = view.requester ? `<@${view.requester}>` : "the person who asked";
    parts.push(`${who} or an admin can decide`);
    parts.push(`${view.kind === "budget" ? "it stops" : "it counts as denied"} if no one decides within ${durationWords(view.timeoutSeconds)}`);
  }
  return parts.join("  ·  ");
}

function buttons(view: ApprovalView): KnownBlock {
  const step = formatLimitUsd(numberIn(view.input, "step_usd"));
  return {
    type: "actions",
    block_id: "deep_agent_approval",
    elements: [
      {
        type: "button",
        action_id: APPROVE_ACTION_ID,
        style: "primary",
        text: { type: "plain_text", text: view.kind === "budget" ? `Continue (another ${step})` : "Approve" },
        value: view.id,
      },
      {
        type: "button",
        action_id: DENY_ACTION_ID,
        style: "danger",
        text: { type: "plain_text", text: view.kind === "budget" ? "Stop" : "Deny" },
        value: view.id,
      },
    ],
  };
}

function outcome(view: ApprovalView): string {
  const by = decider(view.decidedBy);
  switch (view.status) {
    case "approved":
      return view.kind === "budget" ? `✅ *Approved by ${by}*: it goes on (another ${formatLimitUsd(numberIn(view.input, "step_usd"))}).` : `✅ *Approved by ${by}*`;
    case "denied":
      return view.kind === "budget" ? `🛑 *Denied by ${by}*: the task stops.` : `🚫 *Denied by ${by}*: the agent goes on without it.`;
    case "timed_out":
      return view.kind === "budget"
        ? `⌛ *Timed out*: no one decided within ${durationWords(view.timeoutSeconds)}, so the task stops.`
        : `⌛ *Timed out*: no one decided within ${durationWords(view.timeoutSeconds)}, so it was not run.`;
    case "withdrawn":
      return "_No longer needed: the task ended before anyone decided._";
    case "pending":
      return "";
  }
}

function plainOutcome(view: ApprovalView): string {
  const by = decider(view.decidedBy);
  const words: Record<ApprovalStatus, string> = {
    pending: "Approval needed",
    approved: `Approved by ${by}`,
    denied: `Denied by ${by}`,
    timed_out: "Timed out",
    withdrawn: "No longer needed",
  };
  return words[view.status];
}

function decider(actorKey: string | null | undefined): string {
  const actor = actorKey ? parseActor(actorKey) : null;
  if (actor?.kind === "slack") return `<@${actor.userId}>`;
  if (actor?.kind === "cli") return `${escapeMrkdwn(actor.login)} (command line)`;
  return "someone";
}

/** The command itself for `execute`, the input as JSON for anything else. */
function inputText(tool: string | null, input: Record<string, unknown>): string {
  if (tool === "execute" && typeof input["command"] === "string") return input["command"];
  return JSON.stringify(input, null, 2);
}

/** A code block that stays one (the text cannot close it early), escaped, cut to fit a section. */
function codeBlock(text: string): string {
  const safe = text.replaceAll("```", "`\u200b``");
  let max = INPUT_CHARS;
  let body = escapeMrkdwn(cut(safe, max));
  // Escaping lengthens text (& → &amp;): cut harder until the block fits Slack's 3000 characters.
  while (body.length > SECTION_CHARS && max > 100) {
    max = Math.floor(max * 0.7);
    body = escapeMrkdwn(cut(safe, max));
  }
  return `\`\`\`\n${body}\n\`\`\``;
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n…(${text.length - max} more characters not shown)`;
}

function numberIn(input: Record<string, unknown>, key: string): number {
  const value = input[key];
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

function section(text: string): KnownBlock {
  return { type: "section", text: { type: "mrkdwn", text } };
}
