// The plan the user sees: the model rewrites its whole list each time, and finished work it
// leaves out stays on the plan.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Todo } from "../../src/agent/events.ts";
import { mergePlan, planSummary } from "../../src/agent/todo-plan.ts";

const done = (content: string): Todo => ({ content, status: "completed" });
const doing = (content: string): Todo => ({ content, status: "in_progress" });
const todo = (content: string): Todo => ({ content, status: "pending" });

describe("mergePlan", () => {
  const cases: Array<[title: string, shown: Todo[], next: Todo[], expected: Todo[]]> = [
    ["nothing before, nothing now", [], [], []],
    ["the first plan is shown as written", [], [doing("Read the logs"), todo("Fix the build")], [doing("Read the logs"), todo("Fix the build")]],
    ["a completed item the model leaves out is kept", [done("Read the logs"), doing("Fix the build")], [doing("Fix the build")], [done("Read the logs"), doing("Fix the build")]],
    [
      "kept items come first, in the order they were shown, then the new list in its order",
      [todo("A"), done("B"), todo("C"), done("D")],
      [doing("C"), todo("A")],
      [done("B"), done("D"), doing("C"), todo("A")],
    ],
    ["pending and in-progress items the model leaves out are dropped", [todo("A"), doing("B"), done("C")], [todo("E")], [done("C"), todo("E")]],
    ["the model emptying its list leaves the finished work", [done("A"), todo("B")], [], [done("A")]],
    ["status moves forward", [doing("A"), todo("B")], [done("A"), doing("B")], [done("A"), doing("B")]],
    ["a completed item listed again takes its new status, once", [done("A")], [todo("A")], [todo("A")]],
    ["a completed item listed again as completed is not doubled", [done("A"), done("B")], [done("A")], [done("B"), done("A")]],
    ["matching is by exact text: a reworded item is another item", [done("Fix build")], [done("fix build ")], [done("Fix build"), done("fix build ")]],
    ["duplicates in the new list are shown as given", [], [todo("A"), todo("A")], [todo("A"), todo("A")]],
    ["duplicates left out are both kept", [done("A"), done("A")], [todo("B")], [done("A"), done("A"), todo("B")]],
    ["an empty item is an item", [done("")], [todo("x")], [done(""), todo("x")]],
    [
      "any text is kept as written",
      [done("ping <@U123> &amp; <!channel>")],
      [todo("日本語 😀 \u0000 end"), todo("x".repeat(10_000))],
      [done("ping <@U123> &amp; <!channel>"), todo("日本語 😀 \u0000 end"), todo("x".repeat(10_000))],
    ],
  ];
  for (const [title, shown, next, expected] of cases) {
    it(title, () => {
      const before = structuredClone(shown);
      const merged = mergePlan(shown, next);
      assert.deepEqual(merged, expected);
      assert.deepEqual(shown, before, "the shown plan is not changed");
      // Merging the same list again changes nothing: nothing piles up with each write.
      assert.deepEqual(mergePlan(merged, next), merged);
    });
  }

  it("keeps only what a todo is, and copies it", () => {
    const next = [{ content: "A", status: "pending", priority: "high", id: 7 } as Todo];
    const merged = mergePlan([], next);
    assert.deepEqual(merged, [todo("A")]);
    next[0]!.status = "completed";
    assert.equal(merged[0]!.status, "pending");
  });

  it("finished work survives a long run of rewrites", () => {
    let shown: Todo[] = [];
    for (let step = 1; step <= 50; step++) shown = mergePlan(shown, [done(`step ${step}`), doing(`step ${step + 1}`)]);
    assert.equal(shown.length, 51);
    assert.deepEqual(shown.slice(0, 3), [done("step 1"), done("step 2"), done("step 3")]);
    assert.deepEqual(shown.slice(-2), [done("step 50"), doing("step 51")]);
  });
});

describe("planSummary", () => {
  const cases: Array<[Todo[], string]> = [
    [[], "0 completed, 0 in progress, 0 pending"],
    [[done("a"), doing("b"), todo("c"), todo("d")], "1 completed, 1 in progress, 2 pending"],
    [[done("a"), done("a")], "2 completed, 0 in progress, 0 pending"],
  ];
  for (const [todos, summary] of cases) it(summary, () => assert.equal(planSummary(todos), summary));
});
