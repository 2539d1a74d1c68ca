// Keeping a long conversation inside the context window: what is replaced by a note, what is
// kept, and that the conversation stays one the API accepts (every tool_result right after the
// assistant message with its tool_use, the task first).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type Anthropic from "@anthropic-ai/sdk";
import type { Message } from "../../src/agent/run-options.ts";
import { dropOldToolResults, dropOldTurns, TokenEstimator } from "../../src/agent/compaction.ts";

type Block = Anthropic.ContentBlockParam;

const task = (text = "fix the nightly build"): Message => ({ role: "user", content: [{ type: "text", text }] });
const calls = (...tools: Array<[id: string, name: string]>): Message => ({
  role: "assistant",
  content: [{ type: "text", text: "working" }, ...tools.map(([id, name]): Block => ({ type: "tool_use", id, name, input: {} }))],
});
const results = (...items: Array<[id: string, content: Anthropic.ToolResultBlockParam["content"]]>): Message => ({
  role: "user",
  content: items.map(([id, content]): Block => ({ type: "tool_result", tool_use_id: id, content })),
});
const answer = (text: string): Message => ({ role: "assistant", content: [{ type: "text", text }] });
const note = (name: string, size: number) => `[output removed to save context: ${name} returned ${size} characters here; run it again if you need them]`;

/** The task, then `turns` turns of tool calls (two in parallel every third turn), then optionally an answer. */
function conversation(turns: number, options: { answer?: boolean; inbox?: boolean } = {}): Message[] {
  const messages: Message[] = [task()];
  for (let t = 1; t <= turns; t++) {
    if (t % 3 === 0) {
      messages.push(calls([`a${t}`, "execute"], [`b${t}`, "read_file"]));
      messages.push(results([`a${t}`, `out ${t}`.repeat(t)], [`b${t}`, `file ${t}`]));
    } else {
      messages.push(calls([`a${t}`, "execute"]));
      messages.push(results([`a${t}`, `out ${t}`.repeat(t)]));
    }
    if (options.inbox && t === 2) (messages.at(-1)!.content as Block[]).push({ type: "text", text: "[New message from the user while you were working]\nalso the tests" });
  }
  if (options.answer) messages.push(answer("done"));
  return messages;
}

/** What the API requires of the messages compaction hands back. */
function assertValid(messages: readonly Message[]): void {
  assert.equal(messages[0]?.role, "user", "the first message is the user's");
  messages.forEach((m, i) => {
    if (i > 0) assert.notEqual(m.role, messages[i - 1]!.role, `roles alternate at ${i}`);
    if (typeof m.content === "string") return;
    const uses = (n: number) => {
      const prev = messages[n];
      return prev && typeof prev.content !== "string" ? prev.content.flatMap((b) => (b.type === "tool_use" ? [b.id] : [])) : [];
    };
    for (const b of m.content) {
      if (b.type === "tool_result") assert.ok(m.role === "user" && uses(i - 1).includes(b.tool_use_id), `tool_result ${b.tool_use_id} at ${i} follows its tool_use`);
      if (b.type === "tool_use" && i + 1 < messages.length) {
        const next = messages[i + 1]!;
        assert.ok(typeof next.content !== "string" && next.content.some((r) => r.type === "tool_result" && r.tool_use_id === b.id), `tool_use ${b.id} at ${i} is answered next`);
      }
    }
  });
}

it("the validity check catches what the API would refuse", () => {
  const good = conversation(3);
  assertValid(good);
  assert.throws(() => assertValid(good.slice(1)), /first message/);
  assert.throws(() => assertValid([good[0]!, ...good.slice(2)]), /roles alternate/);
  assert.throws(() => assertValid([good[0]!, good[1]!, answer("x"), ...good.slice(2)]), /roles alternate|follows its tool_use|answered next/);
  assert.throws(() => assertValid([good[0]!, good[3]!, good[2]!]), /follows its tool_use|answered next/);
});

const resultsOf = (messages: readonly Message[]) =>
  messages.flatMap((m) => (typeof m.content === "string" ? [] : m.content.flatMap((b) => (b.type === "tool_result" ? [{ id: b.tool_use_id, content: b.content }] : []))));

