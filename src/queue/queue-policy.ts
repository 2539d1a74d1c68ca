// The queue's policy, stated once: pg-boss does the retrying, dead-lettering, heartbeat
// checks and per-team fairness; this file only says how.
import type { Queue } from "pg-boss";
import type { Config } from "../config/env.ts";

export const TASK_QUEUE = "deep-agent-tasks";
export const DEAD_LETTER_QUEUE = "deep-agent-tasks-dead";
/** Delayed jobs, one per approval request, that deny it when no one decided in time. */
export const APPROVAL_TIMEOUT_QUEUE = "deep-agent-approval-timeouts";

/** A task queue job's data. */
export interface TaskJob {
  taskId: string;
  /** A task continued after a decision runs as a new job: its attempts count on from this one. */
  attemptBase?: number;
  /** The task waited for a decision: it continues in the sandbox it used before. */
  continued?: boolean;
}

export interface ApprovalTimeoutJob {
  approvalId: string;
}

export interface QueuePolicy {
  /** Attempts after the first (a worker killed, released on shutdown, model unreachable). */
  retryLimit: number;
  /** First retry delay in seconds; doubles (with jitter) up to retryDelayMax. */
  retryDelay: number;
  retryDelayMax: number;
  /** A claim older than this is failed and retried; longer than any task may run. */
  expireInSeconds: number;
  /** A running task's worker refreshes its claim this often... */
  heartbeatRefreshSeconds: number;
  /** ...and one silent this long is presumed dead and its task retried elsewhere. */
  heartbeatSeconds: number;
  /** Tasks of one Slack team running at once across all workers. */
  teamConcurrency: number;
  /** How often each instance checks heartbeats and expiry (pg-boss supervise). */
  superviseIntervalSeconds: number;
  /** Polling when NOTIFY is unavailable (a client of the embedded database). */
  pollingIntervalSeconds: number;
  /** Completed jobs are kept this long in pg-boss (the task record keeps the outcome). */
  deleteAfterSeconds: number;
}

export function queuePolicy(config: Pick<Config, "TASK_TIMEOUT_SECONDS" | "WORKER_CONCURRENCY"> & Partial<Pick<Config, "TASK_RETRY_LIMIT" | "TASK_RETRY_DELAY_SECONDS">>): QueuePolicy {
  return {
    retryLimit: config.TASK_RETRY_LIMIT ?? 4,
    retryDelay: config.TASK_RETRY_DELAY_SECONDS ?? 5,
    retryDelayMax: 300,
    // The engine stops a task at TASK_TIMEOUT_SECONDS; the margin covers sandbox setup and teardown.
    expireInSeconds: config.TASK_TIMEOUT_SECONDS + 300,
    heartbeatRefreshSeconds: 2,
    heartbeatSeconds: 10,
    teamConcurrency: Math.max(2, config.WORKER_CONCURRENCY),
    superviseIntervalSeconds: 2,
    pollingIntervalSeconds: 1,
    deleteAfterSeconds: 24 * 3600,
  };
}

export function taskQueueOptions(policy: QueuePolicy): Omit<Queue, "name"> {
  return {
    retryLimit: policy.retryLimit,
    retryDelay: policy.retryDelay,
    retryBackoff: true,
    retryDelayMax: policy.retryDelayMax,
    expireInSeconds: policy.expireInSeconds,
    heartbeatSeconds: policy.heartbeatSeconds,
    deleteAfterSeconds: policy.deleteAfterSeconds,
    deadLetter: DEAD_LETTER_QUEUE,
    notify: true,
  };
}

export function approvalTimeoutQueueOptions(): Omit<Queue, "name"> {
  // A timeout that fails (the database was away) is tried again; the decision itself is idempotent.
  return { retryLimit: 10, retryDelay: 5, retryBackoff: true, retryDelayMax: 300, deleteAfterSeconds: 7 * 24 * 3600 };
}

export function deadLetterQueueOptions(): Omit<Queue, "name"> {
  // Dead tasks are kept for a person to look at, never worked automatically.
  return { retryLimit: 0, deleteAfterSeconds: 30 * 24 * 3600, retentionSeconds: 30 * 24 * 3600 };
}
