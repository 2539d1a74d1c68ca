// Turns a Slack request into a queued task: limits checked, the task recorded and enqueued once
// (the message's key makes a redelivery find the same task), then at once in the thread an 👀 on
// the message that asked and the progress message showing its place in the queue.
import { QueueFullError, type Enqueued } from "../../queue/task-queue.ts";
import { taskTextProblem } from "../../tasks/task-text.ts";
import type { SlackFileRef } from "../../store/slack-message-repo.ts";
import type { Task } from "../../store/task-repo.ts";
import type { SlackTaskMeta } from "../slack-meta.ts";
import { queuedView } from "../render/progress-view.ts";
import { postProgressMessage } from "../thread/progress-message.ts";
import { REACTION_WORKING } from "../thread/post-result.ts";
import { slackErrorCode } from "../api/slack-errors.ts";
import type { TaskStartContext } from "./intake-context.ts";
import { badTaskText, queueFull, tooManyTasks } from "../render/replies.ts";

export interface StartRequest {
  teamId?: string;
  channel: string;
  threadTs: string;
  /** The message that asked (reactions go on it). */
  messageTs: string;
  userId?: string;
  text: string;
  files: SlackFileRef[];
  origin: SlackTaskMeta["origin"];
}

export type StartResult =
  | { kind: "started"; task: Task; position: number }
  /** The same request arrived before and already has its task. */
  | { kind: "duplicate"; task: Task }
  | { kind: "refused"; message: string };

/** The limits a new task must pass before anything is posted. */
export async function checkLimits(ctx: TaskStartContext, userId: string | undefined, text: string): Promise<string | null> {
  const problem = taskTextProblem(text);
  if (problem) return badTaskText(problem);
  if (userId && !ctx.access.isAdmin(userId)) {
    const open = await ctx.messages.openTasksOf(userId);
    if (open >= ctx.config.MAX_TASKS_PER_USER) return tooManyTasks(open, ctx.config.MAX_TASKS_PER_USER);
  }
  return null;
}

export async function startTask(ctx: TaskStartContext, req: StartRequest): Promise<StartResult> {
  const refused = await checkLimits(ctx, req.userId, req.text);
  if (refused) return { kind: "refused", message: refused };
  const meta: SlackTaskMeta = {
    channel: req.channel,
    threadTs: req.threadTs,
    messageTs: req.messageTs,
    origin: req.origin,
    files: req.files,
    ...(req.teamId ? { teamId: req.teamId } : {}),
    ...(req.userId ? { userId: req.userId } : {}),
  };
  let enqueued: Enqueued;
  try {
    enqueued = await ctx.queue.enqueue({
      text: req.text,
      source: "slack",
      dedupeKey: `slack:${req.channel}:${req.messageTs}`,
      channelId: req.channel,
      threadTs: req.threadTs,
      ...(req.teamId ? { teamId: req.teamId } : {}),
      ...(req.userId ? { userId: req.userId } : {}),
      meta: { slack: meta },
    });
  } catch (error) {
    if (error instanceof QueueFullError) return { kind: "refused", message: queueFull() };
    throw error;
  }
  if (!enqueued.created) return { kind: "duplicate", task: enqueued.task };
  const { task, position } = enqueued;
  await ctx.messages.assign(req.channel, req.messageTs, "task", task.id);
  const log = ctx.logger.child({ taskId: task.id });
  await Promise.all([
    ctx.clients.api.reactions.add({ channel: req.channel, timestamp: req.messageTs, name: REACTION_WORKING }).catch((error: unknown) => {
      if (slackErrorCode(error) !== "already_reacted") log.warn({ err: error }, "could not add the 👀 reaction");
    }),
    postProgressMessage(ctx.clients.api, ctx.messages, meta, queuedView(task.id, req.text, position, req.userId), log).catch((error: unknown) =>
      log.warn({ err: error }, "could not post the progress message; the worker will post one"),
    ),
  ]);
  log.info({ channel: req.channel, origin: req.origin, position }, "slack task queued");
  return { kind: "started", task, position };
}
