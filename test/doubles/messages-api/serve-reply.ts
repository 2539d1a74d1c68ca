// Turns one scripted Reply into what goes on the wire, and reports what the client got.
import type { ServerResponse } from "node:http";
import { pause, sendJson, startSse, writeFrame } from "./http.ts";
import type { MessagesRequest } from "./request-schema.ts";
import { assistantTurn, defaultErrorMessage, errorBody, errorTypeForStatus, messageFrames, messageJson, sseFrame, statusForErrorType } from "./response.ts";
import type { PromptCache } from "./tokens.ts";
import type { DropReply, HttpErrorReply, MessageReply, Outcome, Reply, SseErrorReply } from "./types.ts";

export interface ServeContext {
  res: ServerResponse;
  body: MessagesRequest;
  requestIndex: number;
  requestId: string;
  signal: AbortSignal;
  cache: PromptCache;
}

const DISCONNECTED: Outcome = { kind: "client_disconnected" };
const PARTIAL_DEFAULT: MessageReply = { text: "This answer is cut off before it ends." };

export async function serveReply(reply: Reply, ctx: ServeContext): Promise<Outcome> {
  if (reply.delayMs && !(await pause(reply.delayMs, ctx.signal))) return DISCONNECTED;
  if ("status" in reply) return serveHttpError(reply, ctx);
  if ("dropAfterEvents" in reply) return serveDrop(reply, ctx);
  if ("sseError" in reply) return serveSseError(reply, ctx);
  return serveMessage(reply, ctx);
}

export function sendApiError(
  ctx: Pick<ServeContext, "res" | "requestId">,
  status: number,
  errorType: string,
  message: string,
  by: "script" | "double",
  headers: Record<string, string> = {},
): Outcome {
  sendJson(ctx.res, status, errorBody(errorType, message, ctx.requestId), { "request-id": ctx.requestId, ...headers });
  return { kind: "http_error", status, errorType, message, by };
}

function serveHttpError(reply: HttpErrorReply, ctx: ServeContext): Outcome {
  const errorType = reply.errorType ?? errorTypeForStatus(reply.status);
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.retryAfter !== undefined) headers["retry-after"] = String(reply.retryAfter);
  return sendApiError(ctx, reply.status, errorType, reply.message ?? defaultErrorMessage(errorType), "script", headers);
}

/** The frames of a streamed message, started on the wire; the prompt cache is written as it starts. */
function openStream(message: MessageReply, ctx: ServeContext, writeCache: boolean): string[] {
  const { usage, commit } = ctx.cache.measure(ctx.body);
  const turn = assistantTurn(message, ctx.body.max_tokens, ctx.requestIndex);
  startSse(ctx.res, { "request-id": ctx.requestId });
  if (writeCache) commit();
  return messageFrames(`msg_double_${ctx.requestIndex}`, ctx.body.model, turn, usage);
}

async function sendFrames(frames: string[], eventDelayMs: number, ctx: ServeContext): Promise<boolean> {
  for (const [i, frame] of frames.entries()) {
    if (i > 0 && eventDelayMs > 0 && !(await pause(eventDelayMs, ctx.signal))) return false;
    if (!(await writeFrame(ctx.res, frame, ctx.signal))) return false;
  }
  return true;
}

async function serveMessage(reply: MessageReply, ctx: ServeContext): Promise<Outcome> {
  const { usage: input, commit } = ctx.cache.measure(ctx.body);
  const turn = assistantTurn(reply, ctx.body.max_tokens, ctx.requestIndex);
  const usage = { ...input, output_tokens: turn.outputTokens };
  const id = `msg_double_${ctx.requestIndex}`;
  if (ctx.body.stream !== true) {
    commit();
    sendJson(ctx.res, 200, messageJson(id, ctx.body.model, turn, usage), { "request-id": ctx.requestId });
    return { kind: "message", streamed: false, stopReason: turn.stopReason, usage };
  }
  const frames = openStream(reply, ctx, true);
  if (!(await sendFrames(frames, reply.eventDelayMs ?? 0, ctx))) return DISCONNECTED;
  ctx.res.end();
  return { kind: "message", streamed: true, stopReason: turn.stopReason, usage };
}

async function serveDrop(reply: DropReply, ctx: ServeContext): Promise<Outcome> {
  if (ctx.body.stream !== true) {
    ctx.res.destroy();
    return { kind: "dropped", streamed: false, afterEvents: 0 };
  }
  const message = reply.then ?? PARTIAL_DEFAULT;
  const frames = openStream(message, ctx, reply.dropAfterEvents > 0).slice(0, reply.dropAfterEvents);
  if (!(await sendFrames(frames, message.eventDelayMs ?? 0, ctx))) return DISCONNECTED;
  // Destroyed without the closing chunk, so the client sees a connection cut mid-body.
  ctx.res.destroy();
  return { kind: "dropped", streamed: true, afterEvents: frames.length };
}

async function serveSseError(reply: SseErrorReply, ctx: ServeContext): Promise<Outcome> {
  const { type, message } = reply.sseError;
  if (ctx.body.stream !== true) return sendApiError(ctx, statusForErrorType(type), type, message, "script");
  const afterEvents = reply.afterEvents ?? 1;
  const partial = reply.then ?? PARTIAL_DEFAULT;
  const frames = openStream(partial, ctx, afterEvents > 0).slice(0, afterEvents);
  frames.push(sseFrame("error", errorBody(type, message, ctx.requestId)));
  if (!(await sendFrames(frames, partial.eventDelayMs ?? 0, ctx))) return DISCONNECTED;
  ctx.res.end();
  return { kind: "sse_error", errorType: type, afterEvents: frames.length - 1 };
}
