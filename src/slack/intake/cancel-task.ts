// Cancelling a task from Slack (the Cancel button or `/agent cancel <id>`): allowed for the person
// who asked and for SLACK_ADMIN_USERS. A queued task is cancelled at once and its thread told here;
// a running one stops at its next step and its worker posts the outcome (this side posts it only
// if that worker never does).
import { FINISHED, type Task } from "../../store/task-repo.ts";
import { slackMetaOf } from "../slack-meta.ts";
import { renderProgress } from "../render/progress-card.ts";
import { queuedView } from "../render/progress-view.ts";
import { postResult } from "../thread/post-result.ts";
import { failureText } from "../render/failure-words.ts";
import type { IntakeContext } from "./intake-context.ts";
import { inBackground } from "./intake-context.ts";

export type CancelReply = { ok: true; text: string } | { ok: false; text: string };

/** How long a running task gets to stop before this side settles and reports it. */
const RUNNING_STOP_WAIT_MS = 20_000;
const WORKER_REPORT_GRACE_MS = 3_000;

export async function requestCancel(ctx: IntakeContext, idOrPrefix: string, userId: string): Promise<CancelReply> {
  const task = await ctx.queue.get(idOrPrefix);
  if (!task) return { ok: false, text: `No task with id \`${idOrPrefix}\`. \`/agent queue\` lists the open ones.` };
  const short = task.id.slice(0, 8);
  if (FINISHED.includes(task.status)) return { ok: false, text: `Task \`${short}\` already finished (${task.status}).` };
  if (task.userId !== userId && !ctx.access.isAdmin(userId)) {
    const owner = task.userId ? `<@${task.userId}>, who asked for it,` : "the person who asked for it";
    return { ok: false, text: `Only ${owner} or an admin can cancel task \`${short}\`.` };
  }
  if (slackMetaOf(task.meta)) await ctx.messages.mergeSlackMeta(task.id, { cancelledBy: userId });
  inBackground(ctx, "cancel", () => cancelAndReport(ctx, task, userId));
  return { ok: true, text: task.status === "queued" ? `Cancelled task \`${short}\`.` : `Cancelling task \`${short}\`: the agent stops at its next step.` };
}

async function cancelAndReport(ctx: IntakeContext, task: Task, userId: string): Promise<void> {
  const result = await ctx.queue.cancel(task.id, { by: `<@${userId}>`, waitMs: RUNNING_STOP_WAIT_MS });
  if (result.outcome !== "cancelled") return;
  // A task that ran is reported by its worker; give it a moment before reporting in its place.
  if (result.task.startedAt) await new Promise((r) => setTimeout(r, WORKER_REPORT_GRACE_MS).unref());
  await reportCancelled(ctx, result.task, userId);
}

/** Shows a cancelled task's final state in its thread, unless someone already has. */
export async function reportCancelled(ctx: IntakeContext, task: Task, userId: string): Promise<void> {
  const meta = slackMetaOf(task.meta);
  if (!meta || !(await ctx.messages.claimFinalPost(task.id))) return;
  const fresh = (await ctx.tasks.get(task.id)) ?? task;
  const freshMeta = slackMetaOf(fresh.meta) ?? meta;
  if (freshMeta.progressTs) {
    const view = { ...queuedView(task.id, task.text, 0, meta.userId), phase: "cancelled" as const, todos: fresh.todos, usage: fresh.usage, outcome: failureText("cancelled", null, userId) };
    if (fresh.startedAt) Object.assign(view, { startedAt: fresh.startedAt.getTime(), finishedAt: (fresh.finishedAt ?? new Date()).getTime() });
    const payload = renderProgress(view, ctx.planStyles.get(meta.teamId ?? "default"), Date.now());
    await ctx.clients.api.chat
      .update({ channel: meta.channel, ts: freshMeta.progressTs, text: payload.text, blocks: payload.blocks })
      .catch((error: unknown) => ctx.logger.warn({ err: error }, "slack: could not update the progress message"));
  }
  await postResult(
    ctx.clients.api,
    freshMeta,
    {
      taskId: task.id,
      status: "cancelled",
      result: fresh.result ?? "",
      reason: "cancelled",
      error: fresh.error,
      usage: fresh.usage,
      durationMs: fresh.startedAt ? (fresh.finishedAt ?? new Date()).getTime() - fresh.startedAt.getTime() : 0,
      model: ctx.config.AGENT_MODEL,
      cancelledBy: userId,
    },
    { secrets: ctx.secrets, logger: ctx.logger },
  );
}
