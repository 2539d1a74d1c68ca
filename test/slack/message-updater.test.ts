// The progress message updater with the real Web API client against the Slack emulator (behind
// the recording proxy): changes are coalesced, a 429 is waited out and the final state still
// arrives, and a workspace that refuses plan blocks gets the plan as text.
import { createScrubber } from "../../src/shared/scrub-secrets.ts";
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { pino } from "pino";
import { startSlackWorkspace, type SlackWorkspace } from "../doubles/slack/slack-workspace.ts";
import { createSlackClients, type SlackClients } from "../../src/slack/api/web-client.ts";
import { MessageUpdater, createPlanStyleMemo, type PlanStyleMemo } from "../../src/slack/thread/message-updater.ts";
import { renderProgress } from "../../src/slack/render/progress-card.ts";
import { queuedView, type ProgressView } from "../../src/slack/render/progress-view.ts";

const LIMIT = { timeout: 30_000 };
const logger = pino({ level: "silent" });

describe("progress message updates", () => {
  let slack: SlackWorkspace;
  let clients: SlackClients;
  let channel: string;
  before(async () => {
    slack = await startSlackWorkspace();
    clients = createSlackClients({ token: slack.botToken, apiUrl: slack.apiUrl, logger, scrubber: createScrubber([]) });
    channel = slack.channels["work"]!;
  });
  after(() => slack?.close());

  async function progressMessage(): Promise<{ view: ProgressView; ts: string; updater: (memo: PlanStyleMemo, minIntervalMs?: number) => MessageUpdater }> {
    const view: ProgressView = { ...queuedView("11111111-2222-3333-4444-555555555555", "tidy the repo", 1), phase: "running", startedAt: Date.now() };
    const posted = await clients.api.chat.postMessage({ channel, text: "Queued" });
    const ts = posted.ts!;
    return {
      view,
      ts,
      updater: (memo, minIntervalMs) =>
        new MessageUpdater({
          client: clients.progress,
          channel,
          ts,
          team: slack.teamId,
          render: (style) => renderProgress(view, style, Date.now()),
          planStyles: memo,
          logger,
          ...(minIntervalMs ? { minIntervalMs } : {}),
        }),
    };
  }

  const updatesOf = (ts: string) => slack.callsOf("chat.update").filter((c) => c.params["ts"] === ts);

  it("coalesces a burst of changes into a couple of updates, ending with the latest state", LIMIT, async () => {
    const { view, ts, updater: make } = await progressMessage();
    const updater = make(createPlanStyleMemo());
    for (let i = 1; i <= 50; i++) {
      view.todos = Array.from({ length: 5 }, (_, k) => ({ content: `step ${k + 1}`, status: k < i / 10 ? "completed" : "pending" }));
      view.activity = `execute: make step-${i}`;
      updater.changed();
    }
    view.phase = "succeeded";
    view.finishedAt = Date.now();
    assert.equal(await updater.finish(), true);
    const calls = updatesOf(ts);
    assert.ok(calls.length <= 2, `50 changes made ${calls.length} updates`);
    const message = await slack.message(channel, ts);
    assert.match(message!.text, /^Done \(5\/5 steps done\)/);
    assert.match(JSON.stringify(message!.blocks), /"type":"plan"/, "the plan is shown as Slack's plan block");
  });

  it("waits out a 429 on chat.update (Retry-After) and still delivers the final state", LIMIT, async () => {
    const { view, ts, updater: make } = await progressMessage();
    const updater = make(createPlanStyleMemo());
    slack.fail("chat.update", { retryAfter: 1, times: 2 });
    view.todos = [{ content: "read the code", status: "in_progress" }];
    updater.changed();
    view.todos = [{ content: "read the code", status: "completed" }];
    view.phase = "failed";
    view.outcome = "It ran out of time.";
    view.finishedAt = Date.now();
    assert.equal(await updater.finish(), true, "the final update is not dropped");
    const calls = updatesOf(ts);
    assert.deepEqual(
      calls.map((c) => c.status),
      [429, 429, 200],
    );
    assert.equal(updater.stats.rateLimited, 2);
    const message = await slack.message(channel, ts);
    assert.match(message!.text, /^Failed \(1\/1 steps done\)/);
    assert.match(JSON.stringify(message!.blocks), /ran out of time/);
  });

  it("shows the plan as text where the workspace refuses plan blocks, and remembers that", LIMIT, async () => {
    slack.refuseBlockTypes(["plan", "task_card"]);
    try {
      const memo = createPlanStyleMemo();
      const first = await progressMessage();
      first.view.todos = [
        { content: "clone", status: "completed" },
        { content: "build", status: "in_progress" },
        { content: "test", status: "pending" },
      ];
      const updater = first.updater(memo);
      updater.changed();
      assert.equal(await updater.finish(), true);
      const refused = updatesOf(first.ts);
      assert.deepEqual(
        refused.map((c) => c.error ?? "ok"),
        ["invalid_blocks", "ok"],
      );
      const message = await slack.message(channel, first.ts);
      const blocks = JSON.stringify(message!.blocks);
      assert.doesNotMatch(blocks, /"type":"plan"/);
      assert.match(blocks, /✅ ~clone~\\n▶️ \*build\*\\n◻️ test/);

      // The next message in that workspace goes straight to the text form.
      const second = await progressMessage();
      second.view.todos = [{ content: "deploy", status: "pending" }];
      assert.equal(await second.updater(memo).finish(), true);
      assert.deepEqual(
        updatesOf(second.ts).map((c) => c.error ?? "ok"),
        ["ok"],
      );
    } finally {
      slack.refuseBlockTypes([]);
    }
  });

  it("takes a malformed payload for what it is: this message goes simpler, the workspace keeps its plan blocks", LIMIT, async () => {
    const memo = createPlanStyleMemo();
    const first = await progressMessage();
    first.view.todos = [{ content: "build", status: "in_progress" }];
    slack.fail("chat.update", { error: "invalid_blocks", messages: ["[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"] });
    assert.equal(await first.updater(memo).finish(), true);
    assert.deepEqual(
      updatesOf(first.ts).map((c) => c.error ?? "ok"),
      ["invalid_blocks", "ok"],
    );
    assert.doesNotMatch(JSON.stringify((await slack.message(channel, first.ts))!.blocks), /"type":"plan"/, "this message went on as sections");
    assert.equal(memo.get(slack.teamId), "plan_blocks", "not taken as a workspace without plan blocks");

    const second = await progressMessage();
    second.view.todos = [{ content: "deploy", status: "pending" }];
    assert.equal(await second.updater(memo).finish(), true);
    assert.match(JSON.stringify((await slack.message(channel, second.ts))!.blocks), /"type":"plan"/);
  });

  it("gives every update new block ids, all marked as a card's", LIMIT, async () => {
    const { view, ts, updater: make } = await progressMessage();
    const updater = make(createPlanStyleMemo(), 10);
    view.todos = [{ content: "one", status: "in_progress" }];
    updater.changed();
    await new Promise((r) => setTimeout(r, 300));
    view.todos = [{ content: "one", status: "completed" }];
    assert.equal(await updater.finish(), true);
    const ids = updatesOf(ts).map((c) => (c.params["blocks"] as Array<{ block_id: string }>).map((b) => b.block_id));
    assert.equal(ids.length, 2);
    assert.ok(
      ids.flat().every((id) => id.startsWith("deep_agent_card.")),
      JSON.stringify(ids),
    );
    assert.equal(new Set(ids.flat()).size, ids.flat().length, "no block id is used twice");
  });

  it("stops updating a message that was deleted", LIMIT, async () => {
    const { view, ts, updater: make } = await progressMessage();
    await clients.api.chat.delete({ channel, ts });
    const updater = make(createPlanStyleMemo());
    view.note = "still working";
    updater.changed();
    assert.equal(await updater.finish(), false);
    assert.equal(updatesOf(ts).length, 1, "one try, then it gives up");
  });
});
