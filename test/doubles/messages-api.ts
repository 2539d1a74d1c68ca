// A scripted Claude Messages API on loopback, for driving the real @anthropic-ai/sdk in tests.
// Each POST /v1/messages is answered by the test's script (text, tool calls, HTTP errors, dropped
// streams, SSE error frames), with honest token usage and a prompt-cache simulation.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { z } from "zod";
import { lastToolResults, lastUserText, toolNames } from "./messages-api/conversation.ts";
import { conversationProblem } from "./messages-api/conversation-rules.ts";
import { readBody, sendJson } from "./messages-api/http.ts";
import { CountTokensRequestSchema, describeZodError, MessagesRequestSchema, type CountTokensRequest, type MessagesRequest } from "./messages-api/request-schema.ts";
import { errorBody } from "./messages-api/response.ts";
import { sendApiError, serveReply } from "./messages-api/serve-reply.ts";
import { breakpointCount, createPromptCache, inputTokens, sumUsage } from "./messages-api/tokens.ts";
import type { MessageUsage, RecordedRequest, Reply, Script, ScriptContext } from "./messages-api/types.ts";

export type * from "./messages-api/types.ts";
export type { CountTokensRequest } from "./messages-api/request-schema.ts";
export { lastToolResults, lastUserText } from "./messages-api/conversation.ts";
export { inputTokens, tokensOf } from "./messages-api/tokens.ts";
export { outputTokensOf } from "./messages-api/response.ts";

export interface MessagesApiOptions {
  script: Script;
  /** When set, a request whose input exceeds it gets the real API's "prompt is too long" 400. */
  contextWindowTokens?: number;
}

export interface RejectedRequest {
  path: string;
  /** The body as received: parsed JSON, or the raw text when it was not JSON. */
  raw: unknown;
  message: string;
}

export interface MessagesApi {
  baseURL: string;
  /** Every well-formed POST /v1/messages, in arrival order, with what it got. */
  requests: RecordedRequest[];
  /** Bodies that were not valid requests at all (answered 400 before reaching the script). */
  rejected: RejectedRequest[];
  countTokensRequests: CountTokensRequest[];
  /** Sum of the usage of every message delivered in full. */
  usageTotal(): MessageUsage;
  /** Forget every cache entry, as if they had all expired. */
  clearCache(): void;
  /** Resolves once no request is being handled. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startMessagesApi(options: MessagesApiOptions): Promise<MessagesApi> {
  const requests: RecordedRequest[] = [];
  const rejected: RejectedRequest[] = [];
  const countTokensRequests: CountTokensRequest[] = [];
  const cache = createPromptCache();
  const closing = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let scriptCalls = 0;
  let requestCounter = 0;

  /** The body, checked against `schema`, and when it had arrived in full (before the double's own checks). */
  async function parseBody<S extends z.ZodType>(req: IncomingMessage, res: ServerResponse, schema: S, requestId: string): Promise<{ value: z.infer<S>; receivedAt: number } | undefined> {
    const path = req.url ?? "";
    const text = await readBody(req);
    const receivedAt = performance.now();
    let raw: unknown = text;
    let message: string;
    try {
      raw = JSON.parse(text);
      const parsed = schema.safeParse(raw);
      if (parsed.success) return { value: parsed.data, receivedAt };
      message = describeZodError(parsed.error);
    } catch {
      message = "There was an issue with the request body: it is not valid JSON";
    }
    rejected.push({ path, raw, message });
    sendApiError({ res, requestId }, 400, "invalid_request_error", message, "double");
    return undefined;
  }

  // The checks the real API makes before any model runs; the script is not consulted for these.
  function ownRejection(body: CountTokensRequest, checkWindow: boolean): string | undefined {
    const problem = conversationProblem(body);
    if (problem) return problem;
    const breakpoints = breakpointCount(body);
    if (breakpoints > 4) return `A maximum of 4 blocks with cache_control may be provided. Found ${breakpoints}.`;
    const tokens = inputTokens(body);
    const limit = options.contextWindowTokens;
    if (checkWindow && limit !== undefined && tokens > limit) {
      return `prompt is too long: ${tokens} tokens > ${limit} maximum`;
    }
    return undefined;
  }

