// Approval requests in a task's thread: posted when the task stops to wait (before the request is
// recorded, so it always has a message), and updated in place once decided, by whichever process
// decided it.
import type { Logger } from "../../shared/log.ts";
import type { Approval } from "../../store/approval-repo.ts";
import type { Task } from "../../store/task-repo.ts";
import type { ApprovalRequest } from "../../tasks/task-hooks.ts";
import type { SlackContext } from "../slack-context.ts";
import { slackMetaOf, type SlackTaskMeta } from "../slack-meta.ts";
import { renderApproval } from "../render/approval-message.ts";
import { describeSlackError } from "../api/slack-errors.ts";

/** Posts the request with its buttons; the message's ts, or null when Slack refused it. */
export async function postApprovalRequest(ctx: SlackContext, meta: SlackTaskMeta, request: ApprovalRequest, log: Logger): Promise<string | null> {
  const payload = renderApproval(
    {
      ...request,
      tool: request.tool ?? null,
      rule: request.rule ?? null,
      status: "pending",
      timeoutSeconds: ctx.config.APPROVAL_TIMEOUT_SECONDS,
      ...(meta.userId ? { requester: meta.userId } : {}),
    },
    (text) => ctx.scrubber.scrub(text),
  );
  try {
    const posted = await ctx.clients.api.chat.postMessage({
      channel: meta.channel,
      thread_ts: meta.threadTs,
      text: payload.text,
      blocks: payload.blocks,
      unfurl_links: false,
      unfurl_media: false,
    });
    return posted.ts ?? null;
  } catch (error) {
    log.warn({ channel: meta.channel, code: describeSlackError(error) }, "slack: could not post the approval request");
    return null;
  }
}

/** Shows the decision on the request's message: the buttons go, who decided is said. */
export async function showDecision(ctx: SlackContext, task: Task, approval: Approval, log: Logger): Promise<void> {
  const meta = slackMetaOf(task.meta);
  if (!meta || !approval.messageTs) return;
  const payload = renderApproval({ ...approval, timeoutSeconds: ctx.config.APPROVAL_TIMEOUT_SECONDS, ...(meta.userId ? { requester: meta.userId } : {}) }, (text) =>
    ctx.scrubber.scrub(text),
  );
  await ctx.clients.api.chat
    .update({ channel: meta.channel, ts: approval.messageTs, text: payload.text, blocks: payload.blocks })
    .catch((error: unknown) => log.warn({ channel: meta.channel, code: describeSlackError(error) }, "slack: could not show the decision on the approval request"));
}