describe("dropOldToolResults", () => {
  // conversation(5): user turns are the task and five turns of results, the third with two results.
  const table: Array<[keepRecent: number, dropped: number, keptIds: string[]]> = [
    [0, 6, []],
    [1, 5, ["a5"]],
    [2, 4, ["a4", "a5"]],
    [3, 2, ["a3", "b3", "a4", "a5"]],
    [4, 1, ["a2", "a3", "b3", "a4", "a5"]],
    [5, 0, ["a1", "a2", "a3", "b3", "a4", "a5"]],
    [6, 0, ["a1", "a2", "a3", "b3", "a4", "a5"]],
    [100, 0, ["a1", "a2", "a3", "b3", "a4", "a5"]],
  ];
  for (const [keepRecent, dropped, keptIds] of table) {
    it(`keeping the last ${keepRecent} user turns drops ${dropped} results`, () => {
      const before = conversation(5);
      const original = structuredClone(before);
      const out = dropOldToolResults(before, keepRecent);
      assert.equal(out.droppedResults, dropped);
      assert.equal(out.droppedMessages, 0);
      assert.equal(out.messages.length, before.length, "no message is removed");
      assert.deepEqual(before, original, "the input is not changed");
      const kept = resultsOf(out.messages).filter((r) => !String(r.content).startsWith("[output removed"));
      assert.deepEqual(
        kept.map((r) => r.id),
        keptIds,
      );
      for (const r of kept)
        assert.deepEqual(
          r,
          resultsOf(original).find((o) => o.id === r.id),
          "a kept result is untouched",
        );
      assertValid(out.messages);
    });
  }

  it("the note names the tool and the size of what it returned", () => {
    const out = dropOldToolResults(conversation(5), 0);
    assert.deepEqual(
      resultsOf(out.messages).map((r) => r.content),
      [note("execute", 5), note("execute", 10), note("execute", 15), note("read_file", 6), note("execute", 20), note("execute", 25)],
    );
  });

  it("the call stays: the assistant messages are the same objects", () => {
    const before = conversation(4);
    const out = dropOldToolResults(before, 0);
    before.forEach((m, i) => {
      if (m.role === "assistant") assert.equal(out.messages[i], m);
    });
  });

  it("sizes: text counted by characters, anything else as 1000, no content as 0; a call not found is a 'tool'", () => {
    const messages: Message[] = [
      task(),
      calls(["x", "fetch_page"], ["y", "screenshot"], ["z", "execute"]),
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "x",
            content: [
              { type: "text", text: "abc" },
              { type: "text", text: "de" },
            ],
          },
          {
            type: "tool_result",
            tool_use_id: "y",
            content: [
              { type: "text", text: "shot:" },
              { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
            ],
          },
          { type: "tool_result", tool_use_id: "z" },
          { type: "tool_result", tool_use_id: "ghost", content: "日本語😀" },
        ],
      },
      answer("done"),
      task("thanks"),
    ];
    const out = dropOldToolResults(messages, 1);
    assert.equal(out.droppedResults, 4);
    assert.deepEqual(
      resultsOf(out.messages).map((r) => r.content),
      [note("fetch_page", 5), note("screenshot", 1005), note("execute", 0), note("tool", 5)],
    );
  });

  it("keeps everything else of a result (its id, is_error) and the text beside it (a message from the user)", () => {
    const messages: Message[] = [
      task(),
      calls(["e1", "execute"]),
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "e1", is_error: true, content: "exit 1" },
          { type: "text", text: "<@U123> & more" },
        ],
      },
      answer("a"),
      task("b"),
    ];
    const out = dropOldToolResults(messages, 1);
    assert.deepEqual(out.messages[2], {
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "e1", is_error: true, content: note("execute", 6) },
        { type: "text", text: "<@U123> & more" },
      ],
    });
  });

  it("a result already replaced is not replaced or counted again", () => {
    const once = dropOldToolResults(conversation(6, { inbox: true }), 1);
    const twice = dropOldToolResults(once.messages, 0);
    assert.equal(twice.droppedResults, 2, "only the newest turn's two results, kept the first time");
    assert.deepEqual(twice.messages.slice(0, -1), once.messages.slice(0, -1));
    const thrice = dropOldToolResults(twice.messages, 0);
    assert.equal(thrice.droppedResults, 0);
    assert.deepEqual(thrice.messages, twice.messages);
  });

  it("messages written as a plain string are left alone", () => {
    const messages: Message[] = [{ role: "user", content: "do it" }, answer("ok"), { role: "user", content: "and this" }];
    const out = dropOldToolResults(messages, 0);
    assert.equal(out.droppedResults, 0);
    assert.deepEqual(out.messages, messages);
  });

  it("an empty conversation stays empty", () => {
    assert.deepEqual(dropOldToolResults([], 0), { messages: [], droppedResults: 0, droppedMessages: 0 });
  });

  it("a result of a million characters becomes a short note", () => {
    const messages: Message[] = [task(), calls(["big", "execute"]), results(["big", "x".repeat(1_000_000)]), answer("ok"), task("more")];
    const out = dropOldToolResults(messages, 1);
    assert.equal(resultsOf(out.messages)[0]!.content, note("execute", 1_000_000));
  });
});

