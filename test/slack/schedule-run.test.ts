// A schedule made with `/agent schedule` in Slack, fired, and run by the real worker pool: the
// "Scheduled: …" message appears in the channel and the run works in its thread like any task
// (live progress message, result, ✅). Everything real but Slack (emulator) and Claude (scripted).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { pino } from "pino";
import { startHarness, type Harness } from "./slack-harness.ts";
import { SCHEDULE_QUEUE, schedulePolicy } from "../../src/schedule/schedule-policy.ts";
import { startScheduler, type Scheduler } from "../../src/schedule/scheduler.ts";
import { createScheduleService } from "../../src/schedule/schedule-service.ts";

const LIMIT = { timeout: 90_000 };

describe("a scheduled run in Slack", () => {
  let h: Harness;
  let scheduler: Scheduler;
  let work: string;
  before(async () => {
    h = await startHarness({ worker: true, script: [{ text: "Status: all green." }] });
    // As `deep-agent start` runs it: firings post through the Slack parts' run notices.
    scheduler = await startScheduler({
      db: h.stack.db,
      boss: h.stack.boss,
      maxQueueDepth: 100,
      notices: h.parts.runNotices,
      logger: pino({ level: "silent" }),
      policy: schedulePolicy(h.config),
    });
    work = h.slack.channels["work"]!;
  });
  after(async () => {
    await scheduler?.stop();
    await h?.close();
  });

  it('posts "Scheduled: …" in the channel and works in its thread like any task', LIMIT, async () => {
    const { ack, id } = await h.command("alice", work, 'schedule "0 9 * * 1-5" write the status report --tz Europe/Paris');
    assert.equal(ack, null);
    const reply = await h.replyTo(id);
    assert.equal(h.slack.responses.find((r) => r.id === id)!.body["response_type"], "in_channel");
    const scheduleId = /scheduled `([a-z2-9]{8})`: every weekday at 09:00 \(Europe\/Paris\)/.exec(reply)?.[1];
    assert.ok(scheduleId, reply);

    // What pg-boss sends at 09:00 on a weekday.
    await h.stack.boss.send(SCHEDULE_QUEUE, { scheduleId });
    const task = await h.waitFor("the scheduled task", async () => (await h.tasks()).find((t) => t.source === "schedule"));
    const done = await h.waitForFinish(task.id);
    assert.equal(done.status, "succeeded");
    assert.equal(done.text, "write the status report");

    const channel = await h.slack.thread(work, task.threadTs!);
    assert.match(channel[0]!.text ?? "", /^Scheduled: write the status report \(\w{3} \d{1,2} \w{3} \d{4}, 09:00 CES?T\)$/);
    const replies = channel
      .slice(1)
      .map((m) => m.text ?? "")
      .join("\n");
    assert.match(replies, /Status: all green\./, "the result is posted in the run's thread");
    assert.ok(
      (channel[0]!.reactions ?? []).some((r) => r.name === "white_check_mark"),
      "✅ on the Scheduled message",
    );

    const { id: listId } = await h.command("alice", work, "schedules");
    assert.match(await h.replyTo(listId), new RegExp(`\`${scheduleId}\` every weekday at 09:00 \\(Europe/Paris\\) — next .* — by <@${h.slack.users["alice"]}> — last: succeeded`));
  });
});

describe("a scheduled run of someone no longer allowed", () => {
  let h: Harness;
  let scheduler: Scheduler;
  before(async () => {
    h = await startHarness({ worker: true, script: [{ text: "never" }], env: (slack) => ({ ALLOWED_SLACK_USERS: slack.users["alice"]! }) });
    scheduler = await startScheduler({
      db: h.stack.db,
      boss: h.stack.boss,
      maxQueueDepth: 100,
      notices: h.parts.runNotices,
      logger: pino({ level: "silent" }),
      policy: schedulePolicy(h.config),
    });
  });
  after(async () => {
    await scheduler?.stop();
    await h?.close();
  });

  it("is not started, and posts nothing: each run checks the allow-lists again", LIMIT, async () => {
    const work = h.slack.channels["work"]!;
    // Made by carol while she could; she is off the allow-list now.
    const service = createScheduleService(h.stack.db, h.stack.boss, schedulePolicy(h.config));
    const { schedule } = await service.add({
      cron: "0 9 * * 1-5",
      text: "post the numbers",
      timeZone: "UTC",
      channelId: work,
      teamId: h.slack.teamId,
      createdBy: h.slack.users["carol"]!,
      createdVia: "slack",
    });
    const posts = h.slack.callsOf("chat.postMessage").length;
    await h.stack.boss.send(SCHEDULE_QUEUE, { scheduleId: schedule.id });
    const run = await h.waitFor("the run", async () => {
      const { rows } = await h.stack.db.query<{ outcome: string; detail: string | null }>("SELECT outcome, detail FROM schedule_runs WHERE schedule_id = $1", [schedule.id]);
      return rows[0]?.outcome === "failed" ? rows[0] : null;
    });
    assert.equal(run.detail, "not allowed: the person who made it may no longer use deep-agent");
    assert.equal(h.slack.callsOf("chat.postMessage").length, posts, "nothing posted");
    assert.equal((await h.tasks()).length, 0);
  });
});
