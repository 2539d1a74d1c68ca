// Wire shapes of the double's answers: the assistant message as JSON or as SSE frames, and errors.
import { tokensForChars } from "./tokens.ts";
import type { InputUsage, MessageReply, MessageUsage, StopReason } from "./types.ts";

type OutputBlock = { type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: unknown };

export interface AssistantTurn {
  content: OutputBlock[];
  stopReason: StopReason;
  outputTokens: number;
}

/** Output tokens: ceil(chars / 4) of the text plus each tool input's JSON. */
export function outputTokensOf(reply: Pick<MessageReply, "text" | "toolCalls">): number {
  const toolChars = (reply.toolCalls ?? []).reduce((n, c) => n + JSON.stringify(c.input ?? {}).length, 0);
  return tokensForChars((reply.text ?? "").length + toolChars);
}

/** The message a reply stands for; cut at max_tokens like the real model (tool calls dropped). */
export function assistantTurn(reply: MessageReply, maxTokens: number, requestIndex: number): AssistantTurn {
  let text = reply.text ?? "";
  let toolCalls = reply.toolCalls ?? [];
  let stopReason: StopReason = reply.stopReason ?? (toolCalls.length > 0 ? "tool_use" : "end_turn");
  if (outputTokensOf({ text, toolCalls }) > maxTokens) {
    text = cutToChars(text, maxTokens * 4);
    toolCalls = [];
    stopReason = "max_tokens";
  }
  const content: OutputBlock[] = [];
  if (text !== "") content.push({ type: "text", text });
  toolCalls.forEach((call, n) => {
    const id = call.id ?? `toolu_double_${requestIndex}_${n}`;
    content.push({ type: "tool_use", id, name: call.name, input: call.input ?? {} });
  });
  return { content, stopReason, outputTokens: outputTokensOf({ text, toolCalls }) };
}

// Whole code points only, so the cut never splits a surrogate pair.
function cutToChars(text: string, limit: number): string {
  let out = "";
  for (const ch of text) {
    if (out.length + ch.length > limit) break;
    out += ch;
  }
  return out;
}

function wireBlock(block: OutputBlock): Record<string, unknown> {
  return block.type === "text" ? { ...block, citations: null } : { ...block, caller: { type: "direct" } };
}

export function messageJson(id: string, model: string, turn: AssistantTurn, usage: MessageUsage): unknown {
  return {
    id,
    type: "message",
    role: "assistant",
    model,
    content: turn.content.map(wireBlock),
    stop_reason: turn.stopReason,
    stop_sequence: null,
    stop_details: null,
    container: null,
    usage: { ...usage, service_tier: "standard" },
  };
}

export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Several pieces (by code point), so the client's accumulation is really exercised. */
function splitIntoChunks(text: string): string[] {
  const chars = Array.from(text);
  const size = Math.min(40, Math.max(1, Math.ceil(chars.length / 3)));
  const chunks: string[] = [];
  for (let i = 0; i < chars.length; i += size) chunks.push(chars.slice(i, i + size).join(""));
  return chunks;
}

/** Every SSE frame of a streamed message, in the order the real API sends them. */
export function messageFrames(id: string, model: string, turn: AssistantTurn, input: InputUsage): string[] {
  const frames: string[] = [];
  // message_start carries the input side; its output count is a placeholder, as on the real API.
  const startUsage = { ...input, output_tokens: Math.min(1, turn.outputTokens), service_tier: "standard" };
  const start = {
    id,
    type: "message",
    role: "assistant",
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    stop_details: null,
    container: null,
    usage: startUsage,
  };
  frames.push(sseFrame("message_start", { type: "message_start", message: start }));
  frames.push(sseFrame("ping", { type: "ping" }));
  turn.content.forEach((block, index) => {
    const opening = block.type === "text" ? { type: "text", text: "" } : { ...wireBlock(block), input: {} };
    frames.push(sseFrame("content_block_start", { type: "content_block_start", index, content_block: opening }));
    // Tool input opens with an empty partial_json, as the real API's does.
    const deltas =
      block.type === "text"
        ? splitIntoChunks(block.text).map((text) => ({ type: "text_delta", text }))
        : ["", ...splitIntoChunks(JSON.stringify(block.input))].map((partial_json) => ({
            type: "input_json_delta",
            partial_json,
          }));
    for (const delta of deltas) frames.push(sseFrame("content_block_delta", { type: "content_block_delta", index, delta }));
    frames.push(sseFrame("content_block_stop", { type: "content_block_stop", index }));
  });
  const { cache_creation: _, ...inputCounts } = input;
  frames.push(
    sseFrame("message_delta", {
      type: "message_delta",
      delta: { stop_reason: turn.stopReason, stop_sequence: null, stop_details: null },
      usage: { ...inputCounts, output_tokens: turn.outputTokens },
    }),
  );
  frames.push(sseFrame("message_stop", { type: "message_stop" }));
  return frames;
}

const ERROR_TYPE_BY_STATUS: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

const DEFAULT_MESSAGE_BY_TYPE: Record<string, string> = {
  rate_limit_error: "Number of request tokens has exceeded your per-minute rate limit",
  overloaded_error: "Overloaded",
  api_error: "Internal server error",
  authentication_error: "invalid x-api-key",
};

export function errorTypeForStatus(status: number): string {
  return ERROR_TYPE_BY_STATUS[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

export function statusForErrorType(type: string): number {
  const found = Object.entries(ERROR_TYPE_BY_STATUS).find(([, t]) => t === type);
  return found ? Number(found[0]) : 500;
}

export function defaultErrorMessage(type: string): string {
  return DEFAULT_MESSAGE_BY_TYPE[type] ?? "Error";
}

export function errorBody(type: string, message: string, requestId: string): unknown {
  return { type: "error", error: { type, message }, request_id: requestId };
}
