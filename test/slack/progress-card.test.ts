// The live progress card: how the engine's events fold into what it shows (progress-view.ts),
// and the Slack message made of it (progress-card.ts), word for word.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AgentEvent, Todo, Usage } from "../../src/agent/events.ts";
import { emptyUsage } from "../../src/agent/events.ts";
import type { Task } from "../../src/store/task-repo.ts";
import { applyEvent, finalView, isFinal, queuedView, type Phase, type ProgressView } from "../../src/slack/render/progress-view.ts";
import { CANCEL_ACTION_ID, renderProgress, shorten, type SlackMessagePayload } from "../../src/slack/render/progress-card.ts";

const NOW = 1_000_000;
const usage = (over: Partial<Usage>): Usage => ({ ...emptyUsage(), ...over });
const ev = (event: Record<string, unknown>, agent = "main") => ({ agent, ...event }) as AgentEvent;
const running = (over: Partial<ProgressView> = {}): ProgressView => ({ ...queuedView("t1", "do it", 0, "U1"), phase: "running", startedAt: NOW - 65_000, ...over });

function task(over: Partial<Task> = {}): Task {
  return {
    id: "t1",
    source: "slack",
    dedupeKey: null,
    teamId: "T1",
    channelId: "C1",
    threadTs: "1700000000.000100",
    userId: "U1",
    text: "do it",
    status: "succeeded",
    todos: [],
    result: "done",
    failure: null,
    usage: emptyUsage(),
    attempt: 1,
    turns: 3,
    lastActivity: null,
    worker: null,
    meta: {},
    cancelRequestedAt: null,
    cancelledBy: null,
    sandboxId: null,
    jobId: null,
    model: null,
    createdAt: new Date(0),
    startedAt: new Date(10_000),
    attemptStartedAt: new Date(10_000),
    finishedAt: new Date(70_000),
    updatedAt: new Date(80_000),
    ...over,
  };
}

// Block accessors: the payload's blocks are Slack's union type; tests read them as plain data.
// biome-ignore lint/suspicious/noExplicitAny: Slack's block union read as plain data
type Loose = Record<string, any>;
const blocks = (p: SlackMessagePayload) => p.blocks as unknown as Loose[];
const status = (p: SlackMessagePayload): string => blocks(p)[0]!["text"]["text"];
const context = (p: SlackMessagePayload): string | undefined => blocks(p).find((b) => b["type"] === "context")?.["elements"][0]["text"];
const cancel = (p: SlackMessagePayload): Loose | undefined => blocks(p).find((b) => b["type"] === "actions");
const planTexts = (p: SlackMessagePayload): string[] =>
  blocks(p)
    .slice(1)
    .filter((b) => b["type"] === "section")
    .map((b) => b["text"]["text"] as string);

describe("queuedView", () => {
  it("starts with no plan, no steps, no tokens, and the requester only when there is one", () => {
    assert.deepEqual(queuedView("t1", "do it", 2, "U1"), { taskId: "t1", phase: "queued", text: "do it", position: 2, todos: [], turns: 0, usage: emptyUsage(), requester: "U1" });
    assert.equal("requester" in queuedView("t1", "do it", 2), false);
    assert.equal("requester" in queuedView("t1", "do it", 2, ""), false);
  });
});

describe("isFinal", () => {
  const table: Array<[Phase, boolean]> = [
    ["queued", false],
    ["running", false],
    ["retrying", false],
    ["succeeded", true],
    ["failed", true],
    ["cancelled", true],
  ];
  for (const [phase, final] of table) it(`${phase} → ${final}`, () => assert.equal(isFinal(phase), final));
});

