// Adding, listing and cancelling tasks: the task record and its pg-boss job are written in one
// transaction, the job id is the task id (so one request can never become two jobs), and the
// queue depth is checked under a lock so MAX_QUEUE_DEPTH holds with many producers.
import type { PgBoss } from "pg-boss";
import type { Database } from "../store/database.ts";
import { asBossDb } from "../store/database.ts";
import { createTaskRepo, FINISHED, type NewTask, type Task } from "../store/task-repo.ts";
import { TASK_QUEUE } from "./queue-policy.ts";

export class QueueFullError extends Error {
  constructor(depth: number, max: number) {
    super(`the queue is full (${depth} task${depth === 1 ? "" : "s"} waiting, MAX_QUEUE_DEPTH=${max}); wait for tasks to finish, cancel some, or raise MAX_QUEUE_DEPTH`);
    this.name = "QueueFullError";
  }
}

export class UnknownTaskError extends Error {
  constructor(id: string) {
    super(`no task with id "${id}"; \`deep-agent queue list\` shows the queued and running ones`);
    this.name = "UnknownTaskError";
  }
}

export interface Enqueued {
  task: Task;
  /** 1-based place among queued tasks; 0 once it is running or finished. */
  position: number;
  /** False when the dedupe key matched an existing task. */
  created: boolean;
}

export type CancelResult =
  | { outcome: "cancelled"; task: Task }
  | { outcome: "already_finished"; task: Task };

export interface TaskQueue {
  enqueue(input: NewTask): Promise<Enqueued>;
  list(limit?: number): Promise<Array<Task & { position: number | null }>>;
  cancel(idOrPrefix: string, options?: { by?: string; waitMs?: number }): Promise<CancelResult>;
  get(idOrPrefix: string): Promise<Task | null>;
}

export function createTaskQueue(db: Database, boss: PgBoss, limits: { maxQueueDepth: number }): TaskQueue {
  const tasks = createTaskRepo(db);
  const resolve = async (idOrPrefix: string) => (await tasks.resolveId(idOrPrefix.trim())) ?? null;
  return {
    async enqueue(input) {
      return db.transaction(async (tx) => {
        const repo = createTaskRepo(tx);
        await repo.lockForEnqueue();
        // A redelivered request is answered with its task even when the queue is full.
        if (input.dedupeKey) {
          const { rows } = await tx.query<{ id: string }>("SELECT id FROM tasks WHERE dedupe_key = $1", [input.dedupeKey]);
          if (rows[0]) {
            const task = (await repo.get(rows[0].id))!;
            return { task, position: task.status === "queued" ? await repo.position(task.id) : 0, created: false };
          }
        }
        const depth = await repo.queuedCount();
        if (depth >= limits.maxQueueDepth) throw new QueueFullError(depth, limits.maxQueueDepth);
        const { task, created } = await repo.insert(input);
        if (created) {
          await boss.send(TASK_QUEUE, { taskId: task.id }, {
            id: task.id,
            db: asBossDb(tx),
            // Per-team fairness: pg-boss caps how many of one team's tasks run at once.
            ...(task.teamId ? { group: { id: task.teamId } } : {}),
          });
        }
        return { task, position: await repo.position(task.id), created };
      });
    },
    list: (limit) => tasks.listOpen(limit),
    async get(idOrPrefix) {
      const id = await resolve(idOrPrefix);
      return id ? tasks.get(id) : null;
    },
    async cancel(idOrPrefix, options = {}) {
      const id = await resolve(idOrPrefix);
      if (!id) throw new UnknownTaskError(idOrPrefix);
      const task = await tasks.requestCancel(id);
      if (!task) throw new UnknownTaskError(idOrPrefix);
      if (FINISHED.includes(task.status)) return { outcome: "already_finished", task };
      const why = `cancelled by ${options.by ?? "a user"}`;
      // The running worker's next heartbeat finds its claim gone and stops the task (pg-boss aborts
      // the job's signal); a queued job simply never starts.
      await boss.cancel(TASK_QUEUE, id);
      if (task.status === "queued") {
        const settled = await tasks.settleUnowned(id, "cancelled", why, "cancelled");
        if (settled) return { outcome: "cancelled", task: settled };
      }
      const deadline = Date.now() + (options.waitMs ?? 15_000);
      while (Date.now() < deadline) {
        const now = await tasks.get(id);
        if (now && FINISHED.includes(now.status)) return { outcome: now.status === "cancelled" ? "cancelled" : "already_finished", task: now };
        await new Promise((r) => setTimeout(r, 250));
      }
      // Its worker did not answer (gone, or the host is cut off): settle the record here; a late
      // answer from that worker is refused by the attempt fence.
      const forced = await tasks.settleUnowned(id, "cancelled", `${why} (its worker did not confirm)`, "cancelled");
      const final = forced ?? (await tasks.get(id))!;
      return { outcome: final.status === "cancelled" ? "cancelled" : "already_finished", task: final };
    },
  };
}
