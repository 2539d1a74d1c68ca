// The scheduler role of a long-running process. pg-boss's cron pass (on in every `start`
// process: openQueueStack({ schedule: true })) sends one job per occurrence into the schedule
// queue, however many processes run it; this works that queue and turns each job into a run.
// `deep-agent start` starts it (src/cli/commands/start.ts), with Slack's run notices when Slack is configured.
import type { PgBoss, JobWithMetadata } from "pg-boss";
import type { Database } from "../store/database.ts";
import type { Logger } from "../shared/log.ts";
import { createTaskQueue } from "../queue/task-queue.ts";
import { ensureScheduleQueue, schedulePolicy, SCHEDULE_QUEUE, type SchedulePolicy } from "./schedule-policy.ts";
import { fireSchedule, giveUpRun, type FireDeps, type FireOutcome, type Firing } from "./fire-schedule.ts";
import type { RunNotices } from "./run-notices.ts";

export interface SchedulerOptions {
  db: Database;
  boss: PgBoss;
  maxQueueDepth: number;
  notices: RunNotices | null;
  logger: Logger;
  policy?: SchedulePolicy;
  /** How often an idle scheduler looks for firings; pg-boss's cron pass itself runs every 30 s. */
  pollingIntervalSeconds?: number;
  /** Called after each firing is handled (tests, metrics). */
  onFired?: (firing: Firing, outcome: FireOutcome) => void;
}

export interface Scheduler {
  stop(): Promise<void>;
}

interface FiringJob {
  scheduleId?: unknown;
}

export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const { boss, logger } = options;
  await ensureScheduleQueue(boss);
  const deps: FireDeps = {
    db: options.db,
    boss,
    queue: createTaskQueue(options.db, boss, { maxQueueDepth: options.maxQueueDepth }),
    policy: options.policy ?? schedulePolicy(),
    notices: options.notices,
    logger: logger.child({ component: "scheduler" }),
  };
  await boss.work(
    SCHEDULE_QUEUE,
    { batchSize: 1, includeMetadata: true as const, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 },
    async (jobs: JobWithMetadata<FiringJob>[]) => {
      const job = jobs[0]!;
      if (typeof job.data.scheduleId !== "string") {
        deps.logger.warn({ job: job.id, data: job.data }, "schedule job without a schedule id; ignored");
        return;
      }
      const firing: Firing = { jobId: job.id, scheduleId: job.data.scheduleId, firedAt: job.createdOn };
      try {
        const outcome = await fireSchedule(firing, deps);
        options.onFired?.(firing, outcome);
      } catch (error) {
        if (job.retryCount >= job.retryLimit) {
          deps.logger.error({ err: error, scheduleId: firing.scheduleId }, "scheduled run could not be started");
          await giveUpRun(firing, error, deps).catch((e: unknown) => deps.logger.warn({ err: e }, "could not record the failed run"));
        } else deps.logger.warn({ err: error, scheduleId: firing.scheduleId }, "scheduled run not started yet; pg-boss retries it");
        throw error;
      }
    },
  );
  logger.info({ queue: SCHEDULE_QUEUE }, "scheduler started");
  return {
    async stop() {
      await boss.offWork(SCHEDULE_QUEUE, { wait: true });
    },
  };
}
