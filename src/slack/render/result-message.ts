// A finished task's result message. The answer is standard Markdown, so it goes in Slack's
// `markdown` block (Slack renders it; up to 12,000 characters); a longer answer is summarised here
// and attached as a file. Under it: the footer, and feedback buttons (👍 / 👎). Where a workspace
// refuses those blocks, the older form: mrkdwn sections. Pure.
import type { types } from "@slack/bolt";
import { escapeMrkdwn, markdownToMrkdwn } from "./mrkdwn.ts";

type Block = types.KnownBlock;

export const FEEDBACK_ACTION_ID = "deep_agent_feedback";

/** The most a markdown block (and all markdown blocks of one message together) may hold. */
const MAX_MARKDOWN_CHARS = 12_000;
/** Longest answer the mrkdwn fallback shows inline. */
const MAX_SECTION_CHARS = 2_900;
const SUMMARY_CHARS = 600;

export interface ResultParts {
  taskId: string;
  /** Why it failed or was cancelled (mrkdwn), empty for a success. */
  headline: string;
  /** The answer as the agent wrote it (Markdown), secrets already scrubbed. */
  answer: string;
  footer: string;
  /** Whether to offer feedback buttons. */
  feedback: boolean;
  /** Blocks shown under the answer (what happened on the task's repository). */
  extra?: Block[];
}

export interface ResultMessage {
  text: string;
  blocks: Block[];
  /** The whole answer must go along as a file: the message shows only its beginning. */
  needsFile: boolean;
}

/** The message with the answer in a markdown block (or its summary, when it is too long). */
export function resultMessage(parts: ResultParts): ResultMessage {
  const answer = neutraliseMarkdown(parts.answer);
  const needsFile = answer.length > MAX_MARKDOWN_CHARS;
  const shown = needsFile ? `${summariseMarkdown(answer)}\n\n_The full answer is in the attached file._` : answer;
  const blocks: Block[] = [
    ...(parts.headline ? [section(parts.headline)] : []),
    ...(shown ? [{ type: "markdown", text: shown } as unknown as Block] : []),
    ...(parts.extra ?? []),
    { type: "context", elements: [{ type: "mrkdwn", text: parts.footer }] },
    ...(parts.feedback ? [feedbackBlock(parts.taskId)] : []),
  ];
  return { text: plainSummary(parts.headline, escapeMrkdwn(parts.answer)), blocks, needsFile };
}

/** The same in mrkdwn sections, for a workspace that refuses the markdown or feedback blocks. */
export function resultMessageAsSections(parts: ResultParts): ResultMessage {
  const body = parts.answer ? markdownToMrkdwn(parts.answer) : "";
  const needsFile = body.length + parts.headline.length > MAX_SECTION_CHARS;
  const shown = needsFile ? `${summariseMrkdwn(body)}\n\n_The full answer is in the attached file._` : body;
  const blocks: Block[] = [
    ...(parts.headline ? [section(parts.headline)] : []),
    ...(shown ? [section(shown)] : []),
    ...(parts.extra ?? []),
    { type: "context", elements: [{ type: "mrkdwn", text: parts.footer }] },
  ];
  return { text: plainSummary(parts.headline, escapeMrkdwn(parts.answer)), blocks, needsFile };
}

function feedbackBlock(taskId: string): Block {
  return {
    type: "context_actions",
    elements: [
      {
        type: "feedback_buttons",
        action_id: FEEDBACK_ACTION_ID,
        positive_button: { text: { type: "plain_text", text: "👍" }, accessibility_label: "This answer helped", value: `positive:${taskId}` },
        negative_button: { text: { type: "plain_text", text: "👎" }, accessibility_label: "This answer did not help", value: `negative:${taskId}` },
      },
    ],
  } as unknown as Block;
}

/**
 * The agent's Markdown, unable to ping or forge: Slack's own markup for @here/@channel/@everyone,
 * user groups and people (`<!here>`, `<@U…>`) is broken with a zero-width space so it shows as text.
 */
function neutraliseMarkdown(markdown: string): string {
  return markdown.replace(/<([!@#])/g, "<\u200b$1");
}

/** The first paragraphs of a long Markdown answer, cut at a paragraph or line end, code blocks closed. */
function summariseMarkdown(markdown: string): string {
  return cutAtLine(markdown, SUMMARY_CHARS);
}

function summariseMrkdwn(mrkdwn: string): string {
  return cutAtLine(mrkdwn, SUMMARY_CHARS);
}

function cutAtLine(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const at = Math.max(cut.lastIndexOf("\n\n"), cut.lastIndexOf("\n"));
  let summary = at > max / 3 ? cut.slice(0, at) : cut;
  if ((summary.match(/```/g)?.length ?? 0) % 2 === 1) summary += "\n```";
  return `${summary.trimEnd()}\n…`;
}

/** The notification text: the start of the answer on one line. */
function plainSummary(head: string, body: string): string {
  const text = `${head} ${body}`.trim().replace(/\s+/g, " ");
  return text.length > 300 ? `${text.slice(0, 299)}…` : text || "Done";
}

function section(text: string): Block {
  return { type: "section", text: { type: "mrkdwn", text: text.length <= 3000 ? text : `${text.slice(0, 2999)}…` } };
}
