// Cancelling a task from Slack (the Cancel button or `/agent cancel <id>`): allowed for the person
// who asked and for SLACK_ADMIN_USERS. The lifecycle does the rest: a queued task is settled and
// shown at once; a running one stops at its next step and its worker records and shows it.
import { FINISHED } from "../../store/task-repo.ts";
import { slackActor } from "../../tasks/actor.ts";
import type { IntakeContext } from "./intake-context.ts";
import { unknownTask } from "../render/replies.ts";
import { canSee, type Viewer } from "./visibility.ts";

export async function requestCancel(ctx: IntakeContext, idOrPrefix: string, viewer: Viewer): Promise<string> {
  const task = await ctx.queue.get(idOrPrefix);
  if (!task || !canSee(task, viewer)) return unknownTask(idOrPrefix);
  const userId = viewer.userId;
  const short = task.id.slice(0, 8);
  if (FINISHED.includes(task.status)) return `Task \`${short}\` already finished (${task.status}).`;
  if (task.userId !== userId && !viewer.admin) {
    const owner = task.userId ? `<@${task.userId}>, who asked for it,` : "the person who asked for it";
    return `Only ${owner} or an admin can cancel task \`${short}\`.`;
  }
  const result = await ctx.lifecycle.cancel(task.id, slackActor(userId));
  switch (result.outcome) {
    case "cancelled":
      return `Cancelled task \`${short}\`.`;
    case "stopping":
      return `Cancelling task \`${short}\`: the agent stops at its next step.`;
    case "already_finished":
      return `Task \`${short}\` already finished (${result.task.status}).`;
  }
}
