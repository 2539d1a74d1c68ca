// Spend as stored: the tokens of recent tasks, summed by who asked and where (a Slack channel, a
// direct message, the command line). Pricing them is the caller's (an estimate at today's prices).
import type { Usage } from "../agent/events.ts";
import type { Queryable } from "./database.ts";
import type { TaskSource } from "./task-repo.ts";
import * as sql from "./sql/usage.ts";

export interface SpendRow {
  userId: string | null;
  channelId: string | null;
  source: TaskSource;
  tasks: number;
  usage: Usage;
}

export function createUsageRepo(db: Queryable) {
  return {
    /** Tasks created in the last `days` days, grouped by asker, channel and source. */
    async spendSince(days: number): Promise<SpendRow[]> {
      const { rows } = await db.query<Record<string, unknown>>(sql.byAskerAndChannel, [days]);
      return rows.map((r) => ({
        userId: (r["user_id"] as string | null) ?? null,
        channelId: (r["channel_id"] as string | null) ?? null,
        source: r["source"] as TaskSource,
        tasks: Number(r["tasks"]),
        usage: {
          input_tokens: Number(r["input_tokens"]),
          output_tokens: Number(r["output_tokens"]),
          cache_read_input_tokens: Number(r["cache_read_input_tokens"]),
          cache_creation_input_tokens: Number(r["cache_creation_input_tokens"]),
        },
      }));
    },
  };
}
