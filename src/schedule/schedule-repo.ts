// Schedule records and their runs (the cron itself lives in pg-boss, keyed by the same id).
import type { Queryable, Row } from "../store/database.ts";
import type { TaskState } from "../store/task-repo.ts";
import * as sql from "./schedule-sql.ts";

export type ScheduleStatus = "active" | "paused";
export type RunOutcome = "starting" | "started" | "skipped" | "failed" | "paused";

export interface Schedule {
  id: string;
  cron: string;
  timezone: string;
  text: string;
  teamId: string | null;
  channelId: string | null;
  createdBy: string | null;
  createdVia: "slack" | "cli";
  status: ScheduleStatus;
  pausedReason: string | null;
  resumedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewSchedule {
  id: string;
  cron: string;
  timezone: string;
  text: string;
  teamId?: string | null;
  channelId?: string | null;
  createdBy?: string | null;
  createdVia: "slack" | "cli";
}

export interface ScheduleRun {
  jobId: string;
  scheduleId: string;
  occurrence: Date;
  outcome: RunOutcome;
  taskId: string | null;
  threadTs: string | null;
  /** The run's progress card, posted before its task was queued. */
  progressTs: string | null;
  detail: string | null;
  firedAt: Date;
  /** The run's task, when it has one. */
  taskStatus: TaskState | null;
}

export interface LastRun {
  outcome: RunOutcome;
  firedAt: Date;
  taskId: string | null;
  taskStatus: TaskState | null;
  /** The task's result and error once it has finished (a schedule without Slack keeps them here). */
  taskResult: string | null;
  taskError: string | null;
  detail: string | null;
}

export type ScheduleWithLastRun = Schedule & { lastRun: LastRun | null };

export function createScheduleRepo(db: Queryable) {
  const one = async (text: string, params: unknown[]): Promise<Schedule | null> => {
    const { rows } = await db.query(text, params);
    return rows[0] ? toSchedule(rows[0]) : null;
  };
  const run = async (text: string, params: unknown[]): Promise<ScheduleRun | null> => {
    const { rows } = await db.query(text, params);
    return rows[0] ? toRun(rows[0]) : null;
  };
  return {
    async lockForAdd(): Promise<void> {
      await db.query(sql.addLock);
    },
    /** Null when the id is taken. */
    insert: (s: NewSchedule) => one(sql.insert, [s.id, s.cron, s.timezone, s.text, s.teamId ?? null, s.channelId ?? null, s.createdBy ?? null, s.createdVia]),
    get: (id: string) => one(sql.byId, [id]),
    /** Inside a transaction: holds the schedule until it ends, so one firing at a time decides. */
    lock: (id: string) => one(sql.lockById, [id]),
    async countInChannel(channelId: string | null): Promise<number> {
      const { rows } = await db.query<{ n: number }>(sql.countInChannel, [channelId]);
      return Number(rows[0]?.n ?? 0);
    },
    /** All schedules, or one channel's (null: those without a channel). */
    async list(channelId?: string | null): Promise<ScheduleWithLastRun[]> {
      const { rows } = await db.query(sql.list, [channelId !== undefined, channelId ?? null]);
      return rows.map((r) => ({
        ...toSchedule(r),
        lastRun: r["last_outcome"]
          ? {
              outcome: r["last_outcome"] as RunOutcome,
              firedAt: date(r["last_fired_at"])!,
              taskId: (r["last_task_id"] as string | null) ?? null,
              taskStatus: (r["last_task_status"] as TaskState | null) ?? null,
              taskResult: (r["last_task_result"] as string | null) ?? null,
              taskError: (r["last_task_error"] as string | null) ?? null,
              detail: (r["last_detail"] as string | null) ?? null,
            }
          : null,
      }));
    },
    async remove(id: string): Promise<boolean> {
      const { rows } = await db.query(sql.remove, [id]);
      return rows.length > 0;
    },
    pause: (id: string, reason: string) => one(sql.pause, [id, reason]),
    resume: (id: string) => one(sql.resume, [id]),
    runByJob: (jobId: string) => run(sql.runByJob, [jobId]),
    latestStartedRun: (scheduleId: string, exceptJobId: string) => run(sql.latestStartedRun, [scheduleId, exceptJobId]),
    async countedRuns(scheduleId: string, since: Date, limit: number): Promise<ScheduleRun[]> {
      const { rows } = await db.query(sql.countedRuns, [scheduleId, since, limit]);
      return rows.map(toRun);
    },
    async runsOf(scheduleId: string): Promise<ScheduleRun[]> {
      const { rows } = await db.query(sql.runsOf, [scheduleId]);
      return rows.map(toRun);
    },
    async insertRun(r: {
      jobId: string;
      scheduleId: string;
      occurrence: Date;
      outcome: RunOutcome;
      taskId?: string | null;
      threadTs?: string | null;
      detail?: string | null;
    }): Promise<void> {
      await db.query(sql.insertRun, [r.jobId, r.scheduleId, r.occurrence, r.outcome, r.taskId ?? null, r.threadTs ?? null, r.detail ?? null]);
    },
    async updateRun(jobId: string, change: { outcome?: RunOutcome; taskId?: string; threadTs?: string; progressTs?: string; detail?: string }): Promise<void> {
      await db.query(sql.updateRun, [jobId, change.outcome ?? null, change.taskId ?? null, change.threadTs ?? null, change.detail ?? null, change.progressTs ?? null]);
    },
  };
}

function toSchedule(r: Row): Schedule {
  return {
    id: String(r["id"]),
    cron: String(r["cron"]),
    timezone: String(r["timezone"]),
    text: String(r["text"]),
    teamId: (r["team_id"] as string | null) ?? null,
    channelId: (r["channel_id"] as string | null) ?? null,
    createdBy: (r["created_by"] as string | null) ?? null,
    createdVia: r["created_via"] as "slack" | "cli",
    status: r["status"] as ScheduleStatus,
    pausedReason: (r["paused_reason"] as string | null) ?? null,
    resumedAt: date(r["resumed_at"]),
    createdAt: date(r["created_at"])!,
    updatedAt: date(r["updated_at"])!,
  };
}

function toRun(r: Row): ScheduleRun {
  return {
    jobId: String(r["job_id"]),
    scheduleId: String(r["schedule_id"]),
    occurrence: date(r["occurrence"])!,
    outcome: r["outcome"] as RunOutcome,
    taskId: (r["task_id"] as string | null) ?? null,
    threadTs: (r["thread_ts"] as string | null) ?? null,
    progressTs: (r["progress_ts"] as string | null) ?? null,
    detail: (r["detail"] as string | null) ?? null,
    firedAt: date(r["fired_at"])!,
    taskStatus: (r["task_status"] as TaskState | null) ?? null,
  };
}

function date(value: unknown): Date | null {
  if (value == null) return null;
  return value instanceof Date ? value : new Date(String(value));
}
