// The worker pool: WORKER_CONCURRENCY tasks at once from the pg-boss queue, woken by
// LISTEN/NOTIFY (polling where that is unavailable). Shutdown drains: no new work, running
// tasks get a grace period, then stop at their next turn and go back to the queue.
import os from "node:os";
import type { PgBoss, JobWithMetadata } from "pg-boss";
import type { Database } from "../store/database.ts";
import type { Logger } from "../shared/log.ts";
import type { TaskRuntime } from "../runtime/task-runtime.ts";
import { DEAD_LETTER_QUEUE, TASK_QUEUE, type QueuePolicy, type TaskJob } from "../queue/queue-policy.ts";
import { runAttempt, shutdownReason, type AttemptResult } from "./run-attempt.ts";
import { startSandboxSweep } from "./sandbox-sweep.ts";
import { startRetentionSweep } from "./retention-sweep.ts";
import { createTranscriptRepo } from "../store/transcript-repo.ts";
import { createTaskRepo } from "../store/task-repo.ts";
import type { TaskHooks } from "../tasks/task-hooks.ts";
import type { TaskLifecycle } from "../tasks/lifecycle.ts";
import { createApprovalDesk, type ApprovalDesk } from "../tasks/approvals.ts";
import { createApprovalPolicy } from "../tasks/approval-policy.ts";

export interface WorkerPoolOptions {
  db: Database;
  boss: PgBoss;
  runtime: TaskRuntime;
  policy: QueuePolicy;
  concurrency: number;
  logger: Logger;
  /** Records and announces final states. */
  lifecycle: TaskLifecycle;
  /** An intake's part in running its tasks (Slack: progress card, thread follow-ups). */
  hooks: TaskHooks | null;
  /** Shown in task records and logs; host and pid by default. */
  name?: string;
  /** How long draining waits, after the grace period, for aborted tasks to hand back. */
  releaseWaitMs?: number;
  /** Approval rules and spend limits; by default from the runtime's configuration. */
  approvals?: ApprovalDesk;
}

export class WorkerPool {
  private readonly options: WorkerPoolOptions;
  private readonly running = new Map<string, { controller: AbortController; done: Promise<unknown> }>();
  /** Sandboxes being removed after their tasks ended. */
  private readonly background = new Set<Promise<unknown>>();
  private readonly name: string;
  private draining = false;
  private stopSweep: () => void = () => {};
  private stopRetention: () => void = () => {};
  private readonly approvals: ApprovalDesk;

  constructor(options: WorkerPoolOptions) {
    this.options = options;
    this.name = options.name ?? `${os.hostname()}:${process.pid}`;
    // Always there, so the rules can never be left unwired.
    this.approvals =
      options.approvals ??
      createApprovalDesk({
        db: options.db,
        boss: options.boss,
        hooks: options.hooks,
        logger: options.logger,
        policy: createApprovalPolicy(options.runtime.config),
        pollingIntervalSeconds: options.policy.pollingIntervalSeconds,
      });
  }

  get active(): number {
    return this.running.size;
  }

  async start(): Promise<void> {
    const { boss, policy, concurrency } = this.options;
    await boss.work(
      TASK_QUEUE,
      {
        localConcurrency: concurrency,
        batchSize: 1,
        includeMetadata: true as const,
        pollingIntervalSeconds: policy.pollingIntervalSeconds,
        // NOTIFY wakes the workers; this poll only backs it up.
        notifyPollingIntervalSeconds: 1,
        // With a backlog, fetch again as soon as a task ends instead of waiting for a poll.
        burstWhenReadyExceeds: 1,
        heartbeatRefreshSeconds: policy.heartbeatRefreshSeconds,
        groupConcurrency: policy.teamConcurrency,
      },
      (jobs: JobWithMetadata<TaskJob>[]) => this.handle(jobs[0]!),
    );
    // Every worker process handles approval timeouts as they come due: no process holds a waiting task.
    await this.approvals.startTimeouts();
    this.stopSweep = startSandboxSweep({ provider: this.options.runtime.sandboxes, tasks: createTaskRepo(this.options.db), logger: this.options.logger });
    this.stopRetention = startRetentionSweep({ repo: createTranscriptRepo(this.options.db), days: this.options.runtime.config.TRANSCRIPT_RETENTION_DAYS, logger: this.options.logger });
    this.options.logger.info({ concurrency, worker: this.name }, "worker pool started");
  }

  private async handle(job: JobWithMetadata<TaskJob>): Promise<void> {
    const taskId = job.data.taskId;
    const controller = new AbortController();
    // A task continued after a decision runs as a new job: its attempts count on from the last one.
    const attempt = (job.data.attemptBase ?? 0) + job.retryCount + 1;
    const work = runAttempt(
      {
        taskId,
        attempt,
        finalAttempt: job.retryCount >= job.retryLimit,
        signal: AbortSignal.any([job.signal, controller.signal]),
        workerName: this.name,
        ...(job.data.continued ? { continued: true } : {}),
      },
      {
        db: this.options.db,
        runtime: this.options.runtime,
        lifecycle: this.options.lifecycle,
        hooks: this.options.hooks,
        logger: this.options.logger,
        approvals: this.approvals,
        inBackground: (work) => {
          const tracked = work.catch(() => {}).finally(() => this.background.delete(tracked));
          this.background.add(tracked);
        },
      },
    );
    this.running.set(job.id, { controller, done: work.catch(() => {}) });
    let result: AttemptResult;
    try {
      result = await work;
    } finally {
      this.running.delete(job.id);
    }
    if (result.kind === "released") await this.release(job);
    // The job itself completes: the dead-letter queue gets its copy now rather than after every retry.
    else if (result.kind === "poison") await this.options.boss.send(DEAD_LETTER_QUEUE, { taskId }, { singletonKey: taskId });
    // Thrown so pg-boss retries with backoff, or dead-letters the job after the last attempt.
    else if (result.kind === "retry") throw new Error(result.error);
  }

  /** Gives the job back at once instead of after the retry backoff. */
  private async release(job: JobWithMetadata<TaskJob>): Promise<void> {
    const { boss } = this.options;
    await boss.fail(TASK_QUEUE, { id: job.id, retryCount: job.retryCount }, { message: "released: worker shutting down" });
    await boss.update(TASK_QUEUE, undefined, { id: job.id, startAfter: new Date() }).catch((error: unknown) => {
      this.options.logger.debug({ err: error }, "released task waits out its retry delay");
    });
  }

  /** Stops taking tasks; lets running ones finish within graceMs, then releases them. */
  async drain(graceMs: number): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    this.stopSweep();
    this.stopRetention();
    await this.approvals.stopTimeouts();
    const log = this.options.logger;
    await this.options.boss.offWork(TASK_QUEUE, { wait: false });
    if (this.running.size > 0) log.info({ running: this.running.size, graceMs }, "draining: waiting for running tasks");
    await this.runningSettled(graceMs);
    if (this.running.size > 0) {
      log.info({ running: this.running.size }, "grace period over: checkpointing and releasing running tasks");
      for (const { controller } of this.running.values()) controller.abort(shutdownReason());
      // Tools are killed by the abort; bounded in case one ignores it.
      await this.runningSettled(this.options.releaseWaitMs ?? 30_000);
    }
    // Final states recorded by this pool's tasks are still being shown (the Slack thread): none is lost.
    await Promise.all([this.options.lifecycle.idle(), Promise.allSettled([...this.background])]);
  }

  /** Resolves when every running task has ended, or after `ms`, whichever comes first. */
  private async runningSettled(ms: number): Promise<void> {
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }
}
