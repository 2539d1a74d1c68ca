// A schedule made with `/agent schedule` in Slack, fired, and run by the real worker pool: the
// "Scheduled: …" message appears in the channel and the run works in its thread like any task
// (live progress message, result, ✅). Everything real but Slack (emulator) and Claude (scripted).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { pino } from "pino";
import { startHarness, type Harness } from "./slack-harness.ts";
import type { ExtraSubcommand } from "../../src/slack/intake/intake-context.ts";
import { scheduleSubcommands } from "../../src/slack/schedules/subcommands.ts";
import { startSchedulerRole } from "../../src/cli/scheduler-role.ts";
import { SCHEDULE_QUEUE } from "../../src/schedule/schedule-policy.ts";
import type { Scheduler } from "../../src/schedule/scheduler.ts";

const LIMIT = { timeout: 90_000 };

describe("a scheduled run in Slack", () => {
  let h: Harness;
  let scheduler: Scheduler;
  let work: string;
  // The subcommands need the harness's database, which exists only once it has started.
  let registered: Record<string, ExtraSubcommand> = {};
  const late = (name: string): ExtraSubcommand => ({ help: `• \`/agent ${name}\``, run: (args, caller) => registered[name]!.run(args, caller) });

  before(async () => {
    h = await startHarness({ worker: true, script: [{ text: "Status: all green." }], subcommands: { schedule: late("schedule"), schedules: late("schedules"), unschedule: late("unschedule") } });
    registered = scheduleSubcommands({ db: h.stack.db, boss: h.stack.boss, client: h.intake.context.clients.api });
    scheduler = await startSchedulerRole(h.stack, h.config, pino({ level: "silent" }));
    work = h.slack.channels["work"]!;
  });
  after(async () => {
    await scheduler?.stop();
    await h?.close();
  });

  it("posts \"Scheduled: …\" in the channel and works in its thread like any task", LIMIT, async () => {
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
    const replies = channel.slice(1).map((m) => m.text ?? "").join("\n");
    assert.match(replies, /Status: all green\./, "the result is posted in the run's thread");
    assert.ok((channel[0]!.reactions ?? []).some((r) => r.name === "white_check_mark"), "✅ on the Scheduled message");

    const { id: listId } = await h.command("alice", work, "schedules");
    assert.match(await h.replyTo(listId), new RegExp(`\`${scheduleId}\` every weekday at 09:00 \\(Europe/Paris\\) — next .* — by <@${h.slack.users["alice"]}> — last: succeeded`));
  });
});
