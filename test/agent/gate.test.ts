// The engine's gate: asked before every tool call of a turn (none runs until all have passed) and
// before every model call of the main agent. A pause stops the run, checkpointed at the calls it
// did not answer; the run that resumes from that checkpoint answers them first. A denial is an
// error result the model reads; a sub-agent (or a run without checkpoints) cannot wait, so a pause
// there is a denial. The real engine, the real SDK against the scripted API, a local sandbox.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { agentFixture } from "../helpers/agent-fixture.ts";
import { lastToolResults, type RecordedRequest, type Reply } from "../doubles/messages-api.ts";
import type { Checkpoint, CheckpointStore, Gate, GateVerdict } from "../../src/agent/run-options.ts";
import { CodedError } from "../../src/shared/errors.ts";

function memoryCheckpoints(): CheckpointStore & { saved: Checkpoint | null } {
  const store = {
    saved: null as Checkpoint | null,
    async load() {
      return store.saved ? structuredClone(store.saved) : null;
    },
    async save(c: Checkpoint) {
      store.saved = structuredClone(c);
    },
  };
  return store;
}

const gateOn = (verdict: (name: string, input: Record<string, unknown>) => GateVerdict): Gate & { asked: string[] } => {
  const asked: string[] = [];
  return {
    asked,
    async toolCall(call) {
      asked.push(call.name);
      return verdict(call.name, call.input as Record<string, unknown>);
    },
  };
};

const touchAndPlan = (req: RecordedRequest): Reply =>
  req.index === 0
    ? {
        toolCalls: [
          { name: "write_todos", input: { todos: [{ content: "Touch the file", status: "in_progress" }] } },
          { name: "execute", input: { command: "touch touched" } },
        ],
      }
    : {
        text: `results: ${lastToolResults(req)
          .map((r) => `${r.name}=${r.is_error ? "error" : "ok"}:${r.content}`)
          .join(" | ")}`,
      };

test("a pause runs nothing of the turn, checkpoints at its calls, and the resumed run answers them", async () => {
  const f = await agentFixture({ script: touchAndPlan });
  try {
    const checkpoints = memoryCheckpoints();
    const paused = await f.run("touch it", { checkpoints, gate: gateOn((name) => (name === "execute" ? { kind: "pause", summary: "execute: touch touched" } : { kind: "run" })) });
    assert.equal(paused.status, "paused");
    assert.equal(paused.pausedFor, "execute: touch touched");
    assert.equal(existsSync(path.join(f.sandbox.workdir, "touched")), false, "the waiting call did not run");
    assert.deepEqual(paused.todos, [], "nor did the other call of its turn");
    const last = checkpoints.saved!.messages.at(-1)!;
    assert.equal(last.role, "assistant", "saved with the calls unanswered");
    assert.equal(f.api.requests.length, 1);

    const gate = gateOn(() => ({ kind: "run" }));
    const resumed = await f.run("touch it", { checkpoints, gate });
    assert.equal(resumed.status, "succeeded");
    assert.deepEqual(gate.asked, ["write_todos", "execute"], "the resumed run asked again, in order");
    assert.equal(existsSync(path.join(f.sandbox.workdir, "touched")), true);
    assert.equal(f.api.requests.length, 2, "the model was not asked the first turn again");
    assert.match(resumed.result, /write_todos=ok.*execute=ok/);
  } finally {
    await f.close();
  }
});

test("a denial is an error result with its reason; the turn's other calls run and the agent goes on", async () => {
  const f = await agentFixture({ script: touchAndPlan });
  try {
    const outcome = await f.run("touch it", {
      checkpoints: memoryCheckpoints(),
      gate: gateOn((name) => (name === "execute" ? { kind: "deny", reason: "Not run: denied by Ann." } : { kind: "run" })),
    });
    assert.equal(outcome.status, "succeeded");
    assert.match(outcome.result, /write_todos=ok.*execute=error:Not run: denied by Ann\./);
    assert.equal(existsSync(path.join(f.sandbox.workdir, "touched")), false);
    const finished = f.events.find((e) => e.type === "tool_finished" && e.name === "execute");
    assert.ok(finished && finished.type === "tool_finished" && !finished.ok);
  } finally {
    await f.close();
  }
});

test("a run that cannot wait (no checkpoints) turns a pause into a denial", async () => {
  const f = await agentFixture({ script: touchAndPlan });
  try {
    const outcome = await f.run("touch it", { gate: gateOn((name) => (name === "execute" ? { kind: "pause", summary: "x" } : { kind: "run" })) });
    assert.equal(outcome.status, "succeeded");
    assert.match(outcome.result, /execute=error:This call needs a person's approval, and this agent cannot wait/);
  } finally {
    await f.close();
  }
});

test("a sub-agent cannot wait: its call is denied and the main agent is not paused", async () => {
  const f = await agentFixture({
    script: (req) => {
      const results = lastToolResults(req);
      const sub = req.body.messages[0] && JSON.stringify(req.body.messages[0]).includes("Touch the file for me");
      if (sub) return results.length === 0 ? { toolCalls: [{ name: "execute", input: { command: "touch touched" } }] } : { text: `sub saw: ${results[0]!.content}` };
      return results.length === 0 ? { toolCalls: [{ name: "task", input: { description: "Touch the file for me" } }] } : { text: `main saw: ${results[0]!.content}` };
    },
  });
  try {
    const outcome = await f.run("delegate", { checkpoints: memoryCheckpoints(), gate: gateOn((name) => (name === "execute" ? { kind: "pause", summary: "x" } : { kind: "run" })) });
    assert.equal(outcome.status, "succeeded");
    assert.match(outcome.result, /main saw: sub saw: This call needs a person's approval, and this agent cannot wait for one \(only the main agent can\)/);
    assert.equal(existsSync(path.join(f.sandbox.workdir, "touched")), false);
  } finally {
    await f.close();
  }
});

test("before model calls: a pause resumes where it stopped; a stop ends the task with the gate's failure", async () => {
  const firstTurn = (req: RecordedRequest) => !req.body.messages.some((m) => m.role === "assistant");
  const f = await agentFixture({ script: (req) => (firstTurn(req) ? { toolCalls: [{ name: "execute", input: { command: "echo one" } }] } : { text: "two" }) });
  try {
    const checkpoints = memoryCheckpoints();
    let calls = 0;
    const pauseSecond: Gate = { toolCall: async () => ({ kind: "run" }), modelCall: async () => (++calls === 2 ? { kind: "pause", summary: "limit" } : { kind: "run" }) };
    const paused = await f.run("count", { checkpoints, gate: pauseSecond });
    assert.equal(paused.status, "paused");
    assert.equal(f.api.requests.length, 1);
    assert.ok(paused.usage.output_tokens > 0, "the usage so far comes back with the pause");
    const resumed = await f.run("count", { checkpoints, gate: pauseSecond });
    assert.equal(resumed.status, "succeeded");
    assert.equal(resumed.result, "two");
    assert.equal(f.api.requests.length, 2);

    const stopped = await f.run("count", {
      checkpoints: memoryCheckpoints(),
      gate: {
        toolCall: async () => ({ kind: "run" }),
        modelCall: async (usage) => (usage.output_tokens > 0 ? { kind: "stop", failure: new CodedError("budget_exceeded", "stopped at its spending limit").toFailure() } : { kind: "run" }),
      },
    });
    assert.equal(stopped.status, "failed");
    assert.equal(stopped.failure?.code, "budget_exceeded");
    assert.equal(f.api.requests.length, 3, "no model call after the stop");
    assert.equal(stopped.turns, 1);
  } finally {
    await f.close();
  }
});
