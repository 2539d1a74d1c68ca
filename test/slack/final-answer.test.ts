// The answer goes out the moment the task ends: it never waits for the progress card, whose final
// state may have to wait for the workspace's chat.update budget. The budget still holds: the final
// card goes out when the budget allows, and ✅ (everything shown) comes after it.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { startHarness, type Harness } from "./slack-harness.ts";
import { manualClock } from "../helpers/manual-clock.ts";
import { waitFor } from "../helpers/wait-for.ts";

describe("the answer in the thread", () => {
  let h: Harness | undefined;
  let time: ReturnType<typeof manualClock> | undefined;
  after(async () => {
    // Whatever still waits for the budget may go, so the worker drains.
    await time?.advance(10 * 60_000);
    await h?.close();
  });

  it("is posted at once while the card's final state waits for the update budget, which still holds", { timeout: 60_000 }, async () => {
    time = manualClock();
    // One update a minute, one at a time: the card's first live update spends it.
    h = await startHarness({
      worker: true,
      clock: time.clock,
      updateBudget: { perMinute: 2, burst: 1 },
      script: async (req) => {
        if (req.body.messages.length === 1) return { toolCalls: [{ name: "execute", input: { command: "echo step" } }] };
        // The answer comes once the card's live update has spent the budget.
        await waitFor("the card's live update", () => h!.slack.callsOf("chat.update").some((c) => c.ok));
        return { text: "The answer is 42." };
      },
    });
    const work = h.slack.channels["work"]!;
    const { ts } = await h.mention("alice", work, "what is the answer?");
    const task = await h.waitFor("the task", () => h!.taskFor(work, ts));
    const cardTs = (task.meta["slack"] as { progressTs: string }).progressTs;

    const answer = await h.waitFor("the answer in the thread", async () => h!.slack.callsOf("chat.postMessage").find((c) => JSON.stringify(c.params).includes("The answer is 42.")));
    const cardUpdates = () => h!.slack.callsOf("chat.update").filter((c) => c.params["ts"] === cardTs && c.ok);
    assert.ok(cardUpdates().length <= 1, "no more than the budget's one update went to the card");
    assert.ok(
      // (The text, not the blocks: the transcript link's token may hold any digits.)
      !cardUpdates().some((c) => String(c.params["text"]).startsWith("Done")),
      `the card does not show the final state yet: ${JSON.stringify(cardUpdates().map((c) => c.params["text"]))}`,
    );
    assert.equal((await h.task(task.id))?.status, "succeeded", "the outcome is recorded");

    // A minute later the budget allows the final state; the ✅ comes after it.
    await time.advance(60_000);
    const done = await h.waitForFinish(task.id);
    assert.equal(done.status, "succeeded");
    const final = cardUpdates().at(-1)!;
    assert.match(String(final.params["text"]), /^Done/, "the card shows the final state");
    assert.ok(h.slack.calls.indexOf(final) > h.slack.calls.indexOf(answer), "the card's final state followed the answer");
    const updates = cardUpdates();
    assert.ok(updates.length <= 2, `${updates.length} card updates in one budget minute and the next`);
  });
});
