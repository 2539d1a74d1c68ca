// Approval records: each time a task stopped to ask a person (a tool call its rules name, or its
// spending limit), what it asked, who may decide, and the decision: who and when.
import type { Queryable, Row } from "./database.ts";
import { jsonColumn, jsonParam } from "./json-column.ts";
import * as sql from "./sql/approvals.ts";
import { isUuid } from "../shared/uuid.ts";

export type ApprovalKind = "tool" | "budget";
/** "withdrawn": the task ended (cancelled) before anyone decided. */
export type ApprovalStatus = "pending" | "approved" | "denied" | "timed_out" | "withdrawn";
export type Decision = "approved" | "denied" | "timed_out" | "withdrawn";

export interface Approval {
  id: string;
  taskId: string;
  kind: ApprovalKind;
  /** The waiting call's id in the conversation (kind "tool"). */
  toolUseId: string | null;
  tool: string | null;
  /** The call's input; for a budget request { spent_usd, limit_usd, step_usd }. */
  input: Record<string, unknown>;
  /** The REQUIRE_APPROVAL rule it matched. */
  rule: string | null;
  /** One line for people: "execute: git push --force". */
  summary: string;
  /** Who may decide besides admins (the task's asker), as an actor key. */
  asker: string | null;
  attempt: number;
  status: ApprovalStatus;
  /** An actor key; null for a timeout or a withdrawal. */
  decidedBy: string | null;
  requestedAt: Date;
  decidedAt: Date | null;
  /** The Slack message showing it. */
  messageTs: string | null;
}

export type NewApproval = Pick<Approval, "id" | "taskId" | "kind" | "summary" | "attempt" | "input"> & Partial<Pick<Approval, "toolUseId" | "tool" | "rule" | "asker" | "messageTs">>;

export function createApprovalRepo(db: Queryable) {
  const one = async (text: string, params: unknown[]): Promise<Approval | null> => {
    const { rows } = await db.query(text, params);
    return rows[0] ? toApproval(rows[0]) : null;
  };
  return {
    async insert(a: NewApproval): Promise<Approval> {
      const row = await one(sql.insert, [
        a.id,
        a.taskId,
        a.kind,
        a.toolUseId ?? null,
        a.tool ?? null,
        jsonParam(a.input),
        a.rule ?? null,
        a.summary,
        a.asker ?? null,
        a.attempt,
        a.messageTs ?? null,
      ]);
      return row!;
    },
    get: (id: string) => one(sql.byId, [id]),
    pendingOf: (taskId: string) => one(sql.pendingOfTask, [taskId]),
    /** Every request of the task, oldest first. */
    async ofTask(taskId: string): Promise<Approval[]> {
      const { rows } = await db.query(sql.ofTask, [taskId]);
      return rows.map(toApproval);
    },
    /** Records the decision if none was made yet; null when one was (the first decision wins). */
    decide: (id: string, decision: Decision, by: string | null) => one(sql.decide, [id, decision, by]),
    setMessage: (id: string, messageTs: string) => one(sql.setMessage, [id, messageTs]),
  };
}

/** Whether a string can name an approval (a button's value comes from outside). */
export function isApprovalId(value: string): boolean {
  return isUuid(value);
}

function toApproval(r: Row): Approval {
  return {
    id: String(r["id"]),
    taskId: String(r["task_id"]),
    kind: r["kind"] as ApprovalKind,
    toolUseId: (r["tool_use_id"] as string | null) ?? null,
    tool: (r["tool"] as string | null) ?? null,
    input: jsonColumn(r["input"], {} as Record<string, unknown>),
    rule: (r["rule"] as string | null) ?? null,
    summary: String(r["summary"]),
    asker: (r["asker"] as string | null) ?? null,
    attempt: Number(r["attempt"]),
    status: r["status"] as ApprovalStatus,
    decidedBy: (r["decided_by"] as string | null) ?? null,
    requestedAt: date(r["requested_at"])!,
    decidedAt: date(r["decided_at"]),
    messageTs: (r["message_ts"] as string | null) ?? null,
  };
}

function date(value: unknown): Date | null {
  if (value == null) return null;
  return value instanceof Date ? value : new Date(String(value));
}
