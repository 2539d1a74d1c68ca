// Helpers shared by the multi-process tests: reading the test database between process runs,
// and telling which task a recorded model request belongs to.
import type { RecordedRequest } from "../doubles/messages-api.ts";
import { openDatabase } from "../../src/store/open-database.ts";
import { createTaskRepo, type Task } from "../../src/store/task-repo.ts";
import type { TestTarget } from "../helpers/test-database.ts";
import type { Database } from "../../src/store/database.ts";

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