describe("applyEvent", () => {
  const todos: Todo[] = [
    { content: "Read the logs", status: "completed" },
    { content: "Fix the build", status: "in_progress" },
  ];
  const cases: Array<{ title: string; before: () => ProgressView; event: AgentEvent; changed: boolean; after: (v: ProgressView) => ProgressView }> = [
    {
      title: "started: running from now, no place in the queue, no leftover note",
      before: () => ({ ...queuedView("t1", "do it", 3, "U1"), note: "Paused: a worker is restarting" }),
      event: ev({ type: "started", taskId: "t1", resumedFromTurn: 0 }),
      changed: true,
      after: () => ({ taskId: "t1", phase: "running", text: "do it", todos: [], turns: 0, usage: emptyUsage(), requester: "U1", startedAt: NOW }),
    },
    {
      title: "started again (a resumed attempt) keeps the first start time",
      before: () => running({ startedAt: 5 }),
      event: ev({ type: "started", taskId: "t1", resumedFromTurn: 4 }),
      changed: true,
      after: (v) => {
        delete v.position;
        return { ...v, startedAt: 5 };
      },
    },
    { title: "plan from the main agent replaces the plan", before: () => running(), event: ev({ type: "plan", todos }), changed: true, after: (v) => ({ ...v, todos }) },
    { title: "plan from a sub-agent is not shown", before: () => running(), event: ev({ type: "plan", todos }, "sub-1"), changed: false, after: (v) => v },
    { title: "turn counts steps without an update of its own", before: () => running(), event: ev({ type: "turn", turn: 4 }), changed: false, after: (v) => ({ ...v, turns: 4 }) },
    {
      title: "the next turn after a retry is running again, without the retry's note",
      before: () => running({ phase: "retrying", note: "The model call failed (overloaded); retrying in 3s", turns: 1 }),
      event: ev({ type: "turn", turn: 2 }),
      changed: true,
      after: (v) => {
        delete v.note;
        return { ...v, phase: "running", turns: 2 };
      },
    },
    { title: "a sub-agent's turn is not a step", before: () => running({ turns: 2 }), event: ev({ type: "turn", turn: 9 }, "sub-1"), changed: false, after: (v) => v },
    {
      title: "tool_started shows what runs now",
      before: () => running(),
      event: ev({ type: "tool_started", id: "a", name: "execute", summary: "npm test" }),
      changed: true,
      after: (v) => ({ ...v, activity: "execute: npm test" }),
    },
    {
      title: "tool_started in a sub-agent names the sub-agent",
      before: () => running(),
      event: ev({ type: "tool_started", id: "a", name: "read_file", summary: "src/a.ts" }, "sub-2"),
      changed: true,
      after: (v) => ({ ...v, activity: "sub-2 › read_file: src/a.ts" }),
    },
    {
      title: "write_todos is not shown as an activity (the plan shows it)",
      before: () => running({ activity: "execute: ls" }),
      event: ev({ type: "tool_started", id: "a", name: "write_todos", summary: "3 items" }),
      changed: false,
      after: (v) => v,
    },
    {
      title: "tool_finished clears its own activity, quietly",
      before: () => running({ activity: "execute: npm test" }),
      event: ev({ type: "tool_finished", id: "a", name: "execute", ok: true, durationMs: 5, summary: "exit 0" }),
      changed: false,
      after: (v) => {
        delete v.activity;
        return v;
      },
    },
    {
      title: "tool_finished of another tool leaves the activity",
      before: () => running({ activity: "execute: npm test" }),
      event: ev({ type: "tool_finished", id: "b", name: "read_file", ok: true, durationMs: 5, summary: "" }),
      changed: false,
      after: (v) => v,
    },
    {
      title: "a sub-agent's tool_finished does not clear the main agent's activity of the same tool",
      before: () => running({ activity: "execute: npm test" }),
      event: ev({ type: "tool_finished", id: "b", name: "execute", ok: true, durationMs: 5, summary: "" }, "sub-1"),
      changed: false,
      after: (v) => v,
    },
    {
      title: "usage from the main agent is copied, without an update of its own",
      before: () => running(),
      event: ev({ type: "usage", turn: usage({ input_tokens: 5 }), total: usage({ input_tokens: 50, output_tokens: 7 }) }),
      changed: false,
      after: (v) => ({ ...v, usage: usage({ input_tokens: 50, output_tokens: 7 }) }),
    },
    {
      title: "a sub-agent's usage total is not the task's",
      before: () => running(),
      event: ev({ type: "usage", turn: usage({ input_tokens: 5 }), total: usage({ input_tokens: 5 }) }, "sub-1"),
      changed: false,
      after: (v) => v,
    },
    {
      title: "retry: retrying, with the reason and the delay rounded up to a second",
      before: () => running(),
      event: ev({ type: "retry", attempt: 1, delayMs: 2001, reason: "overloaded" }),
      changed: true,
      after: (v) => ({ ...v, phase: "retrying", note: "The model call failed (overloaded); retrying in 3s" }),
    },
    {
      title: "a model call that answers after a retry ends the retrying, and its note",
      before: () => running({ phase: "retrying", note: "The model call failed (overloaded); retrying in 3s" }),
      event: ev({ type: "usage", turn: usage({ input_tokens: 5 }), total: usage({ input_tokens: 50 }) }),
      changed: true,
      after: (v) => {
        delete v.note;
        return { ...v, phase: "running", usage: usage({ input_tokens: 50 }) };
      },
    },
    {
      title: "a sub-agent's answered retry ends the retrying too (its usage is still not the task's)",
      before: () => running({ phase: "retrying", note: "The model call failed (overloaded); retrying in 1s" }),
      event: ev({ type: "usage", turn: usage({ input_tokens: 5 }), total: usage({ input_tokens: 5 }) }, "sub-1"),
      changed: true,
      after: (v) => {
        delete v.note;
        return { ...v, phase: "running" };
      },
    },
    {
      title: "note from the main agent is shown",
      before: () => running(),
      event: ev({ type: "note", level: "info", message: "Passed 1 new message to the agent" }),
      changed: true,
      after: (v) => ({ ...v, note: "Passed 1 new message to the agent" }),
    },
    { title: "a sub-agent's note is not", before: () => running(), event: ev({ type: "note", level: "info", message: "x" }, "sub-1"), changed: false, after: (v) => v },
    { title: "text is not shown on the card", before: () => running(), event: ev({ type: "text", text: "hello", final: false }), changed: false, after: (v) => v },
    {
      title: "compacted is not shown on the card",
      before: () => running(),
      event: ev({ type: "compacted", droppedResults: 3, beforeTokens: 9, afterTokens: 1 }),
      changed: false,
      after: (v) => v,
    },
    {
      title: "finished leaves the final state to the lifecycle",
      before: () => running(),
      event: ev({ type: "finished", status: "succeeded", result: "ok", usage: emptyUsage() }),
      changed: false,
      after: (v) => v,
    },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const view = c.before();
      const expected = c.after(structuredClone(view));
      assert.equal(applyEvent(view, c.event, NOW), c.changed);
      assert.deepEqual(view, expected);
    });
  }

  it("the plan is a copy: changing the event's todos afterwards does not change the card", () => {
    const view = running();
    const plan: Todo[] = [{ content: "a", status: "pending" }];
    applyEvent(view, ev({ type: "plan", todos: plan }), NOW);
    plan[0]!.status = "completed";
    plan.push({ content: "b", status: "pending" });
    assert.deepEqual(view.todos, [{ content: "a", status: "pending" }]);
  });

  for (const phase of ["succeeded", "failed", "cancelled"] as const) {
    it(`a ${phase} card changes no more, whatever arrives`, () => {
      const view = running({ phase, outcome: "Cancelled." });
      const frozen = structuredClone(view);
      for (const event of [
        ev({ type: "started", taskId: "t1", resumedFromTurn: 0 }),
        ev({ type: "plan", todos }),
        ev({ type: "tool_started", id: "a", name: "execute", summary: "rm -rf" }),
        ev({ type: "retry", attempt: 1, delayMs: 1000, reason: "overloaded" }),
        ev({ type: "note", level: "warn", message: "late" }),
        ev({ type: "usage", turn: usage({ input_tokens: 1 }), total: usage({ input_tokens: 1 }) }),
      ]) {
        assert.equal(applyEvent(view, event, NOW), false);
      }
      assert.deepEqual(view, frozen);
    });
  }

  it("after a retry that worked, the card says Working again while the next tools run", () => {
    const view = queuedView("t1", "do it", 1, "U1");
    const events = [
      ev({ type: "started", taskId: "t1", resumedFromTurn: 0 }),
      ev({ type: "turn", turn: 1 }),
      ev({ type: "retry", attempt: 1, delayMs: 1000, reason: "overloaded" }),
      ev({ type: "usage", turn: usage({ input_tokens: 10 }), total: usage({ input_tokens: 10 }) }),
      ev({ type: "tool_started", id: "a", name: "execute", summary: "npm test" }),
    ];
    for (const event of events) applyEvent(view, event, NOW);
    const card = renderProgress(view, "sections", NOW + 5_000);
    assert.equal(status(card), "⚙️ *Working* · 5s · step 1\n_do it_");
    assert.equal(context(card), "▶ execute: npm test  ·  10 tokens  ·  asked by <@U1>");
  });
});

