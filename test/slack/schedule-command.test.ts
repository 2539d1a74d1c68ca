// `/agent schedule`, `/agent schedules` and `/agent unschedule` as the Slack command router calls
// them: replies, the creator's zone, who may remove, and bad input answered to the caller only
// with nothing stored.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { pino } from "pino";
import type { PgBoss } from "pg-boss";
import { eachDatabase, createTarget, type TestTarget } from "../helpers/test-database.ts";
import { openDatabase } from "../../src/store/open-database.ts";
import { migrate } from "../../src/store/migrate.ts";
import { startBoss } from "../../src/queue/boss.ts";
import { queuePolicy } from "../../src/queue/queue-policy.ts";
import type { Database } from "../../src/store/database.ts";
import { createScheduleService, type ScheduleService } from "../../src/schedule/schedule-service.ts";
import { SCHEDULE_QUEUE, schedulePolicy } from "../../src/schedule/schedule-policy.ts";
import { handleScheduleCommand, slackUserTimeZone, type SlackScheduleContext } from "../../src/slack/schedules/schedule-command.ts";
import { startSlackWorkspace, type SlackWorkspace } from "../doubles/slack/slack-workspace.ts";

const logger = pino({ level: "silent" });

eachDatabase((kind) => {
  describe(`/agent schedule commands on ${kind}`, () => {
    let target: TestTarget;
    let db: Database;
    let boss: PgBoss;
    let slack: SlackWorkspace;
    let service: ScheduleService;

    const ctx = (over: Partial<SlackScheduleContext> = {}): SlackScheduleContext => ({
      service,
      userId: "U0ALICE",
      channelId: "C0TEAM",
      teamId: "T0TEAM",
      admin: false,
      userTimeZone: async () => "Asia/Tokyo",
      ...over,
    });
    const stored = async () => (await service.list()).map((s) => s.id).sort();
    const idIn = (text: string) => /scheduled `([a-z2-9]{8})`/.exec(text)?.[1];

    before(async () => {
      target = await createTarget(kind, { migrated: true });
      db = await openDatabase(target.config, { role: "server" });
      await migrate(db);
      boss = await startBoss(db, queuePolicy({ TASK_TIMEOUT_SECONDS: 60, WORKER_CONCURRENCY: 2 }), { supervise: false, logger });
      slack = await startSlackWorkspace();
      service = createScheduleService(db, boss, { ...schedulePolicy({}), maxPerChannel: 3 });
    });
    after(async () => {
      await boss?.stop({ graceful: false, close: true });
      await db?.close();
      await slack?.close();
      await target?.cleanup();
    });

    it("confirms a new schedule in the channel with its id and next three runs", async () => {
      const reply = await handleScheduleCommand("schedule", '"*/30 * * * *" check the nightly build --tz America/New_York', ctx());
      assert.equal(reply.visibility, "in_channel");
      const id = idIn(reply.text);
      assert.ok(id, reply.text);
      assert.match(reply.text, /^<@U0ALICE> scheduled `[a-z2-9]{8}`: every 30 minutes \(America\/New_York\)\n> check the nightly build\n/);
      const next = /^Next runs: (.*)$/m.exec(reply.text)![1]!.split(" · ");
      assert.equal(next.length, 3);
      for (const t of next) assert.match(t, /^\w{3} \d{1,2} \w{3} \d{4}, \d\d:(00|30) E[SD]T$/);
      assert.match(reply.text, new RegExp(`/agent unschedule ${id}`));
      const [s] = (await service.list("C0TEAM")).filter((x) => x.id === id);
      assert.deepEqual([s!.teamId, s!.createdBy, s!.createdVia, s!.text], ["T0TEAM", "U0ALICE", "slack", "check the nightly build"]);
      assert.ok(await boss.getSchedule(SCHEDULE_QUEUE, id!));
    });

    it("uses the creator's Slack time zone, or UTC when the profile has none", async () => {
      const fromProfile = await handleScheduleCommand("schedule", '"0 9 * * 1-5" post the standup summary', ctx());
      assert.match(fromProfile.text, /every weekday at 09:00 \(Asia\/Tokyo\)/);
      assert.match(fromProfile.text, /09:00 GMT\+9/);
      // The emulated workspace's profiles carry no zone, like a profile whose owner never set one.
      const none = await handleScheduleCommand(
        "schedule",
        '"0 9 * * 1-5" post the standup summary',
        ctx({ channelId: "C0OTHER", userTimeZone: () => slackUserTimeZone(slack.botClient(), slack.users["alice"]!) }),
      );
      assert.match(none.text, /\(UTC — your Slack profile has no time zone, so UTC; add `--tz Area\/City` to choose\)/);
    });

    it("lists the channel's schedules only, to the caller", async () => {
      const reply = await handleScheduleCommand("schedules", "", ctx());
      assert.equal(reply.visibility, "ephemeral");
      assert.match(reply.text, /^\*Schedules in this channel \(2\)\*\n/);
      assert.match(reply.text, /every 30 minutes \(America\/New_York\) — next .* — by <@U0ALICE> — last: never run/);
      assert.doesNotMatch(reply.text, /\(UTC\)/, "C0OTHER's schedule is not listed");
      const empty = await handleScheduleCommand("schedules", "", ctx({ channelId: "C0EMPTY" }));
      assert.match(empty.text, /^No schedules in this channel/);
    });

    it("answers bad input to the caller only and stores nothing", async () => {
      const before = await stored();
      await handleScheduleCommand("schedule", '"0 12 * * *" third one fills the channel', ctx());
      const full = await stored();
      const cases: Array<[Parameters<typeof handleScheduleCommand>[0], string, RegExp]> = [
        ["schedule", "0 9 * * 1-5 post it", /put the cron expression in double quotes/],
        ["schedule", '"0 9 * * 1-5 * *" post it', /has 7 fields/],
        ["schedule", '"0 9 * * 1-5" post it --tz Mars/Olympus_Mons', /unknown time zone "Mars\/Olympus_Mons"/],
        ["schedule", '"0 9 * * 1-5"', /task text is missing/],
        ["schedule", '"0 8 * * *" one too many', /this channel already has 3 schedules, the most allowed \(MAX_SCHEDULES_PER_CHANNEL=3\); remove one first with `\/agent unschedule <id>`/],
        ["unschedule", "nosuchid", /no schedule with id "nosuchid"; `\/agent schedules` shows the ids/],
        ["unschedule", "", /give one schedule id/],
        ["schedule", `resume ${full[0]}`, /is not paused; nothing to resume/],
      ];
      for (const [sub, args, expected] of cases) {
        const reply = await handleScheduleCommand(sub, args, ctx());
        assert.equal(reply.visibility, "ephemeral", args);
        assert.match(reply.text, expected, args);
        assert.match(reply.text, /\nUsage: `\/agent schedule "<cron>" <task>/, args);
      }
      assert.deepEqual(await stored(), full);
      assert.equal(full.length, before.length + 1);
    });

    it("lets only the creator or an admin remove a schedule", async () => {
      const created = await handleScheduleCommand("schedule", '"0 18 * * 5" weekly wrap-up', ctx({ channelId: "C0WRAP" }));
      const id = idIn(created.text)!;
      const refused = await handleScheduleCommand("unschedule", id, ctx({ userId: "U0BOB", channelId: "C0WRAP" }));
      assert.equal(refused.visibility, "ephemeral");
      assert.match(refused.text, new RegExp(`only <@U0ALICE> or an admin \\(SLACK_ADMIN_USERS\\) can remove schedule ${id}`));
      assert.ok((await stored()).includes(id));

      const removed = await handleScheduleCommand("unschedule", id, ctx({ userId: "U0ADMIN", channelId: "C0WRAP", admin: true }));
      assert.equal(removed.visibility, "in_channel");
      assert.match(removed.text, new RegExp(`^<@U0ADMIN> removed schedule \`${id}\` \\(weekly wrap-up\\)`));
      assert.ok(!(await stored()).includes(id));
      assert.equal(await boss.getSchedule(SCHEDULE_QUEUE, id), null);
    });
  });
});
