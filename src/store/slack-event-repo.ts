// Slack redelivers events it thinks timed out; the ledger of event ids makes one task per event.
import type { Queryable } from "./database.ts";
import * as sql from "./sql/slack-events.ts";

export function createSlackEventRepo(db: Queryable) {
  return {
    /** True for the first delivery of this event id, false for a redelivery. */
    async recordFirst(eventId: string, taskId: string | null = null): Promise<boolean> {
      const { rows } = await db.query(sql.record, [eventId, taskId]);
      return rows.length === 1;
    },
    async taskFor(eventId: string): Promise<string | null> {
      const { rows } = await db.query<{ task_id: string | null }>(sql.taskFor, [eventId]);
      return rows[0]?.task_id ?? null;
    },
    /** Slack stops redelivering after minutes; old ids need not be kept. */
    async prune(olderThanDays = 7): Promise<void> {
      await db.query(sql.prune, [olderThanDays]);
    },
  };
}

export type SlackEventRepo = ReturnType<typeof createSlackEventRepo>;
