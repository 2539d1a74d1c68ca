// Drives the Messages API double through the real @anthropic-ai/sdk, as the product will.
import assert from "node:assert/strict";
import { test } from "node:test";
import Anthropic, { AnthropicError, APIConnectionError, APIError, APIUserAbortError, BadRequestError, InternalServerError, RateLimitError } from "@anthropic-ai/sdk";
import type { MessageParam, Tool } from "@anthropic-ai/sdk/resources/messages";
import { inputTokens, lastToolResults, outputTokensOf, startMessagesApi, tokensOf, type MessagesApi, type MessagesApiOptions } from "./messages-api.ts";

const MODEL = "claude-double-test";
// A hang guard only; nothing here asserts on time.
const LIMIT = { timeout: 20_000 };

const readFileTool: Tool = {
  name: "read_file",
  description: "Read a file",
  input_schema: { type: "object", properties: { file_path: { type: "string" } }, required: ["file_path"] },
};

async function withApi(options: MessagesApiOptions, run: (api: MessagesApi, client: Anthropic) => Promise<void>): Promise<void> {
  const api = await startMessagesApi(options);
  const client = new Anthropic({ baseURL: api.baseURL, apiKey: "test", maxRetries: 0 });
  try {
    await run(api, client);
  } finally {
    await api.close();
  }
}

// Stands in for the agent's real tool: the answer must depend on what it returned.
function runTool(input: unknown): string {
  const path = (input as { file_path: string }).file_path;
  return `contents of ${path}: 42 — “ok” 🚀`;
}

test("a streamed tool_use round trip: the model's answer depends on the real tool result", LIMIT, async () => {
  const toolInput = { file_path: '/work/notes "draft".md', options: { lines: [1, 2, 3], unicode: "héllo 🚀" } };
  await withApi(
    {
      script: (req, ctx) => {
        if (ctx.call === 0) {
          assert.deepEqual(ctx.toolNames(), ["read_file"]);
          return { text: `Reading the file for: ${ctx.lastUserText()}`, toolCalls: [{ name: "read_file", input: toolInput }] };
        }
        const [result] = lastToolResults(req);
        return { text: `The tool ${result?.name} said: ${result?.content}` };
      },
    },
    async (api, client) => {
      const messages: MessageParam[] = [{ role: "user", content: "what is in my notes?" }];
      const tools = [readFileTool];
      const stream = client.messages.stream({ model: MODEL, max_tokens: 1000, messages, tools });
      let textDeltas = 0;
      let jsonDeltas = 0;
      stream.on("text", () => textDeltas++);
      stream.on("inputJson", () => jsonDeltas++);
      const first = await stream.finalMessage();

      assert.equal(first.stop_reason, "tool_use");
      assert.deepEqual(first.content[0], { type: "text", text: "Reading the file for: what is in my notes?" });
      const toolUse = first.content[1];
      assert.equal(toolUse?.type, "tool_use");
      if (toolUse?.type !== "tool_use") return;
      assert.equal(toolUse.name, "read_file");
      assert.deepEqual(toolUse.input, toolInput);
      assert.ok(textDeltas > 1, "text arrives in several deltas");
      assert.ok(jsonDeltas > 1, "tool input arrives in several deltas");

      messages.push({ role: "assistant", content: first.content });
      const result = { type: "tool_result" as const, tool_use_id: toolUse.id, content: runTool(toolUse.input) };
      messages.push({ role: "user", content: [result] });
      const second = await client.messages.stream({ model: MODEL, max_tokens: 1000, messages, tools }).finalMessage();

      assert.equal(second.stop_reason, "end_turn");
      assert.deepEqual(second.content, [{ type: "text", text: `The tool read_file said: ${runTool(toolInput)}` }]);
      assert.equal(second.usage.output_tokens, outputTokensOf({ text: `The tool read_file said: ${runTool(toolInput)}` }));
      assert.equal(second.usage.input_tokens, inputTokens(api.requests[1]!.body));
      assert.deepEqual(
        api.requests.map((r) => r.outcome.kind),
        ["message", "message"],
      );
      assert.deepEqual(lastToolResults(api.requests[1]!), [{ tool_use_id: toolUse.id, name: "read_file", content: runTool(toolInput), is_error: false }]);
    },
  );
});

