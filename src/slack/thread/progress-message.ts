// A task's progress message ("card") in its thread: posted once, by whoever queues the task and
// before it is queued, so its ts is stored with the task in the same transaction; updated live by
// the worker's session; and brought to its final state by the lifecycle's announcement.
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../shared/log.ts";
import type { Task } from "../../store/task-repo.ts";
import { renderProgress, stampBlocks } from "../render/progress-card.ts";
import { finalView, queuedView } from "../render/progress-view.ts";
import { describeSlackError } from "../api/slack-errors.ts";
import type { SlackTaskMeta } from "../slack-meta.ts";
import { MessageUpdater, type PlanStyleMemo } from "./message-updater.ts";
import type { UpdateBudget } from "./update-budget.ts";

export interface NewCard {
  channel: string;
  threadTs: string;
  taskId: string;
  text: string;
  position: number;
  requester?: string;
}

/** Posts the queued card; null when Slack refused (the task then runs without live progress). */
export async function postQueuedCard(client: WebClient, card: NewCard, logger: Logger): Promise<string | null> {
  const payload = stampBlocks(renderProgress(queuedView(card.taskId, card.text, card.position, card.requester), "sections", Date.now()));
  try {
    const posted = await client.chat.postMessage({ channel: card.channel, thread_ts: card.threadTs, text: payload.text, blocks: payload.blocks, unfurl_links: false });
    return posted.ts ?? null;
  } catch (error) {
    logger.warn({ channel: card.channel, code: describeSlackError(error) }, "slack: could not post the progress message; the task runs without one");
    return null;
  }
}

/**
 * Shows the task's final state on its card, at once: rate limits are waited out, a workspace
 * that refuses plan blocks gets the plain form. `client` must reject rate-limited calls.
 */
export async function showFinalCard(
  client: WebClient,
  task: Task,
  meta: SlackTaskMeta,
  planStyles: PlanStyleMemo,
  logger: Logger,
  budget?: UpdateBudget,
  transcriptUrl?: string,
): Promise<void> {
  if (!meta.progressTs) return;
  const view = finalView(task, meta.userId, transcriptUrl);
  const updater = new MessageUpdater({
    client,
    channel: meta.channel,
    ts: meta.progressTs,
    team: meta.teamId ?? task.teamId ?? "default",
    render: (style) => renderProgress(view, style, Date.now()),
    planStyles,
    logger,
    ...(budget ? { budget } : {}),
  });
  if (!(await updater.finish())) logger.warn({ taskId: task.id }, "slack: could not show the final state on the progress message");
}
