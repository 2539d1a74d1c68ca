// pg-boss on our database, with the task queue and its dead-letter queue created with policy.
import { PgBoss } from "pg-boss";
import type { Database } from "../store/database.ts";
import type { Logger } from "../shared/log.ts";
import { APPROVAL_TIMEOUT_QUEUE, DEAD_LETTER_QUEUE, TASK_QUEUE, approvalTimeoutQueueOptions, deadLetterQueueOptions, taskQueueOptions, type QueuePolicy } from "./queue-policy.ts";

export interface BossOptions {
  /** Runs heartbeat/expiry checks and maintenance; workers and servers do, one-shot commands don't. */
  supervise: boolean;
  /** Runs pg-boss's cron scheduler (schedules issue). */
  schedule?: boolean;
  /** Seconds between cron passes and send-it polls; pg-boss's defaults (30 s, 5 s) unless set (tests). */
  cronIntervalSeconds?: number;
  logger: Logger;
}

export async function startBoss(db: Database, policy: QueuePolicy, options: BossOptions): Promise<PgBoss> {
  const boss = new PgBoss({
    ...db.bossOptions(),
    supervise: options.supervise,
    schedule: options.schedule ?? false,
    superviseIntervalSeconds: policy.superviseIntervalSeconds,
    monitorIntervalSeconds: policy.superviseIntervalSeconds,
    // The ready count a worker uses to keep fetching through a backlog comes from this cache.
    queueCacheIntervalSeconds: policy.superviseIntervalSeconds,
    migrate: true,
    // A short-lived command has nothing worth registering.
    registerInstance: options.supervise,
    ...(options.cronIntervalSeconds ? { cronMonitorIntervalSeconds: options.cronIntervalSeconds, cronWorkerIntervalSeconds: options.cronIntervalSeconds } : {}),
  });
  boss.on("error", (error) => options.logger.warn({ err: error }, "queue: %s", error.message));
  boss.on("warning", (warning) => {
    const type = (warning.data as { type?: string }).type;
    // Expected where LISTEN is unavailable (a client of the embedded database): it polls.
    if (type === "listen_notify_unavailable") options.logger.debug({ warning }, "queue: polling for new tasks");
    else options.logger.warn({ warning: warning.data }, "queue: %s", warning.message);
  });
  // Several processes starting together: pg-boss's own migration lock orders them; retry covers a lost race.
  await boss.start({ attempts: 3 });
  await ensureQueues(boss, policy);
  return boss;
}

/** Creates the queues if missing (idempotent in pg-boss) and brings the policy up to date. */
async function ensureQueues(boss: PgBoss, policy: QueuePolicy): Promise<void> {
  // Every start but the first finds them as wanted: one read instead of four writes under pg-boss's lock.
  const existing = new Map((await boss.getQueues([DEAD_LETTER_QUEUE, TASK_QUEUE, APPROVAL_TIMEOUT_QUEUE])).map((q) => [q.name, q]));
  const tasks = existing.get(TASK_QUEUE) as Record<string, unknown> | undefined;
  const wanted = taskQueueOptions(policy) as Record<string, unknown>;
  if (existing.size === 3 && tasks && Object.keys(wanted).every((key) => tasks[key] === wanted[key])) return;
  await boss.createQueue(DEAD_LETTER_QUEUE, deadLetterQueueOptions());
  await boss.createQueue(TASK_QUEUE, taskQueueOptions(policy));
  await boss.createQueue(APPROVAL_TIMEOUT_QUEUE, approvalTimeoutQueueOptions());
  // An existing queue keeps the options it was created with until updated.
  await boss.updateQueue(TASK_QUEUE, taskQueueOptions(policy));
}