test("a non-streaming create returns the same message shape with usage", LIMIT, async () => {
  const call = { name: "read_file", input: { file_path: "a.txt" } };
  await withApi({ script: [{ text: "Let me look.", toolCalls: [{ ...call, id: "toolu_fixed" }] }, { text: "Done." }] }, async (api, client) => {
    const messages: MessageParam[] = [{ role: "user", content: "read a.txt" }];
    const first = await client.messages.create({ model: MODEL, max_tokens: 100, messages, tools: [readFileTool] });
    assert.equal(first.stop_reason, "tool_use");
    assert.equal(first.model, MODEL);
    const toolUse = first.content.find((b) => b.type === "tool_use");
    assert.equal(toolUse?.id, "toolu_fixed");
    assert.deepEqual(toolUse?.input, { file_path: "a.txt" });
    assert.equal(first.usage.input_tokens, inputTokens(api.requests[0]!.body));
    assert.equal(first.usage.output_tokens, outputTokensOf({ text: "Let me look.", toolCalls: [call] }));

    messages.push({ role: "assistant", content: first.content });
    const failed = { type: "tool_result" as const, tool_use_id: "toolu_fixed", content: "hello", is_error: true };
    messages.push({ role: "user", content: [failed] });
    const second = await client.messages.create({ model: MODEL, max_tokens: 100, messages, tools: [readFileTool] });
    assert.deepEqual(
      second.content.map((b) => b.type === "text" && b.text),
      ["Done."],
    );
    assert.deepEqual(lastToolResults(api.requests[1]!), [{ tool_use_id: "toolu_fixed", name: "read_file", content: "hello", is_error: true }]);
    assert.equal(api.usageTotal().output_tokens, first.usage.output_tokens + second.usage.output_tokens);
  });
});

test("a 429 with retry-after reaches the SDK as a RateLimitError", LIMIT, async () => {
  await withApi({ script: [{ status: 429, retryAfter: 7 }] }, async (api, client) => {
    const error = await client.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: "user", content: "hi" }] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof RateLimitError, `expected RateLimitError, got ${String(error)}`);
    assert.equal(error.status, 429);
    assert.equal(error.type, "rate_limit_error");
    assert.equal(error.headers.get("retry-after"), "7");
    assert.deepEqual(api.requests[0]!.outcome, {
      kind: "http_error",
      status: 429,
      errorType: "rate_limit_error",
      message: "Number of request tokens has exceeded your per-minute rate limit",
      by: "script",
    });
  });
});

test("a stream dropped mid-way is an error in the SDK, not a short answer", LIMIT, async () => {
  const fullText = "a long answer that never finishes arriving";
  await withApi({ script: [{ dropAfterEvents: 4, then: { text: fullText } }, { dropAfterEvents: 0 }] }, async (api, client) => {
    const streamed = client.messages.stream({ model: MODEL, max_tokens: 100, messages: [{ role: "user", content: "hi" }] });
    let sawText = "";
    streamed.on("text", (_delta, snapshot) => (sawText = snapshot));
    // A network failure (with its cause), not an API error and not a stream that merely ended early.
    await assert.rejects(streamed.finalMessage(), (e: unknown) => e instanceof AnthropicError && !(e instanceof APIError) && e.cause instanceof Error);
    assert.ok(sawText.length > 0 && sawText.length < fullText.length, "part of the text arrived");
    assert.ok(fullText.startsWith(sawText));
    assert.deepEqual(api.requests[0]!.outcome, { kind: "dropped", streamed: true, afterEvents: 4 });

    await assert.rejects(client.messages.create({ model: MODEL, max_tokens: 100, messages: [{ role: "user", content: "hi" }] }), APIConnectionError);
  });
});

test("an SSE error frame surfaces as an APIError of that type", LIMIT, async () => {
  const script = [{ sseError: { type: "overloaded_error", message: "Overloaded" }, afterEvents: 3 }];
  await withApi({ script }, async (api, client) => {
    const error = await client.messages
      .stream({ model: MODEL, max_tokens: 100, messages: [{ role: "user", content: "hi" }] })
      .finalMessage()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(error instanceof APIError, `expected APIError, got ${String(error)}`);
    assert.equal(error.type, "overloaded_error");
    assert.equal(error.apiMessage, "Overloaded");
    assert.deepEqual(api.requests[0]!.outcome, { kind: "sse_error", errorType: "overloaded_error", afterEvents: 3 });
  });
});

