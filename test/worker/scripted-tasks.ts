// Helpers shared by the multi-process tests: reading the test database between process runs,
// and telling which task a recorded model request belongs to.
import type { RecordedRequest } from "../doubles/messages-api.ts";
import { openDatabase } from "../../src/store/open-database.ts";
import { createTaskRepo, type Task } from "../../src/store/task-repo.ts";
import type { TestTarget } from "../helpers/test-database.ts";
import type { Database } from "../../src/store/database.ts";
import { pino } from "pino";
import { startBoss } from "../../src/queue/boss.ts";
import { DEAD_LETTER_QUEUE, queuePolicy } from "../../src/queue/queue-policy.ts";

/** Opens the target's database for one look (a client of the worker that owns an embedded one). */
export async function withDb<T>(target: TestTarget, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(target.config, { role: "command" });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export function getTask(target: TestTarget, id: string): Promise<Task | null> {
  return withDb(target, (db) => createTaskRepo(db).get(id));
}

/** The task text is the first user message of every request the task makes. */
export function taskTextOf(req: RecordedRequest): string {
  const first = req.body.messages[0];
  if (!first) return "";
  if (typeof first.content === "string") return first.content;
  return first.content.map((b) => ("text" in b && typeof b.text === "string" ? b.text : "")).join("");
}

/** Which turn a request is: 1 for the first model call of a task, 2 after one round of tool results... */
export function turnOf(req: RecordedRequest): number {
  return req.body.messages.filter((m) => m.role === "assistant").length + 1;
}

export function queuedId(stdout: string): string {
  const match = /queued ([0-9a-f-]{36})/.exec(stdout);
  if (!match) throw new Error(`no task id in: ${stdout}`);
  return match[1]!;
}

/** The task's jobs in the dead-letter queue, or null while there are none. */
export function deadLetterJobs(target: TestTarget, taskId: string) {
  return withDb(target, async (db) => {
    const boss = await startBoss(db, queuePolicy({ TASK_TIMEOUT_SECONDS: 60, WORKER_CONCURRENCY: 1 }), { supervise: false, logger: pino({ level: "silent" }) });
    try {
      const jobs = await boss.findJobs<{ taskId: string }>(DEAD_LETTER_QUEUE, { data: { taskId } });
      return jobs.length > 0 ? jobs : null;
    } finally {
      await boss.stop({ graceful: false, close: true });
    }
  });
}
