// A task's final state has one owner: this module. Whoever settles a task (the worker that ran
// it, a cancel of a queued task, a cancel whose worker never answered) calls finish(); the
// database lets exactly one of them write the final state, and only that one announces it
// through the hooks (the Slack thread). No sleeps, no race between paths. A worker has it
// announce in the background, so its slot is free once the outcome is recorded; every such
// announcement is tracked, and idle() (awaited when a worker drains) waits for them.
import type { PgBoss } from "pg-boss";
import type { Todo, Usage } from "../agent/events.ts";
import { emptyUsage } from "../agent/events.ts";
import type { Database } from "../store/database.ts";
import { createTaskRepo, FINISHED, type Task } from "../store/task-repo.ts";
import type { NewTranscriptEvent } from "../store/transcript-repo.ts";
import { TASK_QUEUE } from "../queue/queue-policy.ts";
import { CodedError, type Failure } from "../shared/errors.ts";
import type { Logger } from "../shared/log.ts";
import * as metrics from "../shared/metrics.ts";
import type { TaskHooks, TaskOutputs } from "./task-hooks.ts";
import { describeActor } from "./actor.ts";
import { withdrawPending } from "./approvals.ts";

export interface FinalState {
  status: "succeeded" | "failed" | "cancelled";
  result: string;
  failure?: Failure;
  todos: Todo[];
  usage: Usage;
  turns: number;
}

export interface FinishHow {
  /** Announce without waiting for it (a worker's slot is free once the outcome is recorded). */
  background?: boolean;
  /** The attempt's last transcript events, stored in the same write as the final state. */
  events?: readonly NewTranscriptEvent[];
}

export type CancelResult =
  /** Settled as cancelled (it was queued, or its worker confirmed). */
  | { outcome: "cancelled"; task: Task }
  /** Running: its worker stops at its next step and records the cancel. */
  | { outcome: "stopping"; task: Task }
  | { outcome: "already_finished"; task: Task };

export interface TaskLifecycle {
  /**
   * Records the final state and announces it. `attempt`: only while that attempt holds the task;
   * null: whoever holds it (a queued task, or a running one whose worker is gone). Resolves to
   * the task as recorded, or null when something else settled it first.
   */
  finish(taskId: string, attempt: number | null, final: FinalState, outputs?: TaskOutputs, how?: FinishHow): Promise<Task | null>;
  /**
   * Cancels a task. `by` is an actor key ("slack:U123", "cli:alice"). With `wait`, a running
   * task's result is awaited (the command line); without, the caller gets "stopping" at once.
   */
  cancel(idOrPrefix: string, by: string, options?: { wait?: boolean }): Promise<CancelResult>;
  /** Stops waiting for workers to confirm cancels (shutdown). */
  close(): void;
  /** Resolves once every announcement started in the background has ended. */
  idle(): Promise<void>;
}

export interface LifecycleOptions {
  db: Database;
  boss: PgBoss;
  hooks: TaskHooks | null;
  logger: Logger;
  /** How long a running task's worker has to confirm a cancel before it is settled without it. */
  cancelConfirmMs?: number;
}

const POLL_MS = 100;

