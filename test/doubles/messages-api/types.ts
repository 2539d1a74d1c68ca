// Public types of the scripted Messages API double: what a script returns and what is recorded.
import type { IncomingHttpHeaders } from "node:http";
import type { MessagesRequest } from "./request-schema.ts";
import type { ToolResultView } from "./conversation.ts";

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "pause_turn" | "refusal" | "model_context_window_exceeded";

export interface ToolCallReply {
  name: string;
  input: unknown;
  /** Defaults to a deterministic `toolu_double_<request>_<n>`. */
  id?: string;
}

interface Timing {
  /** Wait this long before answering; the wait ends early if the client disconnects. */
  delayMs?: number;
}

/** A normal assistant message: a text block (when `text` is non-empty), then one tool_use block per call. */
export interface MessageReply extends Timing {
  text?: string;
  toolCalls?: ToolCallReply[];
  /** Defaults to "tool_use" when there are tool calls, else "end_turn". */
  stopReason?: StopReason;
  /** Pause between SSE frames, so a test can act while the stream is open. */
  eventDelayMs?: number;
}

/** An HTTP error in the Anthropic error shape. */
export interface HttpErrorReply extends Timing {
  status: number;
  /** Seconds; sent as the `retry-after` header. */
  retryAfter?: number;
  /** Defaults from the status: 429 rate_limit_error, 529 overloaded_error, 500 api_error, 400 invalid_request_error… */
  errorType?: string;
  message?: string;
  headers?: Record<string, string>;
}

/** The connection is destroyed after `dropAfterEvents` SSE frames (at once for a non-streaming request). */
export interface DropReply extends Timing {
  dropAfterEvents: number;
  /** The message whose first frames are sent before the drop; a short text when absent. */
  then?: MessageReply;
}

/** An `event: error` frame after `afterEvents` frames (default 1: just message_start); the stream then ends. */
export interface SseErrorReply extends Timing {
  sseError: { type: string; message: string };
  afterEvents?: number;
  /** The message whose first frames precede the error; a short text when absent. */
  then?: MessageReply;
}

export type Reply = MessageReply | HttpErrorReply | DropReply | SseErrorReply;

export interface InputUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

export interface MessageUsage extends InputUsage {
  output_tokens: number;
}

/** What the client actually got. `by: "double"` marks errors the double raised itself (not scripted). */
export type Outcome =
  | { kind: "pending" }
  | { kind: "message"; streamed: boolean; stopReason: StopReason; usage: MessageUsage }
  | { kind: "http_error"; status: number; errorType: string; message: string; by: "script" | "double" }
  | { kind: "dropped"; streamed: boolean; afterEvents: number }
  | { kind: "sse_error"; errorType: string; afterEvents: number }
  | { kind: "client_disconnected" };

export interface RecordedRequest {
  /** Arrival order among well-formed POST /v1/messages requests, from 0. */
  index: number;
  body: MessagesRequest;
  headers: IncomingHttpHeaders;
  /** performance.now() in the double's process when the body had arrived in full, before the double checked it. */
  receivedAt: number;
  /** What the script returned; absent when the double answered on its own (e.g. prompt too long). */
  reply?: Reply;
  outcome: Outcome;
}

export interface ScriptContext {
  /** Index of this script call, from 0 (requests the double rejects itself don't call the script). */
  call: number;
  /** Requests received before this one. */
  previous: readonly RecordedRequest[];
  /** Aborted when the client disconnects or the server closes. */
  signal: AbortSignal;
  lastToolResults(): ToolResultView[];
  lastUserText(): string;
  toolNames(): string[];
}

export type ScriptFn = (req: RecordedRequest, ctx: ScriptContext) => Reply | Promise<Reply>;
export type Script = ScriptFn | readonly Reply[];
