// The progress card as rendered: a failed or cancelled task's unfinished items show as errors, the
// text fallback of a long plan says how many items it leaves out, and the failure line is escaped
// and cut to what a text object holds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderProgress } from "../../src/slack/render/progress-card.ts";
import { queuedView, type ProgressView } from "../../src/slack/render/progress-view.ts";

const base = (): ProgressView => ({ ...queuedView("11111111-2222-3333-4444-555555555555", "tidy the repo", 0), phase: "running", startedAt: 0 });

test("a failed or cancelled task's unfinished items show as errors", () => {
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

test("the sections fallback of a long plan says how many items it leaves out", () => {
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

test("the failure line is escaped and cut to a text object's 3,000 characters", () => {
  const view: ProgressView = { ...base(), phase: "failed", finishedAt: 1000, outcome: `<!channel> & <https://evil.example|click> ${"y".repeat(5000)}`, requester: "U123" };
  const context = renderProgress(view, "sections", 1000).blocks.find((b) => b.type === "context") as { elements: Array<{ text: string }> };
  const text = context.elements[0]!.text;
  assert.ok(text.length <= 3000, `${text.length}`);
  assert.match(text, /^&lt;!channel&gt; &amp; &lt;https:\/\/evil\.example\|click&gt; y+…/);
  const cancelled = renderProgress({ ...base(), phase: "cancelled", finishedAt: 1000, outcome: "Cancelled by <@U0CAROL>." }, "sections", 1000);
  assert.match(JSON.stringify(cancelled.blocks), /Cancelled by <@U0CAROL>\./, "our own mention of who cancelled stays a mention");
});