describe("finalView", () => {
  it("a succeeded task: its plan, steps, tokens and times, no outcome words", () => {
    const t = task({ todos: [{ content: "a", status: "completed" }], usage: usage({ input_tokens: 9 }) });
    const view = finalView(t, "U1");
    assert.deepEqual(view, {
      taskId: "t1",
      phase: "succeeded",
      text: "do it",
      todos: [{ content: "a", status: "completed" }],
      turns: 3,
      usage: usage({ input_tokens: 9 }),
      finishedAt: 70_000,
      startedAt: 10_000,
      requester: "U1",
    });
    t.todos[0]!.status = "pending";
    t.usage.input_tokens = 0;
    assert.deepEqual(view.todos, [{ content: "a", status: "completed" }], "the plan is a copy");
    assert.equal(view.usage.input_tokens, 9, "the usage is a copy");
  });

  const outcomes: Array<[title: string, over: Partial<Task>, phase: Phase, outcome: string]> = [
    [
      "failed on a timeout",
      { status: "failed", failure: { code: "timeout", detail: "after 1800 s (TASK_TIMEOUT_SECONDS)", transient: false } },
      "failed",
      "It ran out of time. Ask again with a smaller piece of the work.",
    ],
    ["failed without a recorded failure", { status: "failed", failure: null }, "failed", "Something went wrong inside deep-agent. Try again; if it keeps happening, tell an operator."],
    [
      "cancelled from Slack",
      { status: "cancelled", failure: { code: "cancelled", detail: "cancelled by Slack user U9", transient: false }, cancelledBy: "slack:U9" },
      "cancelled",
      "Cancelled by <@U9>.",
    ],
    [
      "cancelled from the terminal",
      { status: "cancelled", failure: { code: "cancelled", detail: "x", transient: false }, cancelledBy: "cli:alice" },
      "cancelled",
      "Cancelled from the command line.",
    ],
  ];
  for (const [title, over, phase, outcome] of outcomes) {
    it(title, () => {
      const view = finalView(task(over));
      assert.equal(view.phase, phase);
      assert.equal(view.outcome, outcome);
      assert.equal("requester" in view, false);
    });
  }

  it("a task cancelled before it started has no start time, and ends when it was last updated", () => {
    const view = finalView(task({ status: "cancelled", startedAt: null, finishedAt: null, failure: { code: "cancelled", detail: "", transient: false } }));
    assert.equal("startedAt" in view, false);
    assert.equal(view.finishedAt, 80_000);
    assert.equal(status(renderProgress(view, "sections", NOW)), "🚫 *Cancelled*\n_do it_");
  });
});

