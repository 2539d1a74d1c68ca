import { test } from "node:test";
import assert from "node:assert/strict";
import { failureLine } from "../../src/cli/failure-words.ts";
import { agentFixture } from "../helpers/agent-fixture.ts";
import { waitFor } from "../helpers/wait-for.ts";
import type { Reply, ScriptFn } from "../doubles/messages-api.ts";

const tool = (name: string, input: unknown): Reply => ({ toolCalls: [{ name, input }] });

test("a task plans, runs commands, writes and reads files, and answers from what the tools really returned", async () => {
  const script: ScriptFn = (_req, ctx) => {
    switch (ctx.call) {
      case 0:
        return tool("write_todos", {
          todos: [
            { content: "Compute", status: "in_progress" },
            { content: "Save", status: "pending" },
          ],
        });
      case 1:
        return tool("execute", { command: "echo $((6 * 7)) && uname -s" });
      case 2: {
        const output = ctx.lastToolResults()[0]!.content;
        const answer = output.split("\n")[0]!;
        return {
          toolCalls: [
            { name: "write_file", input: { file_path: "outputs/answer.txt", content: `answer=${answer}\n` } },
            {
              name: "write_todos",
              input: {
                todos: [
                  { content: "Compute", status: "completed" },
                  { content: "Save", status: "in_progress" },
                ],
              },
            },
          ],
        };
      }
      case 3:
        return tool("read_file", { file_path: "outputs/answer.txt" });
      default: {
        const read = ctx.lastToolResults()[0]!.content;
        return { text: `The file says: ${read.trim().split("\t")[1]}` };
      }
    }
  };
  const f = await agentFixture({ script });
  try {
    const outcome = await f.run("compute six times seven");
    assert.equal(outcome.status, "succeeded");
    assert.equal(outcome.result, "The file says: answer=42");
    assert.equal(outcome.turns, 5);
    const plans = f.events.filter((e) => e.type === "plan");
    assert.equal(plans.length, 2);
    assert.deepEqual(outcome.todos, [
      { content: "Compute", status: "completed" },
      { content: "Save", status: "in_progress" },
    ]);
    const started = f.events.filter((e) => e.type === "tool_started").map((e) => e.type === "tool_started" && e.name);
    assert.deepEqual(started, ["write_todos", "execute", "write_file", "write_todos", "read_file"]);
    assert.equal(f.events.at(-1)?.type, "finished");
  } finally {
    await f.close();
  }
});

test("failing tools return error results to the model and the task goes on", async () => {
  const seen: { content: string; is_error: boolean }[][] = [];
  const script: ScriptFn = (_req, ctx) => {
    if (ctx.call > 0) seen.push(ctx.lastToolResults().map((r) => ({ content: r.content, is_error: r.is_error })));
    if (ctx.call === 0) {
      return {
        toolCalls: [
          { name: "execute", input: { command: "echo oops >&2; exit 3" } },
          { name: "read_file", input: { file_path: "missing.txt" } },
          { name: "execute", input: { timeout: 5 } },
          { name: "no_such_tool", input: {} },
          { name: "edit_file", input: { file_path: "missing.txt", old_string: "a", new_string: "b" } },
        ],
      };
    }
    return { text: "handled" };
  };
  const f = await agentFixture({ script });
  try {
    const outcome = await f.run("try things");
    assert.equal(outcome.status, "succeeded");
    const [exec, read, bad, unknown, edit] = seen[0]!;
    assert.ok(exec!.is_error && /exit code 3/.test(exec!.content) && /oops/.test(exec!.content), exec!.content);
    assert.ok(read!.is_error && /missing\.txt/.test(read!.content), read!.content);
    assert.ok(bad!.is_error && /Invalid input for execute: command/.test(bad!.content), bad!.content);
    assert.ok(unknown!.is_error && /no tool named "no_such_tool"/.test(unknown!.content), unknown!.content);
    assert.ok(edit!.is_error, edit!.content);
  } finally {
    await f.close();
  }
});

test("huge tool output is cut with a note saying how much was cut", async () => {
  let result = "";
  const f = await agentFixture({
    script: (_req, ctx) => {
      if (ctx.call === 0) return tool("execute", { command: "head -c 100000 /dev/zero | tr '\\0' 'x'" });
      result = ctx.lastToolResults()[0]!.content;
      return { text: "ok" };
    },
  });
  try {
    await f.run("big output", { limits: { maxToolResultChars: 5000 } });
    assert.ok(result.length < 6000, `kept ${result.length} chars`);
    assert.match(result, /95,\d{3} of 100,\d{3} characters cut/);
  } finally {
    await f.close();
  }
});