test("prompt caching: a shared prefix is written once, then read", LIMIT, async () => {
  const cacheControl = { type: "ephemeral" as const };
  const system = [{ type: "text" as const, text: "You are a careful agent. ".repeat(20), cache_control: cacheControl }];
  const tools = [readFileTool];
  const userBlock = (text: string) => ({ type: "text" as const, text, cache_control: cacheControl });
  await withApi({ script: [{ text: "first" }, { text: "second" }, { text: "third" }] }, async (api, client) => {
    const first = await client.messages.stream({ model: MODEL, max_tokens: 100, system, tools, messages: [{ role: "user", content: [userBlock("question one")] }] }).finalMessage();
    const toolTokens = tokensOf(readFileTool);
    const systemTokens = tokensOf({ type: "text", text: system[0]!.text });
    const q1Tokens = tokensOf({ type: "text", text: "question one" });
    assert.equal(first.usage.cache_read_input_tokens, 0);
    assert.equal(first.usage.cache_creation_input_tokens, toolTokens + systemTokens + q1Tokens);
    assert.equal(first.usage.input_tokens, 0);

    // The breakpoint moves to the newest message; the earlier prefix is still found and read.
    const followUp: MessageParam[] = [
      { role: "user", content: [{ type: "text", text: "question one" }] },
      { role: "assistant", content: "first" },
      { role: "user", content: [userBlock("question two")] },
    ];
    const second = await client.messages.create({ model: MODEL, max_tokens: 100, system, tools, messages: followUp });
    const newTokens = tokensOf({ type: "text", text: "first" }) + tokensOf({ type: "text", text: "question two" });
    assert.equal(second.usage.cache_read_input_tokens, toolTokens + systemTokens + q1Tokens);
    assert.equal(second.usage.cache_creation_input_tokens, newTokens);
    assert.equal(second.usage.input_tokens, 0);
    assert.equal(api.usageTotal().cache_read_input_tokens, toolTokens + systemTokens + q1Tokens);

    // A changed system prompt changes every prefix after it: nothing is read, all is written anew.
    const changed = [{ ...system[0]!, text: "You are a different agent." }];
    const third = await client.messages.create({ model: MODEL, max_tokens: 100, system: changed, tools, messages: followUp });
    assert.equal(third.usage.cache_read_input_tokens, 0);
    assert.equal(third.usage.cache_creation_input_tokens, inputTokens(api.requests[2]!.body));

    const counted = await client.messages.countTokens({ model: MODEL, system, tools, messages: followUp });
    assert.equal(counted.input_tokens, toolTokens + systemTokens + q1Tokens + newTokens);
  });
});

test("a prompt over the context window gets the real API's 400 without consuming the script", LIMIT, async () => {
  await withApi({ script: [{ text: "fits" }], contextWindowTokens: 50 }, async (api, client) => {
    const error = await client.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: "user", content: "x".repeat(400) }] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof BadRequestError, `expected BadRequestError, got ${String(error)}`);
    assert.equal(error.type, "invalid_request_error");
    const tokens = inputTokens(api.requests[0]!.body);
    assert.equal(error.apiMessage, `prompt is too long: ${tokens} tokens > 50 maximum`);
    assert.equal(api.requests[0]!.reply, undefined);

    const ok = await client.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: "user", content: "short" }] });
    assert.deepEqual(
      ok.content.map((b) => b.type === "text" && b.text),
      ["fits"],
    );
  });
});

test("a request past the end of the script gets a 500 that says so", LIMIT, async () => {
  await withApi({ script: [] }, async (api, client) => {
    const error = await client.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: "user", content: "hi" }] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof InternalServerError, `expected InternalServerError, got ${String(error)}`);
    assert.match(error.message, /script exhausted/);
    assert.equal(api.requests[0]!.outcome.kind, "http_error");
  });
});

test("a tool_use left unanswered is rejected like the real API does", LIMIT, async () => {
  await withApi({ script: [{ text: "unreachable" }] }, async (_api, client) => {
    const messages: MessageParam[] = [
      { role: "user", content: "go" },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "read_file", input: {} }] },
      { role: "user", content: "and?" },
    ];
    await assert.rejects(
      client.messages.create({ model: MODEL, max_tokens: 10, messages, tools: [readFileTool] }),
      (e: unknown) => e instanceof BadRequestError && /tool_use` ids were found without `tool_result`/.test(e.message),
    );
  });
});

test("a delayed reply stops waiting when the client cancels", LIMIT, async () => {
  let scriptSignal: AbortSignal | undefined;
  let markCalled = () => {};
  const scriptCalled = new Promise<void>((resolve) => (markCalled = resolve));
  await withApi(
    {
      script: (_req, ctx) => {
        scriptSignal = ctx.signal;
        markCalled();
        return { text: "too late", delayMs: 60_000 };
      },
    },
    async (api, client) => {
      const controller = new AbortController();
      const pending = client.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: "user", content: "hi" }] }, { signal: controller.signal });
      await scriptCalled;
      controller.abort();
      await assert.rejects(pending, APIUserAbortError);
      await api.idle();
      assert.deepEqual(api.requests[0]!.outcome, { kind: "client_disconnected" });
      assert.equal(scriptSignal?.aborted, true);
    },
  );
});

test("max_tokens cuts the answer like the real model", LIMIT, async () => {
  const script = [{ text: "word ".repeat(100), toolCalls: [{ name: "read_file", input: {} }] }];
  await withApi({ script }, async (_api, client) => {
    const messages: MessageParam[] = [{ role: "user", content: "hi" }];
    const message = await client.messages.stream({ model: MODEL, max_tokens: 5, messages }).finalMessage();
    assert.equal(message.stop_reason, "max_tokens");
    assert.equal(message.usage.output_tokens, 5);
    assert.deepEqual(message.content, [{ type: "text", text: "word ".repeat(4) }]);
  });
});