describe("renderProgress: the status line and the fallback text", () => {
  const cases: Array<[title: string, view: ProgressView, statusLine: string, text: string]> = [
    ["queued with a place", queuedView("t1", "do it", 3, "U1"), "⏳ *Queued* — position 3\n_do it_", "Queued: do it"],
    ["queued without a place", queuedView("t1", "do it", 0), "⏳ *Queued*\n_do it_", "Queued: do it"],
    ["running before the first step", running(), "⚙️ *Working* · 1m 05s\n_do it_", "Working · 1m 05s: do it"],
    ["running at step 4", running({ turns: 4 }), "⚙️ *Working* · 1m 05s · step 4\n_do it_", "Working · 1m 05s: do it"],
    ["retrying", running({ phase: "retrying", turns: 4 }), "🔁 *Working, retrying* · 1m 05s\n_do it_", "Working · 1m 05s: do it"],
    ["succeeded, timed to its finish", running({ phase: "succeeded", startedAt: 0, finishedAt: 7_200_000 }), "✅ *Done* in 2h 00m\n_do it_", "Done · 2h 00m: do it"],
    ["failed after starting", running({ phase: "failed", startedAt: 0, finishedAt: 10_000 }), "❌ *Failed* after 10s\n_do it_", "Failed · 10s: do it"],
    ["failed before starting", { ...queuedView("t1", "do it", 0), phase: "failed" }, "❌ *Failed*\n_do it_", "Failed: do it"],
    ["cancelled after starting", running({ phase: "cancelled", startedAt: 0, finishedAt: 59_600 }), "🚫 *Cancelled* after 1m 00s\n_do it_", "Cancelled · 1m 00s: do it"],
    [
      "the plan's progress is in the fallback text",
      running({
        todos: [
          { content: "a", status: "completed" },
          { content: "b", status: "in_progress" },
          { content: "c", status: "pending" },
        ],
      }),
      "⚙️ *Working* · 1m 05s\n_do it_",
      "Working (1/3 steps done) · 1m 05s: do it",
    ],
    [
      "Slack markup in the task is escaped: no ping, no mention, no link",
      queuedView("t1", "<!channel> ask <@U123> about a<b & c>d <https://x.test|here>", 0),
      "⏳ *Queued*\n_&lt;!channel&gt; ask &lt;@U123&gt; about a&lt;b &amp; c&gt;d &lt;https://x.test|here&gt;_",
      "Queued: &lt;!channel&gt; ask &lt;@U123&gt; about a&lt;b &amp; c&gt;d &lt;https://x.test|here&gt;",
    ],
    ["an entity typed as text is shown as typed", queuedView("t1", "R&amp;D", 0), "⏳ *Queued*\n_R&amp;amp;D_", "Queued: R&amp;amp;D"],
    ["line breaks and runs of blanks become one space", queuedView("t1", "fix\n\n  the\tbuild", 0), "⏳ *Queued*\n_fix the build_", "Queued: fix the build"],
    ["unicode and NUL bytes pass through", queuedView("t1", "résumé 😀\u0000日本", 0), "⏳ *Queued*\n_résumé 😀\u0000日本_", "Queued: résumé 😀\u0000日本"],
  ];
  for (const [title, view, statusLine, text] of cases) {
    it(title, () => {
      const card = renderProgress(view, "sections", NOW);
      assert.equal(status(card), statusLine);
      assert.equal(card.text, text);
    });
  }

  it("a long task is shortened before it is escaped, so no entity is cut", () => {
    const card = renderProgress(queuedView("t1", "&".repeat(5000), 0), "sections", NOW);
    assert.equal(status(card), `⏳ *Queued*\n_${"&amp;".repeat(199)}…_`);
    assert.equal(card.text, `Queued: ${"&amp;".repeat(149)}…`);
  });

  it("a long task of emoji is not cut inside a character", () => {
    const card = renderProgress(queuedView("t1", "😀".repeat(500), 0), "sections", NOW);
    assert.equal(status(card), `⏳ *Queued*\n_${"😀".repeat(99)}…_`);
    assert.equal(card.text, `Queued: ${"😀".repeat(74)}…`);
    assert.ok(status(card).isWellFormed() && card.text.isWellFormed());
  });
});

