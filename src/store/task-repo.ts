// Task records: who asked, what, where it stands, and its outcome.
import { randomUUID } from "node:crypto";
import { isUuid } from "../shared/uuid.ts";
import type { Queryable, Row } from "./database.ts";
import type { Todo, Usage } from "../agent/events.ts";
import { emptyUsage } from "../agent/events.ts";
import type { AgentOutcome } from "../agent/run-options.ts";
import { failureFrom, type Failure } from "../shared/errors.ts";
import { jsonColumn, jsonParam } from "./json-column.ts";
import * as sql from "./sql/tasks.ts";
import { eventsParam, type NewTranscriptEvent } from "./transcript-repo.ts";

export type TaskSource = "cli" | "slack" | "schedule";
/** "waiting": for a person's decision (an approval, the spending limit); no worker holds it. */
export type TaskState = "queued" | "running" | "waiting" | "succeeded" | "failed" | "cancelled";
export const FINISHED: readonly TaskState[] = ["succeeded", "failed", "cancelled"];

export interface Task {
  id: string;
  source: TaskSource;
  dedupeKey: string | null;
  teamId: string | null;
  channelId: string | null;
  threadTs: string | null;
  userId: string | null;
  text: string;
  status: TaskState;
  todos: Todo[];
  result: string | null;
  /** Why it did not succeed (or why its last attempt failed, while it waits for a retry). */
  failure: Failure | null;
  usage: Usage;
  attempt: number;
  turns: number;
  lastActivity: string | null;
  worker: string | null;
  meta: Record<string, unknown>;
  cancelRequestedAt: Date | null;
  /** Who asked to cancel: an actor key such as "slack:U123" or "cli:alice". */
  cancelledBy: string | null;
  /** The sandbox the task ran in, for a later task of its conversation. */
  sandboxId: string | null;
  /** The pg-boss job running it now when not its first (a continuation after a decision). */
  jobId: string | null;
  /** The model the request chose (one of AGENT_MODELS); null: the configured default. */
  model: string | null;
  createdAt: Date;
  startedAt: Date | null;
  attemptStartedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

export interface NewTask {
  /** Chosen by the caller when something must name the task before it is stored (a Slack card's Cancel button). */
  id?: string;
  text: string;
  source: TaskSource;
  /** Same key, same task: a second insert returns the first. */
  dedupeKey?: string;
  teamId?: string;
  channelId?: string;
  threadTs?: string;
  userId?: string;
  meta?: Record<string, unknown>;
  /** The model the request chose; unset: the configured default. */
  model?: string;
}

/** What the record keeps of an outcome: everything but the conversation (the checkpoint has it). */
export type TaskFinish = Omit<AgentOutcome, "messages">;

/** $1–$10 of `insert` and `insertIfRoom`. */
function newTaskParams(input: NewTask): unknown[] {
  return [
    input.id ?? randomUUID(),
    input.source,
    input.dedupeKey ?? null,
    input.teamId ?? null,
    input.channelId ?? null,
    input.threadTs ?? null,
    input.userId ?? null,
    input.text,
    jsonParam(input.meta ?? {}),
    input.model ?? null,
  ];
}

export { ENQUEUE_LOCK } from "./sql/tasks.ts";

export function createTaskRepo(db: Queryable) {
  const one = async (text: string, params: unknown[]): Promise<Task | null> => {
    const { rows } = await db.query(text, params);
    return rows[0] ? toTask(rows[0]) : null;
  };
  const byDedupeKey = (key: string) => one(sql.byDedupeKey, [key]);
  return {
    /** Inserts the task, or returns the one already made for the same dedupe key. */
    async insert(input: NewTask): Promise<{ task: Task; created: boolean }> {
      const created = await one(sql.insert, newTaskParams(input));
      if (created) return { task: created, created: true };
      const existing = input.dedupeKey ? await byDedupeKey(input.dedupeKey) : null;
      if (!existing) throw new Error("task insert was skipped but no task has its dedupe key");
      return { task: existing, created: false };
    },
    get: (id: string) => one(sql.byId, [id]),
    /** A full id, or a unique prefix of one (as `queue list` shows them). */
    async resolveId(idOrPrefix: string): Promise<string | null> {
      if (!/^[0-9a-f-]{4,36}$/i.test(idOrPrefix)) return null;
      const { rows } = await db.query<{ id: string }>(sql.idsByPrefix, [idOrPrefix.toLowerCase()]);
      return rows.length === 1 ? rows[0]!.id : null;
    },
    /**
     * Call in a transaction holding ENQUEUE_LOCK: makes the task only when no task has its dedupe
     * key, fewer than `maxDepth` wait, and `countedUser` (null: not counted) has fewer than `maxOpen`
     * open; answers what it found either way, and the task when it made it.
     */
    async insertIfRoom(
      input: NewTask,
      limits: { maxDepth: number; countedUser: string | null; maxOpen: number | null },
    ): Promise<{ made: Task | null; existing: string | null; depth: number; open: number }> {
      const { rows } = await db.query(sql.insertIfRoom, [...newTaskParams(input), limits.countedUser, limits.maxDepth, limits.maxOpen]);
      const r = rows[0] ?? {};
      return { made: r["id"] ? toTask(r) : null, existing: (r["existing"] as string | null) ?? null, depth: Number(r["depth"] ?? 0), open: Number(r["open"] ?? 0) };
    },
    byDedupeKey,
    async queuedCount(): Promise<number> {
      const { rows } = await db.query<{ n: number }>(sql.queuedCount);
      return Number(rows[0]?.n ?? 0);
    },
    async openCounts(): Promise<{ queued: number; running: number; waiting: number }> {
      const { rows } = await db.query<{ queued: number; running: number; waiting: number }>(sql.openCounts);
      return { queued: Number(rows[0]?.queued ?? 0), running: Number(rows[0]?.running ?? 0), waiting: Number(rows[0]?.waiting ?? 0) };
    },
    async listOpen(limit = 1000): Promise<Array<Task & { position: number | null }>> {
      const { rows } = await db.query(sql.listOpen, [limit]);
      return rows.map((r) => ({ ...toTask(r), position: r["position"] == null ? null : Number(r["position"]) }));
    },
    async position(id: string): Promise<number> {
      const { rows } = await db.query<{ n: number }>(sql.position, [id]);
      return Number(rows[0]?.n ?? 0);
    },
    /** Marks the task running under this attempt; null when it is finished or a newer attempt has it. */
    claim: (id: string, attempt: number, worker: string) => one(sql.claim, [id, attempt, worker]),
    async progress(id: string, attempt: number, update: { todos?: Todo[]; usage?: Usage; turns?: number; lastActivity?: string }): Promise<void> {
      await db.query(sql.progress, [
        id,
        attempt,
        update.todos ? jsonParam(update.todos) : null,
        update.usage ? jsonParam(update.usage) : null,
        update.turns ?? null,
        update.lastActivity ?? null,
      ]);
    },
    /**
     * Records the outcome once, in one write with the attempt's last transcript events: null when
     * this attempt no longer holds the task (its events are kept all the same).
     */
    finish: (id: string, attempt: number, f: TaskFinish, events: readonly NewTranscriptEvent[] = []) =>
      one(sql.finish, [id, attempt, f.status, f.result, f.failure?.detail ?? null, f.failure?.code ?? null, jsonParam(f.todos), jsonParam(f.usage), f.turns, eventsParam(events)]),
    /** Back in line, keeping why the last attempt failed (null: released at shutdown). */
    async requeue(id: string, attempt: number, failure: Failure | null): Promise<void> {
      await db.query(sql.requeue, [id, attempt, failure?.detail ?? null, failure?.code ?? null]);
    },
    requestCancel: (id: string, by: string) => one(sql.requestCancel, [id, by]),
    /** Settles a task no worker will finish; `attempt` limits it to that attempt's claim. */
    settleUnowned: (id: string, status: "cancelled" | "failed", failure: Failure, attempt: number | null = null) =>
      one(sql.settleUnowned, [id, status, failure.detail, failure.code, attempt]),
    async setSandbox(id: string, attempt: number, sandboxId: string): Promise<void> {
      await db.query(sql.setSandbox, [id, attempt, sandboxId]);
    },
    async conversationSandbox(id: string): Promise<string | null> {
      const { rows } = await db.query<{ sandbox_id: string }>(sql.conversationSandbox, [id]);
      return rows[0]?.sandbox_id ?? null;
    },
    /** Running → waiting for a decision; null when this attempt no longer holds the task. */
    markWaiting: (id: string, attempt: number) => one(sql.markWaiting, [id, attempt]),
    /** Waiting → queued again, run by the job `jobId`; null when it was not waiting (cancelled meanwhile). */
    resumeWaiting: (id: string, jobId: string) => one(sql.resumeWaiting, [id, jobId]),
    /** Locks the task's row for the rest of the transaction; its status, or null when there is no such task. */
    async lock(id: string): Promise<TaskState | null> {
      const { rows } = await db.query<{ status: TaskState }>(sql.lock, [id]);
      return rows[0]?.status ?? null;
    },
    /** Queued, running or waiting (or a kept sandbox of such a task); an id that is not a task is not open. */
    async isOpen(id: string): Promise<boolean> {
      if (!isUuid(id)) return false;
      const { rows } = await db.query<{ open: boolean }>(sql.isOpen, [id]);
      return rows[0]?.open === true;
    },

    async threadHasOpenTask(channelId: string, threadTs: string): Promise<boolean> {
      const { rows } = await db.query<{ open: boolean }>(sql.threadHasOpenTask, [channelId, threadTs]);
      return rows[0]?.open === true;
    },
  };
}

export type TaskRepo = ReturnType<typeof createTaskRepo>;

function toTask(r: Row): Task {
  return {
    id: String(r["id"]),
    source: r["source"] as TaskSource,
    dedupeKey: (r["dedupe_key"] as string | null) ?? null,
    teamId: (r["team_id"] as string | null) ?? null,
    channelId: (r["channel_id"] as string | null) ?? null,
    threadTs: (r["thread_ts"] as string | null) ?? null,
    userId: (r["user_id"] as string | null) ?? null,
    text: String(r["text"]),
    status: r["status"] as TaskState,
    todos: jsonColumn(r["todos"], [] as Todo[]),
    result: (r["result"] as string | null) ?? null,
    failure: failureFrom(r["error_code"] as string | null, r["error"] as string | null),
    usage: jsonColumn(r["usage"], emptyUsage()),
    attempt: Number(r["attempt"] ?? 0),
    turns: Number(r["turns"] ?? 0),
    lastActivity: (r["last_activity"] as string | null) ?? null,
    worker: (r["worker"] as string | null) ?? null,
    meta: jsonColumn(r["meta"], {} as Record<string, unknown>),
    cancelRequestedAt: date(r["cancel_requested_at"]),
    cancelledBy: (r["cancelled_by"] as string | null) ?? null,
    sandboxId: (r["sandbox_id"] as string | null) ?? null,
    jobId: (r["job_id"] as string | null) ?? null,
    model: (r["model"] as string | null) ?? null,
    createdAt: date(r["created_at"])!,
    startedAt: date(r["started_at"]),
    attemptStartedAt: date(r["attempt_started_at"]),
    finishedAt: date(r["finished_at"]),
    updatedAt: date(r["updated_at"])!,
  };
}

function date(value: unknown): Date | null {
  if (value == null) return null;
  return value instanceof Date ? value : new Date(String(value));
}
