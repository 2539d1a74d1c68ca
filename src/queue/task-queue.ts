// Adding and listing tasks: the task record and its pg-boss job are written in one transaction,
// the job id is the task id (so one request can never become two jobs), and the queue's depth and
// the asker's open tasks are checked under a lock, so MAX_QUEUE_DEPTH and MAX_TASKS_PER_USER hold
// with many producers. Cancelling is the lifecycle's (src/tasks/lifecycle.ts), which owns every
// final state.
import type { PgBoss } from "pg-boss";
import type { Database } from "../store/database.ts";
import { asBossDb } from "../store/database.ts";
import { createTaskRepo, ENQUEUE_LOCK, type NewTask, type Task } from "../store/task-repo.ts";
import { CodedError } from "../shared/errors.ts";
import { TASK_QUEUE } from "./queue-policy.ts";

function queueFull(depth: number, max: number): CodedError {
  return new CodedError("queue_full", `the queue is full (${depth} task${depth === 1 ? "" : "s"} waiting, MAX_QUEUE_DEPTH=${max})`);
}

function tooManyTasks(open: number, max: number): CodedError {
  return new CodedError("too_many_tasks", `the asker has ${open} open task${open === 1 ? "" : "s"} (MAX_TASKS_PER_USER=${max})`);
}

export interface Enqueued {
  task: Task;
  /** 1-based place among queued tasks; 0 once it is running or finished. */
  position: number;
  /** False when the dedupe key matched an existing task. */
  created: boolean;
}

export interface EnqueueLimits {
  /** MAX_TASKS_PER_USER for the asker (input.userId); absent: not limited (an admin, the command line). */
  maxOpenOfAsker?: number;
}

export interface TaskQueue {
  /**
   * Throws CodedError "queue_full" past MAX_QUEUE_DEPTH, and "too_many_tasks" when the asker has
   * `maxOpenOfAsker` open tasks; both checked under the lock, so concurrent requests cannot pass
   * together (a request already queued is still answered).
   */
  enqueue(input: NewTask, limits?: EnqueueLimits): Promise<Enqueued>;
  list(limit?: number): Promise<Array<Task & { position: number | null }>>;
  get(idOrPrefix: string): Promise<Task | null>;
  /** Tasks waiting now: the place a new one would take, less one. */
  queuedCount(): Promise<number>;
}

export function createTaskQueue(db: Database, boss: PgBoss, limits: { maxQueueDepth: number }): TaskQueue {
  const tasks = createTaskRepo(db);
  const resolve = async (idOrPrefix: string) => (await tasks.resolveId(idOrPrefix.trim())) ?? null;
  return {
    async enqueue(input, asked = {}) {
      const maxOpen = input.userId ? asked.maxOpenOfAsker : undefined;
      return db.transaction(
        async (tx) => {
          const repo = createTaskRepo(tx);
          const room = await repo.insertIfRoom(input, { maxDepth: limits.maxQueueDepth, countedUser: maxOpen === undefined ? null : input.userId!, maxOpen: maxOpen ?? null });
          if (room.made) {
            const task = room.made;
            await boss.send(
              TASK_QUEUE,
              { taskId: task.id },
              {
                id: task.id,
                db: asBossDb(tx),
                // Per-team fairness: pg-boss caps how many of one team's tasks run at once.
                ...(task.teamId ? { group: { id: task.teamId } } : {}),
              },
            );
            // Under the lock every task that waits was queued before this one.
            return { task, position: room.depth + 1, created: true };
          }
          const alreadyMade = async (task: Task): Promise<Enqueued> => ({ task, position: task.status === "queued" ? await repo.position(task.id) : 0, created: false });
          // A redelivered request is answered with its task even when the queue is full.
          const existing = room.existing ? await repo.get(room.existing) : null;
          if (existing) return alreadyMade(existing);
          if (room.depth >= limits.maxQueueDepth) throw queueFull(room.depth, limits.maxQueueDepth);
          if (maxOpen !== undefined && room.open >= maxOpen) throw tooManyTasks(room.open, maxOpen);
          // Only a task made outside the lock with the same dedupe key (committed as this waited) lands here.
          const raced = input.dedupeKey ? await repo.byDedupeKey(input.dedupeKey) : null;
          if (!raced) throw new Error("the task was neither made nor found by its dedupe key");
          return alreadyMade(raced);
        },
        { lock: ENQUEUE_LOCK },
      );
    },
    list: (limit) => tasks.listOpen(limit),
    async get(idOrPrefix) {
      const id = await resolve(idOrPrefix);
      return id ? tasks.get(id) : null;
    },
    queuedCount: () => tasks.queuedCount(),
  };
}