test("independent tool calls of one turn run concurrently", async () => {
  let waited = "";
  const f = await agentFixture({
    script: (_req, ctx) => {
      if (ctx.call === 0) {
        return {
          toolCalls: [
            { name: "execute", input: { command: "for i in $(seq 100); do [ -f flag ] && break; sleep 0.05; done; [ -f flag ] && echo saw-flag || echo no-flag" } },
            { name: "execute", input: { command: "touch flag" } },
          ],
        };
      }
      waited = ctx.lastToolResults()[0]!.content;
      return { text: "ok" };
    },
  });
  try {
    await f.run("race");
    assert.match(waited, /saw-flag/, "the first command saw the file the second one made while it ran");
  } finally {
    await f.close();
  }
});

test("the plan keeps completed items the model leaves out", async () => {
  const f = await agentFixture({
    script: [
      tool("write_todos", {
        todos: [
          { content: "A", status: "completed" },
          { content: "B", status: "in_progress" },
        ],
      }),
      tool("write_todos", {
        todos: [
          { content: "B", status: "completed" },
          { content: "C", status: "pending" },
        ],
      }),
      { text: "done" },
    ],
  });
  try {
    const outcome = await f.run("plan");
    const last = f.events.filter((e) => e.type === "plan").at(-1);
    const expected = [
      { content: "A", status: "completed" },
      { content: "B", status: "completed" },
      { content: "C", status: "pending" },
    ];
    assert.deepEqual(last?.type === "plan" && last.todos, expected);
    assert.deepEqual(outcome.todos, expected);
  } finally {
    await f.close();
  }
});

test("the model API failing with 429, 529 and 500 is retried and the task finishes", async () => {
  const f = await agentFixture({
    script: [{ status: 429, retryAfter: 0 }, tool("execute", { command: "true" }), { status: 529 }, { status: 500 }, { text: "made it" }],
  });
  try {
    const outcome = await f.run("flaky");
    assert.equal(outcome.status, "succeeded");
    assert.equal(outcome.result, "made it");
    assert.equal(f.api.requests.length, 5);
  } finally {
    await f.close();
  }
});

test("a stream dropped mid-way, or an error frame mid-stream, is retried as a whole turn", async () => {
  const f = await agentFixture({
    script: [{ dropAfterEvents: 3, then: { text: "partial answer that never completes" } }, { sseError: { type: "overloaded_error", message: "Overloaded" } }, { text: "complete" }],
  });
  try {
    const outcome = await f.run("unstable stream");
    assert.equal(outcome.status, "succeeded", outcome.failure?.detail);
    assert.equal(outcome.result, "complete");
    assert.equal(f.events.filter((e) => e.type === "retry").length, 2);
  } finally {
    await f.close();
  }
});

test("when retries run out the task fails with an actionable reason and keeps what was done", async () => {
  const f = await agentFixture({
    sdkRetries: 1,
    script: [
      tool("write_todos", { todos: [{ content: "first", status: "completed" }] }),
      { text: "working on it", toolCalls: [{ name: "execute", input: { command: "echo step1 > step1.txt" } }] },
      { status: 529 },
      { status: 529 },
    ],
  });
  try {
    const saved: number[] = [];
    const outcome = await f.run("doomed", { checkpoints: { load: async () => null, save: async (cp) => void saved.push(cp.turn) } });
    assert.equal(outcome.status, "failed");
    assert.equal(outcome.failure?.code, "model_unavailable");
    assert.equal(outcome.failure?.transient, true);
    assert.match(failureLine(outcome.failure!), /overloaded.*try again later/);
    assert.deepEqual(outcome.todos, [{ content: "first", status: "completed" }]);
    assert.equal(outcome.result, "working on it");
    assert.deepEqual(saved, [1, 2], "both completed turns were checkpointed");
    assert.equal(new TextDecoder().decode(await f.sandbox.readFile("step1.txt")), "step1\n");
  } finally {
    await f.close();
  }
});

