// A task's transcript: its engine events as stored (already scrubbed and cut by the writer),
// read in order for the page and `deep-agent show`; retention for them and old checkpoints.
import { randomBytes } from "node:crypto";
import type { Queryable } from "./database.ts";
import { jsonColumn, jsonParam } from "./json-column.ts";
import * as sql from "./sql/transcripts.ts";

export interface NewTranscriptEvent {
  kind: string;
  payload: Record<string, unknown>;
  at: Date;
}

/** The events as the append SQL takes them (sql/transcripts.ts appendEvents). */
export function eventsParam(events: readonly NewTranscriptEvent[]): string {
  return jsonParam(events.map((e) => ({ kind: e.kind, payload: e.payload, at: e.at.toISOString() })));
}

export interface TranscriptEvent extends NewTranscriptEvent {
  seq: number;
  attempt: number;
}

export interface TranscriptRepo {
  /** One round trip for the whole batch, in its order. */
  append(taskId: string, attempt: number, events: readonly NewTranscriptEvent[]): Promise<void>;
  /** Events after `afterSeq` (0: from the start), oldest first, at most `limit`. */
  after(taskId: string, afterSeq: number, limit: number): Promise<TranscriptEvent[]>;
  count(taskId: string): Promise<number>;
  /** The link-signing secret kept in the database, made by whichever process asks first. */
  storedSecret(): Promise<string>;
  /** Deletes events and checkpoints of tasks finished more than `days` ago. */
  prune(days: number): Promise<{ events: number; checkpoints: number }>;
}

export function createTranscriptRepo(db: Queryable): TranscriptRepo {
  return {
    async append(taskId, attempt, events) {
      if (events.length === 0) return;
      await db.query(sql.append, [taskId, attempt, eventsParam(events)]);
    },
    async after(taskId, afterSeq, limit) {
      const { rows } = await db.query(sql.after, [taskId, afterSeq, limit]);
      return rows.map((r) => ({
        seq: Number(r["seq"]),
        attempt: Number(r["attempt"]),
        kind: String(r["kind"]),
        payload: jsonColumn<Record<string, unknown>>(r["payload"], {}),
        at: new Date(r["at"] as string | Date),
      }));
    },
    async count(taskId) {
      const { rows } = await db.query<{ n: number }>(sql.count, [taskId]);
      return Number(rows[0]?.n ?? 0);
    },
    async storedSecret() {
      const { rows } = await db.query<{ secret: string }>(sql.secret, [randomBytes(32).toString("base64url")]);
      return rows[0]!.secret;
    },
    async prune(days) {
      const events = await db.query<{ n: number }>(sql.pruneEvents, [days]);
      const checkpoints = await db.query<{ n: number }>(sql.pruneCheckpoints, [days]);
      return { events: Number(events.rows[0]?.n ?? 0), checkpoints: Number(checkpoints.rows[0]?.n ?? 0) };
    },
  };
}
