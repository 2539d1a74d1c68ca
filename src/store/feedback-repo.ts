// Feedback on task results: a person's thumbs up or down on a task, kept per task and person (a
// second press replaces the first).
import type { Queryable } from "./database.ts";
import * as sql from "./sql/feedback.ts";

export type FeedbackValue = "positive" | "negative";

export function createFeedbackRepo(db: Queryable) {
  return {
    async record(taskId: string, userId: string, value: FeedbackValue): Promise<void> {
      await db.query(sql.record, [taskId, userId, value]);
    },
    async ofTask(taskId: string): Promise<Array<{ userId: string; value: FeedbackValue }>> {
      const { rows } = await db.query<{ user_id: string; value: FeedbackValue }>(sql.ofTask, [taskId]);
      return rows.map((r) => ({ userId: r.user_id, value: r.value }));
    },
    async counts(): Promise<{ positive: number; negative: number }> {
      const { rows } = await db.query<{ positive: number; negative: number }>(sql.counts);
      return { positive: Number(rows[0]?.positive ?? 0), negative: Number(rows[0]?.negative ?? 0) };
    },
  };
}

export type FeedbackRepo = ReturnType<typeof createFeedbackRepo>;