test("a bad API key fails at once with a message naming ANTHROPIC_API_KEY", async () => {
  const f = await agentFixture({ script: [{ status: 401, message: "invalid x-api-key" }] });
  try {
    const outcome = await f.run("hello");
    assert.equal(outcome.status, "failed");
    assert.equal(outcome.failure?.code, "model_auth");
    assert.equal(outcome.failure?.transient, false);
    assert.match(failureLine(outcome.failure!), /ANTHROPIC_API_KEY/);
    assert.equal(f.api.requests.length, 1);
  } finally {
    await f.close();
  }
});

test("cancellation stops a running command and the model call", async () => {
  const f = await agentFixture({ script: [tool("execute", { command: "sleep 30; echo finished > late.txt" }), { text: "never" }] });
  try {
    const controller = new AbortController();
    const cancelled = f.run("slow", { signal: controller.signal });
    await waitFor("the command to start", () => f.events.some((e) => e.type === "tool_started"), 5_000);
    controller.abort("cancelled by tester");
    const outcome = await cancelled;
    assert.equal(outcome.status, "cancelled");
    assert.deepEqual(outcome.failure, { code: "cancelled", detail: "cancelled by tester", transient: false });
    assert.equal(f.api.requests.length, 1, "no model call after the cancel");
    await new Promise((r) => setTimeout(r, 300));
    await assert.rejects(f.sandbox.readFile("late.txt"), "the command was killed, not left running");

    const slowModel = await agentFixture({ script: [{ delayMs: 20_000, text: "too late" }] });
    try {
      const c2 = new AbortController();
      const pending = slowModel.run("slow model", { signal: c2.signal });
      setTimeout(() => c2.abort(), 100);
      const o2 = await pending;
      assert.equal(o2.status, "cancelled");
      await slowModel.api.idle();
      assert.equal(slowModel.api.requests[0]?.outcome.kind, "client_disconnected");
    } finally {
      await slowModel.close();
    }
  } finally {
    await f.close();
  }
});

test("the wall-time limit stops the task with reason timeout", async () => {
  const f = await agentFixture({ script: [tool("execute", { command: "sleep 20" }), { text: "never" }] });
  try {
    const outcome = await f.run("slow", { limits: { timeoutMs: 1500 } });
    assert.equal(outcome.status, "failed");
    assert.equal(outcome.failure?.code, "timeout");
    assert.match(failureLine(outcome.failure!), /TASK_TIMEOUT_SECONDS/);
  } finally {
    await f.close();
  }
});

test("the turn limit ends an endless task", async () => {
  const f = await agentFixture({ script: () => tool("execute", { command: "true" }) });
  try {
    const outcome = await f.run("loop forever", { limits: { maxTurns: 3 } });
    assert.equal(outcome.status, "failed");
    assert.equal(outcome.failure?.code, "turn_limit");
    assert.equal(f.api.requests.length, 3);
    assert.match(failureLine(outcome.failure!), /MAX_TURNS/);
  } finally {
    await f.close();
  }
});

test("usage is summed over the task, and the cached prefix stays byte-identical turn to turn", async () => {
  const f = await agentFixture({ script: [tool("execute", { command: "echo a" }), tool("execute", { command: "echo b" }), tool("ls", {}), { text: "done" }] });
  try {
    const outcome = await f.run("count tokens");
    const total = f.api.usageTotal();
    assert.deepEqual(outcome.usage, {
      input_tokens: total.input_tokens,
      output_tokens: total.output_tokens,
      cache_read_input_tokens: total.cache_read_input_tokens,
      cache_creation_input_tokens: total.cache_creation_input_tokens,
    });
    const reads = f.api.requests.map((r) => (r.outcome.kind === "message" ? r.outcome.usage.cache_read_input_tokens : -1));
    assert.equal(reads[0], 0);
    for (let i = 1; i < reads.length; i++) assert.ok(reads[i]! > reads[i - 1]!, `turn ${i + 1} read more from the cache (${reads.join(", ")})`);
    const strip = (v: unknown) => JSON.stringify(v, (k, x) => (k === "cache_control" ? undefined : x));
    for (let i = 1; i < f.api.requests.length; i++) {
      const prev = f.api.requests[i - 1]!.body;
      const cur = f.api.requests[i]!.body;
      assert.equal(strip(cur.system), strip(prev.system));
      assert.equal(strip(cur.tools), strip(prev.tools));
      assert.equal(strip(cur.messages.slice(0, prev.messages.length)), strip(prev.messages));
    }
  } finally {
    await f.close();
  }
});