describe("shorten", () => {
  const cases: Array<[text: string, max: number, expected: string]> = [
    ["", 5, ""],
    ["abcde", 5, "abcde"],
    ["abcdef", 5, "abcd…"],
    ["ab😀cd", 4, "ab…"],
    ["ab😀cd", 5, "ab😀…"],
    ["😀😀😀", 4, "😀…"],
  ];
  for (const [text, max, expected] of cases) it(`${JSON.stringify(text)} to ${max}`, () => assert.equal(shorten(text, max), expected));
});

describe("renderProgress: the Cancel button", () => {
  for (const phase of ["queued", "running", "retrying", "succeeded", "failed", "cancelled"] as const) {
    const shown = !isFinal(phase);
    it(`${shown ? "is" : "is not"} on a ${phase} card`, () => {
      for (const style of ["plan_blocks", "sections"] as const) {
        const card = renderProgress(running({ phase, taskId: "3f2a9c1e-0000" }), style, NOW);
        const actions = cancel(card);
        if (!shown) {
          assert.equal(actions, undefined);
          continue;
        }
        assert.equal(blocks(card).at(-1), actions, "the button is the last block");
        const button = actions!["elements"][0];
        assert.equal(button["action_id"], CANCEL_ACTION_ID);
        assert.equal(button["value"], "3f2a9c1e-0000");
        assert.equal(button["text"]["text"], "Cancel");
        assert.equal(button["style"], "danger");
        assert.deepEqual(
          [button["confirm"]["title"]["text"], button["confirm"]["text"]["text"], button["confirm"]["confirm"]["text"], button["confirm"]["deny"]["text"]],
          ["Cancel this task?", "The agent stops at its next step.", "Cancel task", "Keep working"],
        );
      }
    });
  }
});

