// The engine's CheckpointStore backed by the database: after every turn the conversation is
// saved, so a retried job (worker killed, released on shutdown) resumes from its last turn.
import type { Queryable, Row } from "./database.ts";
import type { Checkpoint, CheckpointStore } from "../agent/run-options.ts";
import * as sql from "./sql/checkpoints.ts";

/** A newer attempt holds the task: this one must stop, its work can no longer land. */
export class ClaimLostError extends Error {
  constructor(taskId: string, attempt: number) {
    super(`task ${taskId}: attempt ${attempt} no longer holds the task (it was cancelled, finished or taken over)`);
    this.name = "ClaimLostError";
  }
}

export function createCheckpointStore(db: Queryable, taskId: string, attempt: number): CheckpointStore {
  return {
    async load() {
      const { rows } = await db.query(sql.load, [taskId]);
      return rows[0] ? toCheckpoint(rows[0]) : null;
    },
    async save(checkpoint) {
      const { rows } = await db.query(sql.save, [
        taskId,
        attempt,
        checkpoint.turn,
        JSON.stringify(checkpoint.messages),
        JSON.stringify(checkpoint.todos),
        JSON.stringify(checkpoint.usage),
      ]);
      if (rows.length === 0) throw new ClaimLostError(taskId, attempt);
    },
  };
}

export async function deleteCheckpoint(db: Queryable, taskId: string): Promise<void> {
  await db.query(sql.remove, [taskId]);
}

function toCheckpoint(r: Row): Checkpoint {
  const parse = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);
  return {
    turn: Number(r["turn"]),
    messages: parse(r["messages"]),
    todos: parse(r["todos"]),
    usage: parse(r["usage"]),
  };
}
