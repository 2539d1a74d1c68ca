// A press of the feedback buttons under a result (action_id deep_agent_feedback): stored with the
// task and the person, a later press replacing an earlier one. The button's value names the task
// and the verdict ("positive:<task id>"); anything else is ignored.
import type { FeedbackValue } from "../../store/feedback-repo.ts";
import { refusal } from "../render/replies.ts";
import type { IntakeContext } from "./intake-context.ts";

const VALUE = /^(positive|negative):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The reply for the person (only they see it), or null when the press is not one of ours. */
export async function recordFeedback(ctx: IntakeContext, press: { value: string; userId: string; channelId: string }): Promise<string | null> {
  const match = VALUE.exec(press.value);
  if (!match) return null;
  const access = ctx.access.check(press.userId, press.channelId);
  if (!access.allowed) return refusal(access.reason);
  const taskId = match[2]!;
  if (!(await ctx.tasks.get(taskId))) return null;
  const value = match[1] as FeedbackValue;
  await ctx.feedback.record(taskId, press.userId, value);
  ctx.logger.info({ taskId, user: press.userId, value }, "slack: feedback on a result");
  return value === "positive" ? "Thanks for the feedback!" : "Thanks for the feedback. Mention me in the thread to say what to do differently.";
}
