// Socket Mode: the real Bolt app opens its connection through apps.connections.open, gets the
// double's `hello`, and acknowledges events, slash commands and button clicks by envelope id
// before doing the work.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startHarness, type Harness } from "./slack-harness.ts";

const LIMIT = { timeout: 60_000 };

describe("Socket Mode", () => {
  let h: Harness;
  let work: string;
  before(async () => {
    h = await startHarness({ mode: "socket" });
    work = h.slack.channels["work"]!;
  });
  after(() => h?.close());

  it("connects with the app token and serves no Slack route over HTTP", LIMIT, async () => {
    assert.equal(h.intake.mode, "socket");
    assert.equal(h.slack.callsOf("apps.connections.open").length >= 1, true);
    const res = await fetch(`http://127.0.0.1:${h.http.port}/slack/events`, { method: "POST", body: "{}" });
    assert.equal(res.status, 404);
  });

  it("acknowledges a mention, redeliveries included, and makes one task of it", LIMIT, async () => {
    const { ts, event } = await h.say("alice", work, `<@${h.slack.bot.userId}> archive old branches`);
    const mention = { ...event, type: "app_mention" };
    delete (mention as Record<string, unknown>)["channel_type"];
    const body = { token: "x", team_id: h.slack.teamId, api_app_id: "A0DEEPAGENT", event: mention, type: "event_callback", event_id: "EvSOCKET01", event_time: 1 };
    const acks = await Promise.all([0, 1, 2].map((retry) => h.socket!.send("events_api", body, { retryAttempt: retry })));
    assert.equal(acks.length, 3, "every envelope is acknowledged");
    await h.idle();
    const tasks = (await h.tasks()).filter((t) => t.threadTs === ts);
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0]!.text, "archive old branches");
    const thread = await h.thread(work, ts);
    assert.match(thread[1]!.text, /Queued/);
  });

  it("answers /agent help in the acknowledgement and cancels by button", LIMIT, async () => {
    const help = await h.command("bob", work, "help");
    assert.equal(help.ack?.["response_type"], "ephemeral");
    assert.match(String(help.ack?.["text"]), /\/agent queue/);

    const { ts } = await h.mention("bob", work, "rotate the logs");
    await h.idle();
    const task = (await h.taskFor(work, ts))!;
    const click = await h.click("bob", work, (task.meta["slack"] as { progressTs: string }).progressTs, task.id);
    assert.match(await h.replyTo(click.id), /Cancelled task/);
    await h.idle();
    assert.equal((await h.task(task.id))!.status, "cancelled");
  });
});
