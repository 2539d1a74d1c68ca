// One firing of a schedule, as the handler of its pg-boss job runs it. Decided under a lock on the
// schedule row, so two firings of one schedule never both start a task:
//   - too many failed runs in a row → the schedule pauses itself (and says so);
//   - the previous run still queued or running → this one is skipped (recorded, and said in its thread);
//   - otherwise the run's parent message is posted and a task is queued in its thread.
// Every step is keyed by the job id, so a retried job continues its run instead of starting another.
import type { Database } from "../store/database.ts";
import type { Logger } from "../shared/log.ts";
import { createHash } from "node:crypto";
import type { TaskQueue } from "../queue/task-queue.ts";
import { failureOf, hasCode } from "../shared/errors.ts";
import type { PgBoss } from "pg-boss";
import { createScheduleRepo, type Schedule, type ScheduleRun } from "./schedule-repo.ts";
import { occurrenceAtOrBefore } from "./cron-spec.ts";
import { unscheduleInBoss } from "./schedule-service.ts";
import { pausedReason } from "./schedule-text.ts";
import type { RunNotices } from "./run-notices.ts";
import type { SchedulePolicy } from "./schedule-policy.ts";

export interface Firing {
  /** The pg-boss job: one per cron occurrence of the schedule. */
  jobId: string;
  scheduleId: string;
  /** When pg-boss created the job: which occurrence it is for. */
  firedAt: Date;
}

export interface FireDeps {
  db: Database;
  boss: PgBoss;
  queue: TaskQueue;
  policy: SchedulePolicy;
  /** Null without Slack: runs only store their results. */
  notices: RunNotices | null;
  logger: Logger;
}

export type FireOutcome =
  | { kind: "gone" }
  | { kind: "inactive" }
  | { kind: "started"; taskId: string }
  | { kind: "skipped"; previousTaskId: string | null }
  | { kind: "paused"; failures: number }
  | { kind: "not_started"; reason: string };

type Decision =
  | { kind: "gone" | "inactive" }
  | { kind: "start"; schedule: Schedule; run: ScheduleRun }
  | { kind: "done"; outcome: FireOutcome }
  | { kind: "skip"; schedule: Schedule; occurrence: Date; previous: ScheduleRun }
  | { kind: "pause"; schedule: Schedule; failures: number };

export async function fireSchedule(firing: Firing, deps: FireDeps): Promise<FireOutcome> {
  const log = deps.logger.child({ scheduleId: firing.scheduleId, job: firing.jobId });
  const decision = await decide(firing, deps);
  switch (decision.kind) {
    case "gone":
      log.info("schedule fired after it was removed; nothing to do");
      return { kind: "gone" };
    case "inactive":
      log.info("schedule is paused; this firing does nothing");
      return { kind: "inactive" };
    case "done":
      return decision.outcome;
    case "pause": {
      const { schedule, failures } = decision;
      log.warn({ failures }, "schedule paused itself after failed runs in a row");
      if (schedule.channelId && deps.notices) {
        await deps.notices
          .paused({ ...schedule, channelId: schedule.channelId }, failures)
          .catch((error: unknown) => log.warn({ err: error }, "could not say in Slack that the schedule paused"));
      }
      return { kind: "paused", failures };
    }
    case "skip": {
      const { schedule, previous, occurrence } = decision;
      log.info({ previousTask: previous.taskId }, "previous run still going; this run is skipped");
      if (schedule.channelId && deps.notices && previous.threadTs) {
        await deps.notices
          .runSkipped({ ...schedule, channelId: schedule.channelId }, occurrence, { ...previous, threadTs: previous.threadTs })
          .catch((error: unknown) => log.warn({ err: error }, "could not say in Slack that the run was skipped"));
      }
      return { kind: "skipped", previousTaskId: previous.taskId };
    }
    case "start":
      return start(decision.schedule, decision.run, deps, log);
  }
}

/** Records a run that could not be started after its job's last attempt. */
export async function giveUpRun(firing: Firing, error: unknown, deps: FireDeps): Promise<void> {
  const repo = createScheduleRepo(deps.db);
  const run = await repo.runByJob(firing.jobId);
  if (run?.outcome !== "starting") return;
  const failure = failureOf(error);
  await repo.updateRun(firing.jobId, { outcome: "failed", detail: failure.detail });
  const schedule = await repo.get(firing.scheduleId);
  if (schedule?.channelId && deps.notices && run.threadTs) {
    await deps.notices.runNotStarted({ ...schedule, channelId: schedule.channelId }, run.threadTs, failure, run.progressTs).catch(() => {});
  }
}

