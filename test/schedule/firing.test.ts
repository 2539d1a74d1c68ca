// What happens when a schedule fires, on each database target: pg-boss's schedule job (sent here
// as pg-boss sends it at a cron time) is worked by the real scheduler, which posts through the real
// Slack client to a Slack emulator and queues the task. The cron timing itself is covered by
// cron-firing.test.ts on real Postgres.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { pino } from "pino";
import type { PgBoss } from "pg-boss";
import { eachDatabase, createTarget, type TestTarget } from "../helpers/test-database.ts";
import { openDatabase } from "../../src/store/open-database.ts";
import { migrate } from "../../src/store/migrate.ts";
import { startBoss } from "../../src/queue/boss.ts";
import { queuePolicy } from "../../src/queue/queue-policy.ts";
import { createTaskQueue } from "../../src/queue/task-queue.ts";
import { createTaskRepo, type Task } from "../../src/store/task-repo.ts";
import { emptyUsage } from "../../src/agent/events.ts";
import type { Database } from "../../src/store/database.ts";
import { createScheduleService, type ScheduleService } from "../../src/schedule/schedule-service.ts";
import { createScheduleRepo } from "../../src/schedule/schedule-repo.ts";
import { SCHEDULE_QUEUE, schedulePolicy, type SchedulePolicy } from "../../src/schedule/schedule-policy.ts";
import { startScheduler, type Scheduler } from "../../src/schedule/scheduler.ts";
import { fireSchedule, type FireOutcome } from "../../src/schedule/fire-schedule.ts";
import { createSlackRunNotices } from "../../src/slack/schedules/run-notices.ts";
import { startSlackWorkspace, type SlackWorkspace } from "../doubles/slack/slack-workspace.ts";
import { waitFor } from "../helpers/wait-for.ts";

const logger = pino({ level: "silent" });
const WHEN = /\((Mon|Tue|Wed|Thu|Fri) \d{1,2} [A-Z][a-z]{2} \d{4}, 09:00 (CET|CEST|GMT\+[12])\)$/;