describe("renderProgress: the context line", () => {
  const cases: Array<[title: string, view: ProgressView, line: string | undefined]> = [
    ["nothing to say: no context block", { ...queuedView("t1", "x", 0) }, undefined],
    ["the requester", queuedView("t1", "x", 0, "U1"), "asked by <@U1>"],
    [
      "activity, note, tokens and requester, in that order",
      running({
        activity: "execute: npm\n  test",
        note: "Passed 1 new message to the agent",
        usage: usage({ input_tokens: 10_000, cache_read_input_tokens: 2_000, cache_creation_input_tokens: 300, output_tokens: 45 }),
      }),
      "▶ execute: npm test  ·  Passed 1 new message to the agent  ·  12k tokens  ·  asked by <@U1>",
    ],
    ["tokens under a thousand are counted exactly, and no requester", { ...queuedView("t1", "x", 0), usage: usage({ output_tokens: 999 }) }, "999 tokens"],
    [
      "activity and note are escaped",
      running({ activity: "execute: echo <!here> && cat <@U2>", note: "mcp: progress 5 — <!channel> & more" }),
      "▶ execute: echo &lt;!here&gt; &amp;&amp; cat &lt;@U2&gt;  ·  mcp: progress 5 — &lt;!channel&gt; &amp; more  ·  asked by <@U1>",
    ],
    ["a long activity is cut at 180", running({ activity: "a".repeat(500) }), `▶ ${"a".repeat(179)}…  ·  asked by <@U1>`],
    [
      "a final card drops the activity and note, and shows the outcome as written (it may mention who cancelled)",
      running({ phase: "cancelled", activity: "execute: ls", note: "old note", outcome: "Cancelled by <@U09CANCEL>." }),
      "Cancelled by <@U09CANCEL>.  ·  asked by <@U1>",
    ],
  ];
  for (const [title, view, line] of cases) {
    it(title, () => {
      assert.equal(context(renderProgress(view, "sections", NOW)), line);
    });
  }
});

