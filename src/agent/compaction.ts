// Keeps a long conversation inside the model's context window: first the contents of
// older tool results are dropped (the calls stay, so the model knows what it did), then,
// if that is not enough, the oldest turns are dropped between the task and the recent ones.
import type Anthropic from "@anthropic-ai/sdk";
import type { Message } from "./run-options.ts";

const DROPPED_PREFIX = "[output removed to save context";

export interface CompactionResult {
  messages: Message[];
  droppedResults: number;
  droppedMessages: number;
}

/** Replaces the content of tool results older than the last `keepRecent` user turns. */
export function dropOldToolResults(messages: readonly Message[], keepRecent: number): CompactionResult {
  const toolNames = new Map<string, string>();
  for (const m of messages) {
    if (m.role !== "assistant" || typeof m.content === "string") continue;
    for (const block of m.content) if (block.type === "tool_use") toolNames.set(block.id, block.name);
  }
  const userTurns = messages.map((m, i) => (m.role === "user" ? i : -1)).filter((i) => i >= 0);
  const cutoff = userTurns.length > keepRecent ? (userTurns[userTurns.length - keepRecent] ?? Infinity) : -1;
  let droppedResults = 0;
  const out = messages.map((m, i) => {
    if (i >= cutoff || m.role !== "user" || typeof m.content === "string") return m;
    let changed = false;
    const content = m.content.map((block) => {
      if (block.type !== "tool_result" || isDropped(block)) return block;
      changed = true;
      droppedResults++;
      const size = contentChars(block.content);
      const name = toolNames.get(block.tool_use_id) ?? "tool";
      return { ...block, content: `${DROPPED_PREFIX}: ${name} returned ${size} characters here; run it again if you need them]` };
    });
    return changed ? { ...m, content } : m;
  });
  return { messages: out, droppedResults, droppedMessages: 0 };
}

/** Drops whole turns after the first message, keeping the last `keepLast` messages. */
export function dropOldTurns(messages: readonly Message[], keepLast: number): CompactionResult {
  if (messages.length <= keepLast + 1) return { messages: [...messages], droppedResults: 0, droppedMessages: 0 };
  let start = messages.length - keepLast;
  // The kept tail must open with an assistant turn so every tool_result still follows its tool_use.
  while (start < messages.length && messages[start]?.role !== "assistant") start++;
  if (start >= messages.length) return { messages: [...messages], droppedResults: 0, droppedMessages: 0 };
  const first = messages[0]!;
  if (first.role !== "user") return { messages: [...messages], droppedResults: 0, droppedMessages: 0 };
  const dropped = start - 1;
  const note: Anthropic.TextBlockParam = { type: "text", text: `[${dropped} earlier messages of this task were removed to fit the context window; the work they did is in the sandbox]` };
  const firstContent: Anthropic.ContentBlockParam[] = typeof first.content === "string" ? [{ type: "text", text: first.content }] : first.content;
  return { messages: [{ role: "user", content: [...firstContent, note] }, ...messages.slice(start)], droppedResults: 0, droppedMessages: dropped };
}

function isDropped(block: Anthropic.ToolResultBlockParam): boolean {
  return typeof block.content === "string" && block.content.startsWith(DROPPED_PREFIX);
}

function contentChars(content: Anthropic.ToolResultBlockParam["content"]): number {
  if (content === undefined) return 0;
  if (typeof content === "string") return content.length;
  return content.reduce((n, b) => n + (b.type === "text" ? b.text.length : 1000), 0);
}

/** Estimates tokens from characters, calibrated by what the API last reported. */
export class TokenEstimator {
  private tokensPerChar = 1 / 3.5;

  calibrate(requestChars: number, reportedInputTokens: number): void {
    if (requestChars > 0 && reportedInputTokens > 0) this.tokensPerChar = reportedInputTokens / requestChars;
  }

  estimate(requestChars: number): number {
    return Math.ceil(requestChars * this.tokensPerChar);
  }
}