eachDatabase((kind) => {
  describe(`schedule firing on ${kind}`, () => {
    let target: TestTarget;
    let db: Database;
    let boss: PgBoss;
    let slack: SlackWorkspace;
    let channel: string;
    let service: ScheduleService;
    let scheduler: Scheduler;
    const policy: SchedulePolicy = { ...schedulePolicy({}), pauseAfterFailures: 2 };
    const outcomes = new Map<string, FireOutcome>();

    /** Sends the job pg-boss sends at a cron time, and waits for the scheduler to handle it. */
    async function fire(scheduleId: string): Promise<FireOutcome> {
      const jobId = await boss.send(SCHEDULE_QUEUE, { scheduleId });
      assert.ok(jobId);
      return waitFor(`the scheduler to handle job ${jobId}`, () => outcomes.get(jobId), 30_000);
    }

    async function tasksOf(scheduleId: string): Promise<Task[]> {
      const { rows } = await db.query<{ id: string }>("SELECT id FROM tasks WHERE meta->'schedule'->>'id' = $1 ORDER BY created_at", [scheduleId]);
      return Promise.all(rows.map(async (r) => (await createTaskRepo(db).get(r.id))!));
    }

    async function failTask(id: string): Promise<void> {
      const tasks = createTaskRepo(db);
      assert.ok(await tasks.claim(id, 1, "test-worker"));
      assert.ok(await tasks.finish(id, 1, { status: "failed", result: "", failure: { code: "internal", detail: "boom", transient: true }, todos: [], usage: emptyUsage(), turns: 1 }));
    }

    before(async () => {
      target = await createTarget(kind, { migrated: true });
      db = await openDatabase(target.config, { role: "server" });
      await migrate(db);
      boss = await startBoss(db, queuePolicy({ TASK_TIMEOUT_SECONDS: 60, WORKER_CONCURRENCY: 2 }), { supervise: false, logger });
      slack = await startSlackWorkspace();
      channel = slack.channels["work"]!;
      service = createScheduleService(db, boss, policy);
      scheduler = await startScheduler({
        db,
        boss,
        maxQueueDepth: 100,
        notices: createSlackRunNotices(slack.botClient(), logger),
        logger,
        policy,
        pollingIntervalSeconds: 0.5,
        onFired: (firing, outcome) => outcomes.set(firing.jobId, outcome),
      });
    });
    after(async () => {
      await scheduler?.stop();
      await boss?.stop({ graceful: false, close: true });
      await db?.close();
      await slack?.close();
      await target?.cleanup();
    });

    it('starts a task in a new thread under "Scheduled: <text> (<when>)"', async () => {
      const { schedule } = await service.add({
        cron: "0 9 * * 1-5",
        text: "post the build report",
        timeZone: "Europe/Paris",
        channelId: channel,
        createdBy: "U0CREATOR",
        createdVia: "slack",
      });
      const outcome = await fire(schedule.id);
      assert.equal(outcome.kind, "started");

      const [task, ...more] = await tasksOf(schedule.id);
      assert.equal(more.length, 0);
      assert.equal(task!.source, "schedule");
      assert.equal(task!.text, "post the build report");
      assert.equal(task!.status, "queued");
      assert.equal(task!.channelId, channel);
      assert.equal(task!.userId, "U0CREATOR");

      const parents = (await slack.history(channel)).filter((m) => m.text.startsWith("Scheduled: post the build report"));
      assert.equal(parents.length, 1);
      assert.match(parents[0]!.text, WHEN);
      assert.equal(task!.threadTs, parents[0]!.ts, "the run works in the thread of its parent message");
      assert.deepEqual((task!.meta["slack"] as { threadTs: string }).threadTs, parents[0]!.ts);
      const progress = await slack.thread(channel, parents[0]!.ts).then((t) => t.slice(1));
      assert.equal(progress.length, 1, "the queued task's progress message is in the thread at once");
      assert.equal((task!.meta["slack"] as { progressTs?: string }).progressTs, progress[0]!.ts);
      assert.match(progress[0]!.text, /^Queued: post the build report/);

      const [listed] = (await service.list(channel)).filter((s) => s.id === schedule.id);
      assert.equal(listed!.lastRun?.outcome, "started");
      assert.equal(listed!.lastRun?.taskStatus, "queued");
    });

    it("skips a firing while the previous run is still going, and says so in its thread", async () => {
      const { schedule } = await service.add({ cron: "*/10 * * * *", text: "triage new issues", timeZone: "UTC", channelId: channel, createdBy: "U0CREATOR", createdVia: "slack" });
      assert.equal((await fire(schedule.id)).kind, "started");
      const [first] = await tasksOf(schedule.id);

      const second = await fire(schedule.id);
      assert.equal(second.kind, "skipped");
      assert.equal((await tasksOf(schedule.id)).length, 1, "no second task while the first is queued");
      const notes = (await slack.thread(channel, first!.threadTs!).then((t) => t.slice(1))).filter((m) => m.text.startsWith("Skipped"));
      assert.equal(notes.length, 1);
      assert.match(notes[0]!.text, /^Skipped the run of .*: this run is still going/);
      assert.deepEqual(
        (await createScheduleRepo(db).runsOf(schedule.id)).map((r) => r.outcome),
        ["started", "skipped"],
      );

      // Once the first run has finished, the next firing runs again.
      const tasks = createTaskRepo(db);
      await tasks.claim(first!.id, 1, "test-worker");
      await tasks.finish(first!.id, 1, { status: "succeeded", result: "ok", todos: [], usage: emptyUsage(), turns: 1 });
      assert.equal((await fire(schedule.id)).kind, "started");
      assert.equal((await tasksOf(schedule.id)).length, 2);
    });

    it("handles a retried job as the same run: one message, one task", async () => {
      const { schedule } = await service.add({ cron: "0 * * * *", text: "hourly check", timeZone: "UTC", channelId: channel, createdBy: "U0CREATOR", createdVia: "slack" });
      const deps = { db, boss, queue: createTaskQueue(db, boss, { maxQueueDepth: 100 }), policy, notices: createSlackRunNotices(slack.botClient(), logger), logger };
      const firing = { jobId: "00000000-0000-4000-8000-00000000abcd", scheduleId: schedule.id, firedAt: new Date() };
      const first = await fireSchedule(firing, deps);
      const again = await fireSchedule(firing, deps);
      assert.equal(first.kind, "started");
      assert.deepEqual(again, first);
      assert.equal((await tasksOf(schedule.id)).length, 1);
      assert.equal((await slack.history(channel)).filter((m) => m.text.startsWith("Scheduled: hourly check")).length, 1);
    });

    it("pauses itself after failed runs in a row, says so in the channel, and can be resumed", async () => {
      const { schedule } = await service.add({ cron: "30 6 * * *", text: "nightly export", timeZone: "UTC", channelId: channel, createdBy: "U0CREATOR", createdVia: "slack" });
      for (let i = 0; i < policy.pauseAfterFailures; i++) {
        assert.equal((await fire(schedule.id)).kind, "started");
        const tasks = await tasksOf(schedule.id);
        await failTask(tasks[tasks.length - 1]!.id);
      }
      const outcome = await fire(schedule.id);
      assert.deepEqual(outcome, { kind: "paused", failures: 2 });
      assert.equal((await tasksOf(schedule.id)).length, 2, "the pausing firing starts no task");
      const said = (await slack.history(channel)).filter((m) => m.text.startsWith(`Paused schedule \`${schedule.id}\``));
      assert.equal(said.length, 1);
      assert.match(said[0]!.text, /last 2 runs failed in a row/);
      assert.equal(await boss.getSchedule(SCHEDULE_QUEUE, schedule.id), null, "pg-boss no longer fires it");
      const [listed] = (await service.list(channel)).filter((s) => s.id === schedule.id);
      assert.equal(listed!.status, "paused");
      assert.equal(listed!.nextRun, null);
      assert.equal((await fire(schedule.id)).kind, "inactive");

      await service.resume(schedule.id, { kind: "operator" });
      assert.ok(await boss.getSchedule(SCHEDULE_QUEUE, schedule.id), "pg-boss fires it again");
      assert.equal((await fire(schedule.id)).kind, "started", "failures before the resume no longer count");
    });

    it("does nothing when the schedule was removed before its job ran", async () => {
      const { schedule } = await service.add({ cron: "0 12 * * *", text: "lunch reminder", timeZone: "UTC", channelId: channel, createdBy: "U0CREATOR", createdVia: "slack" });
      assert.ok(await boss.getSchedule(SCHEDULE_QUEUE, schedule.id));
      await service.remove(schedule.id, { kind: "slack", userId: "U0CREATOR", admin: false });
      assert.equal(await boss.getSchedule(SCHEDULE_QUEUE, schedule.id), null);
      assert.equal((await fire(schedule.id)).kind, "gone");
      assert.equal((await tasksOf(schedule.id)).length, 0);
    });

    it("runs a schedule without a channel without Slack, storing its task", async () => {
      const before = (await slack.history(channel)).length;
      const { schedule } = await service.add({ cron: "0 3 * * 0", text: "weekly cleanup", timeZone: "UTC", createdBy: "ops", createdVia: "cli" });
      assert.equal((await fire(schedule.id)).kind, "started");
      const [task] = await tasksOf(schedule.id);
      assert.equal(task!.channelId, null);
      assert.equal(task!.threadTs, null);
      assert.equal(task!.meta["slack"], undefined);
      assert.equal((await slack.history(channel)).length, before);
      // Its result is kept with the schedule's last run (`deep-agent schedule list --json`).
      const tasks = createTaskRepo(db);
      await tasks.claim(task!.id, 1, "test-worker");
      await tasks.finish(task!.id, 1, { status: "succeeded", result: "removed 12 caches", todos: [], usage: emptyUsage(), turns: 1 });
      const [listed] = (await service.list(null)).filter((s) => s.id === schedule.id);
      assert.deepEqual([listed!.lastRun?.taskStatus, listed!.lastRun?.taskResult], ["succeeded", "removed 12 caches"]);
    });
  });
});