async function decide(firing: Firing, deps: FireDeps): Promise<Decision> {
  return deps.db.transaction(async (tx): Promise<Decision> => {
    const repo = createScheduleRepo(tx);
    const schedule = await repo.lock(firing.scheduleId);
    if (!schedule) return { kind: "gone" };
    const existing = await repo.runByJob(firing.jobId);
    if (existing) {
      // A retry of this job: carry on where the last attempt stopped.
      if (existing.outcome === "starting") return { kind: "start", schedule, run: existing };
      return { kind: "done", outcome: outcomeOf(existing) };
    }
    if (schedule.status !== "active") return { kind: "inactive" };
    const occurrence = occurrenceAtOrBefore(schedule.cron, schedule.timezone, firing.firedAt);
    const base = { jobId: firing.jobId, scheduleId: schedule.id, occurrence };

    const limit = deps.policy.pauseAfterFailures;
    const failures = leadingFailures(await repo.countedRuns(schedule.id, schedule.resumedAt ?? new Date(0), limit));
    if (failures >= limit) {
      const reason = pausedReason(failures);
      await repo.pause(schedule.id, reason);
      await unscheduleInBoss(deps.boss, schedule.id, tx);
      await repo.insertRun({ ...base, outcome: "paused", detail: reason });
      return { kind: "pause", schedule, failures };
    }

    const previous = await repo.latestStartedRun(schedule.id, firing.jobId);
    if (previous && stillGoing(previous, deps.policy.staleStartMs)) {
      await repo.insertRun({ ...base, outcome: "skipped", taskId: null, detail: `previous run still going${previous.taskId ? ` (task ${previous.taskId})` : ""}` });
      return { kind: "skip", schedule, occurrence, previous };
    }

    await repo.insertRun({ ...base, outcome: "starting" });
    return { kind: "start", schedule, run: (await repo.runByJob(firing.jobId))! };
  });
}

async function start(schedule: Schedule, run: ScheduleRun, deps: FireDeps, log: Logger): Promise<FireOutcome> {
  const repo = createScheduleRepo(deps.db);
  // Named before it exists (the card's Cancel button) and the same on a retry of this firing.
  const taskId = derivedTaskId(run.jobId);
  const channel = schedule.channelId ? { ...schedule, channelId: schedule.channelId } : null;
  if (channel && !deps.notices) log.warn({ channel: channel.channelId }, "Slack is not configured; this scheduled run only stores its result");
  let threadTs = run.threadTs;
  let progressTs = run.progressTs;
  if (channel && deps.notices) {
    // Who may use the bot, and where, can change after a schedule was made: each run asks again.
    const refusal = await deps.notices.refusal(channel);
    if (refusal) {
      await repo.updateRun(run.jobId, { outcome: "failed", detail: refusal });
      log.warn({ channel: channel.channelId, reason: refusal }, "scheduled run not started: no longer allowed");
      return { kind: "not_started", reason: refusal };
    }
    // The thread and the card exist before the task, so it is queued knowing both; a retried
    // firing finds them recorded and posts neither again.
    if (!threadTs) {
      threadTs = await deps.notices.runStarting(channel, run.occurrence);
      await repo.updateRun(run.jobId, { threadTs });
    }
    if (!progressTs) {
      progressTs = await deps.notices.runCard(channel, threadTs, { taskId, position: (await deps.queue.queuedCount()) + 1 });
      if (progressTs) await repo.updateRun(run.jobId, { progressTs });
    }
  }
  const intakeMeta = channel && threadTs && deps.notices ? deps.notices.taskMeta(channel, threadTs, progressTs) : {};
  try {
    const { task } = await deps.queue.enqueue({
      id: taskId,
      text: schedule.text,
      source: "schedule",
      // One task per firing job, whatever retries the job goes through.
      dedupeKey: `schedule-run:${run.jobId}`,
      ...(schedule.teamId ? { teamId: schedule.teamId } : {}),
      ...(schedule.channelId ? { channelId: schedule.channelId } : {}),
      ...(threadTs ? { threadTs } : {}),
      ...(schedule.createdBy ? { userId: schedule.createdBy } : {}),
      meta: { schedule: { id: schedule.id, occurrence: run.occurrence.toISOString(), jobId: run.jobId }, ...intakeMeta },
    });
    await repo.updateRun(run.jobId, { outcome: "started", taskId: task.id });
    log.info({ taskId: task.id, occurrence: run.occurrence }, "scheduled run queued");
    return { kind: "started", taskId: task.id };
  } catch (error) {
    // A full queue will not be less full on a quick retry: this run is a failure, the next may fare better.
    if (!hasCode(error, "queue_full")) throw error;
    await repo.updateRun(run.jobId, { outcome: "failed", detail: error.message });
    if (channel && deps.notices && threadTs) {
      await deps.notices.runNotStarted(channel, threadTs, error.toFailure(), progressTs).catch(() => {});
    }
    log.warn({ err: error }, "scheduled run not started: the queue is full");
    return { kind: "not_started", reason: error.message };
  }
}

/** A task id that is a function of the firing job: a UUID-shaped digest (version nibble 8, "custom"). */
function derivedTaskId(jobId: string): string {
  const hex = createHash("sha256").update(`schedule-run:${jobId}`).digest("hex");
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function leadingFailures(runs: ScheduleRun[]): number {
  let n = 0;
  for (const r of runs) {
    if (r.outcome === "failed" || r.taskStatus === "failed") n++;
    else break;
  }
  return n;
}

function stillGoing(run: ScheduleRun, staleStartMs: number): boolean {
  if (run.outcome === "starting") return Date.now() - run.firedAt.getTime() < staleStartMs;
  return run.taskStatus === "queued" || run.taskStatus === "running" || run.taskStatus === "waiting";
}

function outcomeOf(run: ScheduleRun): FireOutcome {
  switch (run.outcome) {
    case "started":
      return { kind: "started", taskId: run.taskId ?? "" };
    case "skipped":
      return { kind: "skipped", previousTaskId: null };
    case "paused":
      return { kind: "paused", failures: 0 };
    default:
      return { kind: "not_started", reason: run.detail ?? "failed" };
  }
}