  async function scriptReply(record: RecordedRequest, signal: AbortSignal): Promise<Reply | { failure: string }> {
    const call = scriptCalls++;
    const { script } = options;
    if (typeof script !== "function") {
      const reply = script[call];
      const failure = `messages-api double: script exhausted: request #${record.index} (script call #${call}) ` + `has no reply; the script has ${script.length}`;
      return reply ?? { failure };
    }
    const ctx: ScriptContext = {
      call,
      previous: requests.slice(0, record.index),
      signal,
      lastToolResults: () => lastToolResults(record),
      lastUserText: () => lastUserText(record),
      toolNames: () => toolNames(record),
    };
    try {
      return await script(record, ctx);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { failure: `messages-api double: script threw on request #${record.index}: ${reason}` };
    }
  }

  async function handleMessages(req: IncomingMessage, res: ServerResponse, requestId: string, signal: AbortSignal): Promise<void> {
    const parsed = await parseBody(req, res, MessagesRequestSchema, requestId);
    if (!parsed) return;
    const body: MessagesRequest = parsed.value;
    const record: RecordedRequest = { index: requests.length, body, headers: req.headers, receivedAt: parsed.receivedAt, outcome: { kind: "pending" } };
    requests.push(record);
    const problem = ownRejection(body, true);
    if (problem) {
      record.outcome = sendApiError({ res, requestId }, 400, "invalid_request_error", problem, "double");
      return;
    }
    const reply = await scriptReply(record, signal);
    if ("failure" in reply) {
      record.outcome = sendApiError({ res, requestId }, 500, "api_error", reply.failure, "double");
      return;
    }
    record.reply = reply;
    if (signal.aborted) {
      record.outcome = { kind: "client_disconnected" };
      return;
    }
    record.outcome = await serveReply(reply, { res, body, requestIndex: record.index, requestId, signal, cache });
  }

  async function handleCountTokens(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const parsed = await parseBody(req, res, CountTokensRequestSchema, requestId);
    if (!parsed) return;
    const body: CountTokensRequest = parsed.value;
    countTokensRequests.push(body);
    const problem = ownRejection(body, false);
    if (problem) sendApiError({ res, requestId }, 400, "invalid_request_error", problem, "double");
    else sendJson(res, 200, { input_tokens: inputTokens(body) }, { "request-id": requestId });
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = `req_double_${requestCounter++}`;
    const clientGone = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) clientGone.abort();
    });
    const signal = AbortSignal.any([clientGone.signal, closing.signal]);
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (req.method === "POST" && path === "/v1/messages") return handleMessages(req, res, requestId, signal);
    if (req.method === "POST" && path === "/v1/messages/count_tokens") return handleCountTokens(req, res, requestId);
    await readBody(req);
    sendJson(res, 404, errorBody("not_found_error", `messages-api double: no route for ${req.method} ${path}`, requestId));
  }

  const server = createServer((req, res) => {
    const handling = route(req, res).catch((error: unknown) => {
      // A bug in the double itself: say so loudly rather than hang the client.
      const message = `messages-api double failed: ${error instanceof Error ? error.stack : String(error)}`;
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, errorBody("api_error", message, "req_double_internal"));
    });
    inFlight.add(handling);
    void handling.finally(() => inFlight.delete(handling));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}`,
    requests,
    rejected,
    countTokensRequests,
    usageTotal: () => sumUsage(requests.flatMap(({ outcome }) => (outcome.kind === "message" ? [outcome.usage] : []))),
    clearCache: () => cache.clear(),
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    async close() {
      closing.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...inFlight]);
    },
  };
}