describe("renderProgress: the plan", () => {
  const plan: Todo[] = [
    { content: "Read the <config> & logs", status: "completed" },
    { content: "Fix the *build*", status: "in_progress" },
    { content: "Open a PR for <@U123>", status: "pending" },
  ];

  it("no plan, no plan blocks", () => {
    for (const style of ["plan_blocks", "sections"] as const) {
      const types = blocks(renderProgress(running(), style, NOW)).map((b) => b["type"]);
      assert.deepEqual(types, ["section", "context", "actions"], style);
    }
  });

  it("plan_blocks: one task card per item, statuses in Slack's words", () => {
    const card = renderProgress(running({ todos: plan }), "plan_blocks", NOW);
    assert.deepEqual(
      blocks(card).map((b) => b["type"]),
      ["section", "plan", "context", "actions"],
    );
    assert.deepEqual(blocks(card)[1], {
      type: "plan",
      title: "Plan · 1/3 done",
      tasks: [
        { type: "task_card", task_id: "todo-1", title: "Read the <config> & logs", status: "complete" },
        { type: "task_card", task_id: "todo-2", title: "Fix the *build*", status: "in_progress" },
        { type: "task_card", task_id: "todo-3", title: "Open a PR for <@U123>", status: "pending" },
      ],
    });
  });

  it("plan_blocks: at most 40 cards, then how many more", () => {
    const many: Todo[] = Array.from({ length: 43 }, (_, i) => ({ content: `step ${i + 1}`, status: i < 5 ? "completed" : "pending" }));
    const card = renderProgress(running({ todos: many }), "plan_blocks", NOW);
    const planBlock = blocks(card)[1]!;
    assert.equal(planBlock["title"], "Plan · 5/43 done");
    assert.equal(planBlock["tasks"].length, 40);
    assert.equal(planBlock["tasks"][39]["title"], "step 40");
    assert.equal(blocks(card)[2]!["text"]["text"], "…and 3 more");
  });

  it("plan_blocks: a long item is cut at 150", () => {
    const card = renderProgress(running({ todos: [{ content: "x".repeat(400), status: "pending" }] }), "plan_blocks", NOW);
    assert.equal(blocks(card)[1]!["tasks"][0]["title"], `${"x".repeat(149)}…`);
  });

  it("sections: one line per item, marked by status, escaped", () => {
    const card = renderProgress(running({ todos: plan }), "sections", NOW);
    assert.deepEqual(planTexts(card), ["*Plan* · 1/3 done\n✅ ~Read the &lt;config&gt; &amp; logs~\n▶️ *Fix the *build**\n◻️ Open a PR for &lt;@U123&gt;"]);
  });

  it("sections: a long plan is split over sections of at most 2900 characters, every item kept in order", () => {
    const many: Todo[] = Array.from({ length: 60 }, (_, i) => ({ content: `${String(i + 1).padStart(3, "0")} ${"y".repeat(200)}`, status: "pending" }));
    const sections = planTexts(renderProgress(running({ todos: many }), "sections", NOW));
    assert.ok(sections.length > 1);
    for (const s of sections) assert.ok(s.length <= 2900, `${s.length}`);
    const lines = sections.join("\n").split("\n");
    assert.equal(lines[0], "*Plan* · 0/60 done");
    assert.deepEqual(
      lines.slice(1),
      many.map((t) => `◻️ ${t.content.slice(0, 149)}…`),
    );
  });

  it("sections: a plan too long for eight sections says how many more items it has", () => {
    const many: Todo[] = Array.from({ length: 400 }, (_, i) => ({ content: `${String(i + 1).padStart(3, "0")} ${"z".repeat(200)}`, status: "completed" }));
    const sections = planTexts(renderProgress(running({ todos: many }), "sections", NOW));
    assert.equal(sections.length, 8);
    const lines = sections.join("\n").split("\n");
    const shown = lines.filter((l) => l.startsWith("✅"));
    assert.deepEqual(
      shown,
      many.slice(0, shown.length).map((t) => `✅ ~${t.content.slice(0, 149)}…~`),
    );
    assert.equal(lines.at(-1), `…and ${400 - shown.length} more`);
  });
});

