// The engine's CheckpointStore backed by the database: after every turn the conversation is
// saved, so a retried job (worker killed, released on shutdown) resumes from its last turn.
import type { Queryable, Row } from "./database.ts";
import type { Checkpoint, CheckpointStore } from "../agent/run-options.ts";
import { CodedError } from "../shared/errors.ts";
import { jsonColumn, jsonParam } from "./json-column.ts";
import * as sql from "./sql/checkpoints.ts";

export function createCheckpointStore(db: Queryable, taskId: string, attempt: number): CheckpointStore {
  return {
    async load() {
      const { rows } = await db.query(sql.load, [taskId]);
      return rows[0] ? toCheckpoint(rows[0]) : null;
    },
    async save(checkpoint) {
      const { rows } = await db.query(sql.save, [taskId, attempt, checkpoint.turn, jsonParam(checkpoint.messages), jsonParam(checkpoint.todos), jsonParam(checkpoint.usage)]);
      // A newer attempt holds the task (or it was cancelled or finished): this one's work can no longer land.
      if (rows.length === 0) throw new CodedError("claim_lost", `task ${taskId}: attempt ${attempt} no longer holds the task (it was cancelled, finished or taken over)`);
    },
  };
}

function toCheckpoint(r: Row): Checkpoint {
  return {
    turn: Number(r["turn"]),
    messages: jsonColumn(r["messages"], []),
    todos: jsonColumn(r["todos"], []),
    usage: jsonColumn(r["usage"], { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 }),
  };
}
