// The Approve / Deny buttons of an approval request (and Continue / Stop of a spending limit).
// Only the person who asked for the task or an admin may decide; anyone else gets a refusal only
// they see, and nothing changes. Two quick presses make one decision: the database keeps the
// first, and the second presser is told it was already decided.
import type { Approval } from "../../store/approval-repo.ts";
import { slackActor } from "../../tasks/actor.ts";
import type { IntakeContext } from "./intake-context.ts";

export type ApprovalAnswer = "approved" | "denied";

/** What to tell the presser (only them); null when the updated request message says it all. */
export async function decideFromSlack(ctx: IntakeContext, approvalId: string, userId: string, decision: ApprovalAnswer): Promise<string | null> {
  const desk = ctx.approvals;
  const request = desk ? await desk.get(approvalId) : null;
  const task = request ? await ctx.tasks.get(request.taskId) : null;
  if (!desk || !request || !task) return "This request is not open any more.";
  if (task.userId !== userId && !ctx.access.isAdmin(userId)) {
    const owner = task.userId ? `<@${task.userId}>, who asked for this task,` : "the person who asked for this task";
    return `Only ${owner} or an admin can decide this request.`;
  }
  const result = await desk.decide(approvalId, decision, slackActor(userId));
  switch (result.outcome) {
    case "decided":
      return result.approval.status === "withdrawn" ? "This request is not open any more: its task has ended." : null;
    case "already":
      return alreadyWords(result.approval);
    case "unknown":
      return "This request is not open any more.";
  }
}

function alreadyWords(a: Approval): string {
  const by = a.decidedBy?.startsWith("slack:") ? `<@${a.decidedBy.slice("slack:".length)}>` : "someone else";
  switch (a.status) {
    case "approved":
      return `Already approved by ${by}.`;
    case "denied":
      return `Already denied by ${by}.`;
    case "timed_out":
      return "Too late: no one decided in time, so it counted as denied.";
    default:
      return "This request is not open any more.";
  }
}