export function createTaskLifecycle(options: LifecycleOptions): TaskLifecycle {
  const tasks = createTaskRepo(options.db);
  const confirmMs = options.cancelConfirmMs ?? 20_000;
  const watchdogs = new Set<NodeJS.Timeout>();
  const log = options.logger;
  const announcing = new Set<Promise<void>>();

  async function announce(task: Task, outputs: TaskOutputs | undefined): Promise<void> {
    await options.hooks?.finished(task, outputs).catch((error: unknown) => log.warn({ err: error, taskId: task.id }, "announcing the final state failed"));
  }

  async function finish(taskId: string, attempt: number | null, final: FinalState, outputs?: TaskOutputs, how: FinishHow = {}): Promise<Task | null> {
    const task =
      attempt === null
        ? final.status === "succeeded"
          ? null
          : await tasks.settleUnowned(taskId, final.status, final.failure ?? new CodedError("internal", "settled without a reason").toFailure())
        : await tasks.finish(taskId, attempt, final, how.events);
    if (!task) return null;
    metrics.tasksFinished.inc({ status: task.status });
    if (task.startedAt && task.finishedAt) metrics.taskDuration.observe({ status: task.status }, (task.finishedAt.getTime() - task.startedAt.getTime()) / 1000);
    log.info({ taskId, status: task.status, code: task.failure?.code, detail: task.failure?.detail, turns: task.turns }, "task finished");
    if (!options.hooks) return task;
    if (!how.background) {
      await announce(task, outputs);
      return task;
    }
    const pending = announce(task, outputs).finally(() => announcing.delete(pending));
    announcing.add(pending);
    return task;
  }

  function cancelledState(task: Task, detail: string): FinalState {
    return {
      status: "cancelled",
      result: task.result ?? "",
      failure: new CodedError("cancelled", detail).toFailure(),
      todos: task.todos,
      usage: task.usage ?? emptyUsage(),
      turns: task.turns,
    };
  }

  async function settleIfUnconfirmed(task: Task, by: string): Promise<Task> {
    const now = await tasks.get(task.id);
    if (now && FINISHED.includes(now.status)) return now;
    log.warn({ taskId: task.id }, "the task's worker did not confirm the cancel; settling it here");
    return (await finish(task.id, null, cancelledState(now ?? task, `cancelled by ${describeActor(by)} (its worker did not confirm)`))) ?? (await tasks.get(task.id)) ?? task;
  }

  return {
    finish,

    async cancel(idOrPrefix, by, cancelOptions = {}) {
      const id = await tasks.resolveId(idOrPrefix.trim());
      const requested = id ? await tasks.requestCancel(id, by) : null;
      if (!requested) throw new CodedError("unknown_task", `no task with id "${idOrPrefix.trim()}"`);
      if (FINISHED.includes(requested.status)) return { outcome: "already_finished", task: requested };
      // A queued job never starts; a running one's worker sees its job cancelled at its next heartbeat.
      await options.boss.cancel(TASK_QUEUE, requested.jobId ?? requested.id);
      // Nobody runs a task waiting for a decision: it is settled here, like a queued one.
      if (requested.status === "queued" || requested.status === "waiting") {
        const settled = await finish(requested.id, null, cancelledState(requested, `cancelled by ${describeActor(by)}`));
        if (settled && requested.status === "waiting") {
          await withdrawPending(options, settled.id).catch((error: unknown) => log.warn({ err: error, taskId: settled.id }, "could not withdraw its approval request"));
        }
        if (settled) return { outcome: "cancelled", task: settled };
      }
      if (cancelOptions.wait) {
        const deadline = Date.now() + confirmMs;
        for (;;) {
          const now = await tasks.get(requested.id);
          if (now && FINISHED.includes(now.status)) return { outcome: now.status === "cancelled" ? "cancelled" : "already_finished", task: now };
          if (Date.now() >= deadline) break;
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
        const final = await settleIfUnconfirmed(requested, by);
        return { outcome: final.status === "cancelled" ? "cancelled" : "already_finished", task: final };
      }
      const timer = setTimeout(() => {
        watchdogs.delete(timer);
        settleIfUnconfirmed(requested, by).catch((error: unknown) => log.warn({ err: error, taskId: requested.id }, "could not settle an unconfirmed cancel"));
      }, confirmMs);
      timer.unref();
      watchdogs.add(timer);
      return { outcome: "stopping", task: requested };
    },

    close() {
      for (const timer of watchdogs) clearTimeout(timer);
      watchdogs.clear();
    },

    async idle() {
      while (announcing.size > 0) await Promise.allSettled([...announcing]);
    },
  };
}
