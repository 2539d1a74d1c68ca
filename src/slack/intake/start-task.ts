// Turns a Slack request into a queued task: limits checked; the progress card posted in the
// thread (naming the task's id, chosen here); then the task recorded and enqueued with the
// card's ts in one transaction — and an 👀 on the message that asked.
import { randomUUID } from "node:crypto";
import { hasCode } from "../../shared/errors.ts";
import type { Enqueued } from "../../queue/task-queue.ts";
import { taskTextProblem } from "../../tasks/task-text.ts";
import type { SlackFileRef } from "../../store/slack-message-repo.ts";
import type { Task } from "../../store/task-repo.ts";
import type { SlackContext } from "../slack-context.ts";
import type { SlackTaskMeta } from "../slack-meta.ts";
import { postQueuedCard } from "../thread/progress-message.ts";
import { REACTION_WORKING } from "../thread/post-result.ts";
import { slackErrorCode } from "../api/slack-errors.ts";
import { badTaskText, queueFull, tooManyTasks } from "../render/replies.ts";
import { chooseRepository, type RepositoryChoice } from "./task-repository.ts";

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
  /** The repository, when the caller already chose it (chooseRepository); chosen here otherwise. */
  repository?: Extract<RepositoryChoice, { meta: unknown }>["meta"];
  /** The model the request chose (one of AGENT_MODELS); the default when unset. */
  model?: string;
  /** The channel the person had open beside the AI-app thread. */
  viewingChannel?: string;
  /** Whether the thread already has a task, when the caller just looked (saves looking again). */
  threadHasTask?: boolean;
  /** The counts for the limits, when the caller read them already (with the message's claim). */
  counts?: TaskCounts;
  /** The channel's default repository, likewise (null: none). */
  channelRepo?: string | null;
}

/** What the limits are checked against: the asker's open tasks and the queue's. */
export interface TaskCounts {
  open: number;
  waiting: number;
}

/** Admins, and requests with no asker, are not held to MAX_TASKS_PER_USER. */
function exempt(ctx: SlackContext, userId: string | undefined): boolean {
  return !userId || ctx.access.isAdmin(userId);
}

/** Both counts at once: each round trip before the card delays the first thing the person sees. */
function readCounts(ctx: SlackContext, userId: string | undefined): Promise<TaskCounts> {
  return Promise.all([exempt(ctx, userId) ? 0 : ctx.messages.openTasksOf(userId!), ctx.queue.queuedCount()]).then(([open, waiting]) => ({ open, waiting }));
}

export type StartResult =
  | { kind: "started"; task: Task; position: number }
  /** The same request arrived before and already has its task. */
  | { kind: "duplicate"; task: Task }
  | { kind: "refused"; message: string };

/** The limits a new task must pass before anything is posted: the refusal, or how many tasks wait now. */
export async function checkLimits(ctx: SlackContext, userId: string | undefined, text: string, counts?: TaskCounts): Promise<{ refused: string } | { waiting: number }> {
  const problem = taskTextProblem(text);
  if (problem) return { refused: badTaskText(problem) };
  const { open, waiting } = counts ?? (await readCounts(ctx, userId));
  if (!exempt(ctx, userId) && open >= ctx.config.MAX_TASKS_PER_USER) return { refused: tooManyTasks(open, ctx.config.MAX_TASKS_PER_USER) };
  return waiting >= ctx.config.MAX_QUEUE_DEPTH ? { refused: queueFull() } : { waiting };
}

export async function startTask(ctx: SlackContext, req: StartRequest): Promise<StartResult> {
  // Limits and the repository are looked up together; a refusal by the limits still comes first.
  const [limits, repository] = await Promise.all([checkLimits(ctx, req.userId, req.text, req.counts), req.repository ? { meta: req.repository } : chooseRepository(ctx, req)]);
  if ("refused" in limits) return { kind: "refused", message: limits.refused };
  if ("refused" in repository) return { kind: "refused", message: repository.refused };
  const taskId = randomUUID();
  const log = ctx.logger.child({ taskId });
  const [progressTs] = await Promise.all([
    postQueuedCard(
      ctx.clients.api,
      { channel: req.channel, threadTs: req.threadTs, taskId, text: req.text, position: limits.waiting + 1, ...(req.userId ? { requester: req.userId } : {}) },
      log,
    ),
    ctx.clients.api.reactions.add({ channel: req.channel, timestamp: req.messageTs, name: REACTION_WORKING }).catch((error: unknown) => {
      if (slackErrorCode(error) !== "already_reacted") log.warn({ err: error }, "could not add the 👀 reaction");
    }),
  ]);
  const meta: SlackTaskMeta = {
    channel: req.channel,
    threadTs: req.threadTs,
    messageTs: req.messageTs,
    origin: req.origin,
    files: req.files,
    ...(req.teamId ? { teamId: req.teamId } : {}),
    ...(req.userId ? { userId: req.userId } : {}),
    ...(progressTs ? { progressTs } : {}),
    ...(req.viewingChannel ? { viewingChannel: req.viewingChannel } : {}),
  };
  let enqueued: Enqueued;
  try {
    enqueued = await ctx.queue.enqueue(
      {
        id: taskId,
        text: req.text,
        source: "slack",
        dedupeKey: `slack:${req.channel}:${req.messageTs}`,
        channelId: req.channel,
        threadTs: req.threadTs,
        ...(req.teamId ? { teamId: req.teamId } : {}),
        ...(req.userId ? { userId: req.userId } : {}),
        ...(req.model ? { model: req.model } : {}),
        meta: { slack: meta, ...repository.meta },
      },
      // Checked again under the queue's lock: two requests at the same moment cannot both pass.
      exempt(ctx, req.userId) ? {} : { maxOpenOfAsker: ctx.config.MAX_TASKS_PER_USER },
    );
  } catch (error) {
    // The queue filled up, or the asker's other request got in, between the check and the insert: the card goes again.
    await removeCard(ctx, req.channel, progressTs);
    if (hasCode(error, "queue_full")) return { kind: "refused", message: queueFull() };
    if (hasCode(error, "too_many_tasks")) return { kind: "refused", message: tooManyTasks(ctx.config.MAX_TASKS_PER_USER, ctx.config.MAX_TASKS_PER_USER) };
    throw error;
  }
  if (!enqueued.created) {
    await removeCard(ctx, req.channel, progressTs);
    return { kind: "duplicate", task: enqueued.task };
  }
  await ctx.messages.assign(req.channel, req.messageTs, "task", taskId);
  log.info({ channel: req.channel, origin: req.origin, position: enqueued.position }, "slack task queued");
  return { kind: "started", task: enqueued.task, position: enqueued.position };
}

async function removeCard(ctx: SlackContext, channel: string, ts: string | null): Promise<void> {
  if (ts) await ctx.clients.api.chat.delete({ channel, ts }).catch(() => {});
}