test("a conversation that outgrows the context window is compacted instead of failing", async () => {
  const big = "head -c 6000 /dev/zero | tr '\\0' 'y'";
  const f = await agentFixture({
    contextWindowTokens: 9000,
    script: (_req, ctx) => (ctx.call < 6 ? tool("execute", { command: big }) : { text: "fits" }),
  });
  try {
    const outcome = await f.run("fill the context", { limits: { contextWindowTokens: 9000 } });
    assert.equal(outcome.status, "succeeded", outcome.failure?.detail);
    assert.ok(f.events.some((e) => e.type === "compacted"));
    const last = JSON.stringify(f.api.requests.at(-1)!.body.messages);
    assert.match(last, /output removed to save context: execute returned/);
    assert.ok(
      f.api.requests.every((r) => r.outcome.kind === "message"),
      "no request was refused as too long",
    );
  } finally {
    await f.close();
  }
});

test("a sub-agent started with task works in a fresh context in the same sandbox and returns its answer", async () => {
  let subResult = "";
  const script: ScriptFn = (req, ctx) => {
    const isSub = JSON.stringify(req.body.messages[0]).includes("Write the magic number");
    const results = ctx.lastToolResults();
    if (isSub) {
      if (results.length === 0) return tool("execute", { command: "echo 1234 > magic.txt && cat magic.txt" });
      return { text: `magic is ${results[0]!.content.split("\n")[0]}` };
    }
    if (results.length === 0) return tool("task", { description: "Write the magic number 1234 to magic.txt and report it" });
    if (results[0]!.name === "task") {
      subResult = results[0]!.content;
      return tool("read_file", { file_path: "magic.txt" });
    }
    return { text: `main saw ${results[0]!.content.trim().split("\t")[1]}` };
  };
  const f = await agentFixture({ script });
  try {
    const outcome = await f.run("delegate");
    assert.equal(outcome.status, "succeeded", outcome.failure?.detail);
    assert.equal(subResult, "magic is 1234");
    assert.equal(outcome.result, "main saw 1234");
    const subRequests = f.api.requests.filter((r) => JSON.stringify(r.body.messages[0]).includes("Write the magic number"));
    assert.equal(subRequests.length, 2);
    assert.equal(subRequests[0]!.body.messages.length, 1, "the sub-agent starts from a fresh context");
    assert.ok(!subRequests[0]!.body.tools?.some((t) => t.name === "task"), "sub-agents cannot spawn sub-agents");
    assert.ok(f.events.some((e) => e.agent === "sub-1" && e.type === "tool_started"));
    const total = f.api.usageTotal();
    assert.equal(outcome.usage.output_tokens, total.output_tokens, "sub-agent tokens count in the task's usage");
  } finally {
    await f.close();
  }
});

test("messages from the inbox reach the model before its next call", async () => {
  const inbox = ["also mention bananas"];
  let sawIt = false;
  const f = await agentFixture({
    script: (req, ctx) => {
      if (ctx.call === 0) return tool("execute", { command: "true" });
      sawIt = JSON.stringify(req.body.messages.at(-1)).includes("also mention bananas");
      return { text: "bananas" };
    },
  });
  try {
    let calls = 0;
    await f.run("fruit", { inbox: { take: async () => (calls++ === 1 ? inbox.splice(0) : []) } });
    assert.ok(sawIt);
  } finally {
    await f.close();
  }
});

test("a task resumes from its checkpoint without repeating turns", async () => {
  const f = await agentFixture({ script: [tool("execute", { command: "echo one" }), tool("execute", { command: "echo two" }), { text: "finished" }] });
  try {
    const store: { cp: import("../../src/agent/run-options.ts").Checkpoint | null } = { cp: null };
    const controller = new AbortController();
    const first = f.run("two steps", {
      signal: controller.signal,
      checkpoints: {
        load: async () => store.cp,
        save: async (cp) => {
          store.cp = structuredClone(cp);
          if (cp.turn === 1) controller.abort();
        },
      },
    });
    assert.equal((await first).status, "cancelled");
    assert.equal(store.cp?.turn, 1);
    const second = await f.run("two steps", {
      checkpoints: {
        load: async () => store.cp,
        save: async (cp) => {
          store.cp = structuredClone(cp);
        },
      },
    });
    assert.equal(second.status, "succeeded");
    assert.equal(second.result, "finished");
    assert.equal(f.api.requests.length, 3, "the first turn was not asked again");
    assert.equal(second.turns, 3);
  } finally {
    await f.close();
  }
});
