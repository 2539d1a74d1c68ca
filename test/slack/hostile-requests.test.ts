// Requests a careless sender or a newer Slack makes: text with a NUL byte in a mention and in
// `/agent task`, an envelope type the app has never heard of, a button nobody handles. Each is
// taken (or acknowledged) at once; nothing is dropped or answered "something went wrong".
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startHarness, type Harness } from "./slack-harness.ts";

const LIMIT = { timeout: 60_000 };

describe("hostile Slack requests", () => {
  let h: Harness;
  let work: string;
  before(async () => {
    h = await startHarness({ worker: true, script: () => ({ text: "Done." }) });
    work = h.slack.channels["work"]!;
  });
  after(() => h?.close());

  it("a mention with a NUL byte becomes a task, the NUL shown as ␀", LIMIT, async () => {
    const { ts, status } = await h.mention("alice", work, "look at before\u0000after please");
    assert.equal(status, 200);
    const task = await h.waitFor("the task", () => h.taskFor(work, ts));
    assert.equal(task.text, "look at before␀after please");
    assert.equal((await h.waitForFinish(task.id)).status, "succeeded");
  });

  it("/agent task with a NUL byte starts a task instead of 'something went wrong'", LIMIT, async () => {
    const { id } = await h.command("alice", work, "task count the \u0000 bytes");
    const reply = await h.waitFor("a task from the command", async () => (await h.tasks()).find((t) => t.text.includes("count the")));
    assert.equal(reply.text, "count the ␀ bytes");
    assert.equal(
      h.slack.responses.find((r) => r.id === id),
      undefined,
      "no error reply",
    );
    assert.equal((await h.waitForFinish(reply.id)).status, "succeeded");
  });

  it("acknowledges an envelope type it does not know with 200, not Bolt's late 404", LIMIT, async () => {
    const res = await h.send.raw(JSON.stringify({ type: "some_future_envelope", token: "x", team_id: h.slack.teamId }), "application/json");
    assert.equal(res.status, 200);
  });

  it("acknowledges a button nobody handles with 200", LIMIT, async () => {
    const res = await h.send.action({
      type: "block_actions",
      team: { id: h.slack.teamId },
      user: { id: h.slack.users["alice"] },
      channel: { id: work },
      actions: [{ action_id: "some_other_button", block_id: "b", value: "x", type: "button" }],
      response_url: h.slack.responseUrl("unhandled-button"),
      trigger_id: "1.2.3",
    });
    assert.equal(res.status, 200);
  });
});
