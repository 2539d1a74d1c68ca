// Slack messages taken in (one row per message: redeliveries and a mention's twin message event
// are handled once) and the inbox of follow-ups sent to a running task. Also the Slack-side
// reads of task records (a thread's tasks, a person's tasks).
import type { Queryable, Row } from "./database.ts";
import { jsonColumn, jsonParam } from "./json-column.ts";
import * as sql from "./sql/slack-messages.ts";

export interface SlackFileRef {
  id: string;
  name: string;
  url?: string;
  size?: number;
  mimetype?: string;
}

export interface SlackMessageRecord {
  channelId: string;
  messageTs: string;
  threadTs: string;
  teamId: string | null;
  userId: string | null;
  text: string;
  files: SlackFileRef[];
}

/** The newest task of a thread. */
export interface LatestInThread {
  id: string;
  status: string;
  userId: string | null;
  meta: Record<string, unknown>;
}

export interface ThreadTask {
  id: string;
  userId: string | null;
  text: string;
  status: string;
  result: string | null;
  error: string | null;
  meta: Record<string, unknown>;
}

export function createSlackMessageRepo(db: Queryable) {
  return {
    /**
     * Takes a message in: `claimed` only for its first delivery. With it, in the same statement,
     * what deciding needs: as latestInThread and openTasksOf (of its author), the queue's depth and
     * the channel's default repository.
     */
    async takeIn(m: SlackMessageRecord): Promise<{ claimed: boolean; latest: LatestInThread | null; openOfAuthor: number; waiting: number; channelRepo: string | null }> {
      const { rows } = await db.query(sql.takeIn, [m.channelId, m.messageTs, m.threadTs, m.teamId, m.userId, m.text, jsonParam(m.files)]);
      const r = rows[0]!;
      return {
        claimed: Number(r["claimed"]) === 1,
        latest: r["id"] ? toLatest(r) : null,
        openOfAuthor: Number(r["open"] ?? 0),
        waiting: Number(r["waiting"] ?? 0),
        channelRepo: (r["channel_repo"] as string | null) ?? null,
      };
    },
    async assign(channelId: string, messageTs: string, role: "task" | "follow_up" | "ignored", taskId: string | null): Promise<void> {
      await db.query(sql.assign, [channelId, messageTs, role, taskId]);
    },
    async takeInbox(taskId: string): Promise<SlackMessageRecord[]> {
      const { rows } = await db.query(sql.takeInbox, [taskId]);
      return rows.map(toRecord).sort((a, b) => compareTs(a.messageTs, b.messageTs));
    },
    async takeOne(channelId: string, messageTs: string): Promise<SlackMessageRecord | null> {
      const { rows } = await db.query(sql.takeOne, [channelId, messageTs]);
      return rows[0] ? toRecord(rows[0]) : null;
    },
    async takenBy(taskIds: string[]): Promise<Array<SlackMessageRecord & { taskId: string }>> {
      if (taskIds.length === 0) return [];
      const { rows } = await db.query(sql.takenBy, [taskIds]);
      return rows.map((r) => ({ ...toRecord({ ...r, channel_id: "", thread_ts: "", team_id: null }), taskId: String(r["task_id"]) }));
    },
    async latestInThread(channelId: string, threadTs: string): Promise<LatestInThread | null> {
      const { rows } = await db.query(sql.latestInThread, [channelId, threadTs]);
      return rows[0] ? toLatest(rows[0]) : null;
    },
    async earlierInThread(taskId: string): Promise<ThreadTask[]> {
      const { rows } = await db.query(sql.earlierInThread, [taskId]);
      return rows.map((r) => ({
        id: String(r["id"]),
        userId: (r["user_id"] as string | null) ?? null,
        text: String(r["text"]),
        status: String(r["status"]),
        result: (r["result"] as string | null) ?? null,
        error: (r["error"] as string | null) ?? null,
        meta: jsonColumn(r["meta"], {}),
      }));
    },
    /** The user's Slack tasks, open ones first, then the most recent. */
    async recentOf(userId: string, limit: number): Promise<string[]> {
      const { rows } = await db.query<{ id: string }>(sql.recentOfUser, [userId, limit]);
      return rows.map((r) => r.id);
    },
    async openTasksOf(userId: string): Promise<number> {
      const { rows } = await db.query<{ n: number }>(sql.openOfUser, [userId]);
      return Number(rows[0]?.n ?? 0);
    },
  };
}

export type SlackMessageRepo = ReturnType<typeof createSlackMessageRepo>;

function toLatest(r: Row): LatestInThread {
  return { id: String(r["id"]), status: String(r["status"]), userId: (r["user_id"] as string | null) ?? null, meta: jsonColumn(r["meta"], {}) };
}

function toRecord(r: Row): SlackMessageRecord {
  return {
    channelId: String(r["channel_id"] ?? ""),
    messageTs: String(r["message_ts"]),
    threadTs: String(r["thread_ts"] ?? ""),
    teamId: (r["team_id"] as string | null) ?? null,
    userId: (r["user_id"] as string | null) ?? null,
    text: String(r["text"] ?? ""),
    files: jsonColumn(r["files"], [] as SlackFileRef[]),
  };
}

/** Slack timestamps ("1700000000.000100") in time order; too many digits for a float to compare. */
function compareTs(a: string, b: string): number {
  const [ai = "", af = ""] = a.split(".");
  const [bi = "", bf = ""] = b.split(".");
  return ai.padStart(12, "0").localeCompare(bi.padStart(12, "0")) || af.padEnd(6, "0").localeCompare(bf.padEnd(6, "0"));
}
