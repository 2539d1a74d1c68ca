// The scheduler's policy in one place: the pg-boss queue a schedule fires into, how its jobs are
// retried, and the limits (schedules per channel, failures before a schedule pauses itself).
import type { PgBoss, Queue } from "pg-boss";
import type { Config } from "../config/env.ts";

/** pg-boss sends one job here per cron occurrence of each schedule (the schedule's key is our id). */
export const SCHEDULE_QUEUE = "deep-agent-schedules";

export interface SchedulePolicy {
  /** Schedules one channel (or the command line, without a channel) may hold. */
  maxPerChannel: number;
  /** Runs failing in a row before the schedule pauses itself. */
  pauseAfterFailures: number;
  /** A run stuck "starting" longer than this (its job gave up) no longer blocks the next one. */
  staleStartMs: number;
}

export function schedulePolicy(config: Partial<Pick<Config, "MAX_SCHEDULES_PER_CHANNEL" | "SCHEDULE_PAUSE_AFTER_FAILURES">> = {}): SchedulePolicy {
  return {
    maxPerChannel: config.MAX_SCHEDULES_PER_CHANNEL ?? 25,
    pauseAfterFailures: config.SCHEDULE_PAUSE_AFTER_FAILURES ?? 3,
    staleStartMs: 15 * 60_000,
  };
}

function scheduleQueueOptions(): Omit<Queue, "name"> {
  return {
    // Starting a run is quick; retries cover a Slack post or a database blip.
    retryLimit: 3,
    retryDelay: 10,
    retryBackoff: true,
    expireInSeconds: 300,
    // Kept a week: a firing can be traced to the pg-boss job behind it.
    deleteAfterSeconds: 7 * 24 * 3600,
  };
}

/** Idempotent: pg-boss refuses a schedule whose queue does not exist. */
export async function ensureScheduleQueue(boss: PgBoss): Promise<void> {
  await boss.createQueue(SCHEDULE_QUEUE, scheduleQueueOptions());
}