describe("dropOldTurns", () => {
  const removed = (n: number) => `[${n} earlier messages of this task were removed to fit the context window; the work they did is in the sandbox]`;

  // conversation(5): 11 messages, the last a user message of results.
  const table: Array<[keepLast: number, dropped: number, tailFrom: number | null]> = [
    [0, 0, null],
    [1, 0, null], // the last message is a user's: no assistant message to start the tail with
    [2, 8, 9],
    [3, 8, 9],
    [4, 6, 7],
    [5, 6, 7],
    [8, 2, 3],
    [9, 2, 3], // the tail would open with a user's message (index 2): it opens at 3
    [10, 0, null], // the task and ten more are all there is
    [50, 0, null],
  ];

  for (const [keepLast, dropped, tailFrom] of table) {
    it(`keeping the last ${keepLast} messages drops ${dropped}`, () => {
      const before = conversation(5);
      const original = structuredClone(before);
      const out = dropOldTurns(before, keepLast);
      assert.deepEqual(before, original, "the input is not changed");
      assert.equal(out.droppedMessages, dropped);
      assert.equal(out.droppedResults, 0);
      if (tailFrom === null) {
        assert.deepEqual(out.messages, before);
      } else {
        assert.deepEqual(out.messages[0], {
          role: "user",
          content: [
            { type: "text", text: "fix the nightly build" },
            { type: "text", text: removed(dropped) },
          ],
        });
        assert.deepEqual(out.messages.slice(1), before.slice(tailFrom));
        assert.equal(out.messages.length, 1 + before.length - tailFrom);
      }
      assertValid(out.messages);
    });
  }

  it("the conversation stays valid for every size kept, with parallel calls, messages from the user and a final answer", () => {
    for (const turns of [0, 1, 2, 3, 7, 12]) {
      for (const shape of [{}, { answer: true }, { inbox: true }, { answer: true, inbox: true }]) {
        const before = conversation(turns, shape);
        assertValid(before);
        for (let keep = 0; keep <= before.length + 1; keep++) {
          const out = dropOldTurns(before, keep);
          assertValid(out.messages);
          assert.equal(out.messages.length, before.length - out.droppedMessages);
          assert.deepEqual(out.messages.at(-1), before.at(-1), "the newest message is kept");
          if (out.droppedMessages > 0) {
            assert.equal(out.messages[1]!.role, "assistant");
            assert.ok(out.messages.length - 1 >= keep - 1, `turns ${turns} keep ${keep}: at most one message fewer than asked is kept`);
          }
        }
      }
    }
  });

  it("the task written as a plain string becomes a text block, with the note after it", () => {
    const messages: Message[] = [{ role: "user", content: "the task <@U1> &amp; 😀" }, ...conversation(4).slice(1)];
    const out = dropOldTurns(messages, 2);
    assert.deepEqual(out.messages[0], {
      role: "user",
      content: [
        { type: "text", text: "the task <@U1> &amp; 😀" },
        { type: "text", text: removed(6) },
      ],
    });
  });

  it("a conversation that does not open with the user's message is left as it is", () => {
    const messages = conversation(4).slice(1);
    const out = dropOldTurns(messages, 2);
    assert.equal(out.droppedMessages, 0);
    assert.deepEqual(out.messages, messages);
  });

  it("after the tool results, then the turns: what the engine does when results alone do not fit", () => {
    const before = conversation(12, { inbox: true, answer: true });
    const results = dropOldToolResults(before, 0);
    const turns = dropOldTurns(results.messages, 4);
    assertValid(turns.messages);
    // 26 messages: a tail of 4 would open with results (22), so it opens at the next call (23).
    assert.equal(turns.messages.length, 4);
    assert.equal(turns.droppedMessages, 22);
    assert.ok(resultsOf(turns.messages).every((r) => String(r.content).startsWith("[output removed")));
  });
});

describe("TokenEstimator", () => {
  it("starts at 3.5 characters a token, rounding up", () => {
    const e = new TokenEstimator();
    const table: Array<[chars: number, tokens: number]> = [
      [0, 0],
      [1, 1],
      [4, 2],
      [7, 2],
      [35, 10],
      [3_500, 1_000],
      [1_000_000, 285_715],
    ];
    for (const [chars, tokens] of table) assert.equal(e.estimate(chars), tokens, `${chars} characters`);
  });

  it("takes the ratio the API last reported", () => {
    const e = new TokenEstimator();
    e.calibrate(1_000, 500);
    assert.equal(e.estimate(1_000), 500);
    assert.equal(e.estimate(3), 2);
    e.calibrate(4_000, 1_000);
    assert.equal(e.estimate(1_000), 250, "the newest report replaces the last");
  });

  it("ignores a report without characters or tokens, and keeps the last good ratio", () => {
    const e = new TokenEstimator();
    e.calibrate(1_000, 500);
    for (const [chars, tokens] of [
      [0, 100],
      [100, 0],
      [-5, 100],
      [100, -5],
      [Number.NaN, 100],
      [100, Number.NaN],
    ] as const) {
      e.calibrate(chars, tokens);
      assert.equal(e.estimate(1_000), 500, `calibrate(${chars}, ${tokens})`);
    }
  });
});