describe("a finished card, a long plan and the failure line", () => {
  const base = (): ProgressView => ({ ...queuedView("11111111-2222-3333-4444-555555555555", "tidy the repo", 0), phase: "running", startedAt: 0 });

  it("a failed or cancelled task's unfinished items show as errors", () => {
    for (const phase of ["failed", "cancelled"] as const) {
      const view: ProgressView = {
        ...base(),
        phase,
        finishedAt: 1000,
        todos: [
          { content: "a", status: "completed" },
          { content: "b", status: "in_progress" },
          { content: "c", status: "pending" },
        ],
      };
      const plan = renderProgress(view, "plan_blocks", 1000).blocks.find((b) => b.type === ("plan" as never)) as unknown as { tasks: Array<{ status: string }> };
      assert.deepEqual(
        plan.tasks.map((t) => t.status),
        ["complete", "error", "error"],
        phase,
      );
      const text = JSON.stringify(renderProgress(view, "sections", 1000).blocks);
      assert.match(text, /✅ ~a~\\n⚠️ \*b\*\\n⚠️ c/);
    }
    const running = renderProgress({ ...base(), todos: [{ content: "b", status: "in_progress" }] }, "plan_blocks", 1000).blocks.find((b) => b.type === ("plan" as never)) as unknown as {
      tasks: Array<{ status: string }>;
    };
    assert.deepEqual(
      running.tasks.map((t) => t.status),
      ["in_progress"],
    );
  });

  it("the sections fallback of a long plan says how many items it leaves out", () => {
    const todos = Array.from({ length: 600 }, (_, i) => ({ content: `item ${i} ${"x".repeat(100)}`, status: "pending" as const }));
    const blocks = renderProgress({ ...base(), todos }, "sections", 1000)
      .blocks.filter((b) => b.type === "section")
      .slice(1);
    const shown = blocks.map((b) => (b as { text: { text: string } }).text.text).join("\n");
    const listed = shown.match(/item \d+/g)!.length;
    assert.ok(blocks.length <= 8);
    assert.match(shown, new RegExp(`…and ${600 - listed} more$`));
    for (const b of blocks) assert.ok((b as { text: { text: string } }).text.text.length <= 3000);
  });

  it("the failure line is escaped and cut to a text object's 3,000 characters", () => {
    const view: ProgressView = { ...base(), phase: "failed", finishedAt: 1000, outcome: `<!channel> & <https://evil.example|click> ${"y".repeat(5000)}`, requester: "U123" };
    const context = renderProgress(view, "sections", 1000).blocks.find((b) => b.type === "context") as { elements: Array<{ text: string }> };
    const text = context.elements[0]!.text;
    assert.ok(text.length <= 3000, `${text.length}`);
    assert.match(text, /^&lt;!channel&gt; &amp; &lt;https:\/\/evil\.example\|click&gt; y+…/);
    const cancelled = renderProgress({ ...base(), phase: "cancelled", finishedAt: 1000, outcome: "Cancelled by <@U0CAROL>." }, "sections", 1000);
    assert.match(JSON.stringify(cancelled.blocks), /Cancelled by <@U0CAROL>\./, "our own mention of who cancelled stays a mention");
  });
});
