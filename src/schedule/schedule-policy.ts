// The scheduler's policy in one place: the pg-boss queue a schedule fires into, how its jobs are
// retried, and the limits (schedules per channel, failures before a schedule pauses itself).
import type { PgBoss, Queue } from "pg-boss";
import { ConfigError } from "../config/env.ts";

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

export function schedulePolicy(env: NodeJS.ProcessEnv = process.env): SchedulePolicy {
  return {
    maxPerChannel: wholeNumber(env, "MAX_SCHEDULES_PER_CHANNEL", 25),
    pauseAfterFailures: wholeNumber(env, "SCHEDULE_PAUSE_AFTER_FAILURES", 3),
    staleStartMs: 15 * 60_000,
  };
}

export function scheduleQueueOptions(): Omit<Queue, "name"> {
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

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new ConfigError(name, `must be a whole number of at least 1 (got ${JSON.stringify(raw)})`);
  return Number(raw);
}
