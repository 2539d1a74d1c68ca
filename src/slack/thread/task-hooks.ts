// The Slack side of running a task, plugged into the worker and the lifecycle through their
// TaskHooks seam: while an attempt runs, the live progress card, follow-ups from the thread
// passed to the agent, the thread's earlier conversation, attachments copied in and outputs/
// collected; once the task is final (whoever settled it), the final card, the result, the
// reactions, and a new task for follow-ups that arrived too late for this one.
import type { Inbox } from "../../agent/run-options.ts";
import type { Sandbox } from "../../sandbox/port.ts";
import type { Logger } from "../../shared/log.ts";
import type { Task } from "../../store/task-repo.ts";
import type { SlackMessageRecord } from "../../store/slack-message-repo.ts";
import type { TaskHooks, TaskOutputs, TaskSession } from "../../tasks/task-hooks.ts";
import type { SlackContext } from "../slack-context.ts";
import { slackMetaOf, type SlackTaskMeta } from "../slack-meta.ts";
import { renderProgress } from "../render/progress-card.ts";
import { queuedView, type ProgressView } from "../render/progress-view.ts";
import { retryWords } from "../render/failure-words.ts";
import { MessageUpdater } from "./message-updater.ts";
import { SlackProgressSink } from "./progress-sink.ts";
import { showFinalCard } from "./progress-message.ts";
import { threadHistory, speaker } from "./thread-history.ts";
import { attachmentNote, copyAttachments } from "./attachments.ts";
import { collectOutputs } from "./output-files.ts";
import { StatusLine } from "./status-line.ts";
import { contextText, readSlackContext, type KnownThread } from "./thread-context.ts";
import { postResult } from "./post-result.ts";
import { postApprovalRequest, showDecision } from "./approval-notice.ts";

export interface SlackTaskHooksOptions {
  /** Starts a new task in the thread for follow-ups that arrived as a task was finishing. */
  continueThread: (messages: SlackMessageRecord[]) => Promise<void>;
  /** Shortest gap between two live updates of one card (tests shorten it). */
  minUpdateIntervalMs?: number;
  /** How often the thread's status line is set again while the agent works (under Slack's 2 minutes). */
  statusRefreshMs?: number;
}

export function createSlackTaskHooks(ctx: SlackContext, options: SlackTaskHooksOptions): TaskHooks {
  // Status lines being cleared as attempts close: the final state does not wait for them, but the
  // reactions that say everything is shown do.
  const clearing = new Map<string, Promise<void>>();
  return {
    async open(task, attempt) {
      const meta = slackMetaOf(task.meta);
      // Scheduled runs that post in a channel carry the same Slack details (their thread under "Scheduled: …").
      if (!meta) return null;
      return openSession(ctx, task, meta, ctx.logger.child({ taskId: task.id, attempt }), options, clearing);
    },
    async finished(task, outputs) {
      const meta = slackMetaOf(task.meta);
      if (!meta) return;
      const log = ctx.logger.child({ taskId: task.id });
      try {
        await announce(ctx, task, meta, outputs, log, clearing.get(task.id));
      } catch (error) {
        log.warn({ err: error }, "slack: the final state could not be fully shown");
      }
      // Messages that reached the thread after the agent's last look get a task of their own.
      const leftovers = await ctx.messages.takeInbox(task.id).catch(() => []);
      if (leftovers.length > 0) await options.continueThread(leftovers).catch((error: unknown) => log.warn({ err: error }, "slack: could not start the follow-up task"));
    },
    async approvalDecided(task, approval) {
      await showDecision(ctx, task, approval, ctx.logger.child({ taskId: task.id }));
    },
  };
}

/**
 * The answer is posted at once; the card's final state goes out beside it (it may wait for the
 * workspace's update budget), and the reactions, the sign that everything is shown, come last.
 */
async function announce(ctx: SlackContext, task: Task, meta: SlackTaskMeta, outputs: TaskOutputs | undefined, log: Logger, statusCleared?: Promise<void>): Promise<void> {
  const transcriptUrl = await transcriptUrlOf(ctx, task.id, log);
  const card = showFinalCard(ctx.clients.progress, task, meta, ctx.planStyles, log, ctx.updateBudget, transcriptUrl).catch((error: unknown) =>
    log.warn({ err: error }, "slack: could not show the final state on the progress message"),
  );
  try {
    await postResult(ctx.clients.api, meta, task, {
      ...(transcriptUrl ? { transcriptUrl } : {}),
      model: task.model ?? ctx.config.AGENT_MODEL,
      defaultModel: ctx.config.AGENT_MODEL,
      scrubber: ctx.scrubber,
      logger: log,
      ...(outputs ? { outputs } : {}),
      shownBeforeReactions: Promise.all([card, statusCleared]),
    });
  } finally {
    await card;
  }
}

async function openSession(ctx: SlackContext, task: Task, meta: SlackTaskMeta, log: Logger, options: SlackTaskHooksOptions, clearing: Map<string, Promise<void>>): Promise<TaskSession> {
  const transcriptUrl = await transcriptUrlOf(ctx, task.id, log);
  const view: ProgressView = {
    ...queuedView(task.id, task.text, 0, meta.userId),
    phase: "running",
    startedAt: (task.startedAt ?? new Date()).getTime(),
    ...(transcriptUrl ? { transcriptUrl } : {}),
  };
  const updater = meta.progressTs
    ? new MessageUpdater({
        client: ctx.clients.progress,
        channel: meta.channel,
        ts: meta.progressTs,
        team: meta.teamId ?? task.teamId ?? "default",
        render: (style) => renderProgress(view, style, Date.now()),
        planStyles: ctx.planStyles,
        logger: log,
        budget: ctx.updateBudget,
        ...(options.minUpdateIntervalMs !== undefined ? { minIntervalMs: options.minUpdateIntervalMs } : {}),
      })
    : null;
  const sink = updater ? new SlackProgressSink(view, updater) : null;
  updater?.changed();

  const earlier = await ctx.messages.earlierInThread(task.id);
  const followUps = await ctx.messages.takenBy(earlier.map((t) => t.id));
  const history = threadHistory(earlier, followUps);
  // What the thread's earlier tasks already put in the conversation, and their cards.
  const known: KnownThread = {
    cardTs: new Set([...earlier, task].map((t) => slackMetaOf(t.meta)?.progressTs).filter((ts): ts is string => ts !== undefined)),
    inHistory: new Set([...earlier.map((t) => slackMetaOf(t.meta)?.messageTs), ...followUps.map((f) => f.messageTs)].filter((ts): ts is string => ts !== undefined)),
  };

  // Read from Slack while the sandbox is being made: the prompt needs it, the sandbox does not.
  const contextRead = readSlackContext(ctx, meta, known, log)
    .catch((error: unknown) => {
      log.warn({ err: error }, "slack: could not read the channel and thread; the task starts without them");
      return null;
    })
    .then(async (context) => (context ? { context, asker: meta.userId ? ` from ${await ctx.directory.userName(meta.userId)}` : "" } : null));
  // Awaited by prepare(); an attempt that never gets there must not leave a rejection unhandled.
  contextRead.catch(() => {});

  // The line under the thread while the agent works; cleared when the attempt ends.
  const status = new StatusLine({
    client: ctx.clients.api,
    channel: meta.channel,
    threadTs: meta.threadTs,
    logger: log,
    text: () => (view.activity ? `is working: ${view.activity.replace(/\s+/g, " ")}` : "is working on it…"),
    ...(options.statusRefreshMs !== undefined ? { refreshMs: options.statusRefreshMs } : {}),
  });
  status.start();

  let sandbox: Sandbox | null = null;
  const copyIn = async (files: SlackMessageRecord["files"]) => (sandbox && files.length > 0 ? attachmentNote(await copyAttachments(files, sandbox, { token: ctx.token, logger: log })) : "");

  const inbox: Inbox = {
    async take() {
      const messages = await ctx.messages.takeInbox(task.id);
      const texts: string[] = [];
      for (const m of messages) {
        const note = await copyIn(m.files);
        texts.push([speaker(m.userId, m.text), note].filter(Boolean).join("\n"));
      }
      return texts;
    },
  };

  return {
    sinks: sink ? [sink] : [],
    inbox,
    ...(history.length > 0 ? { history } : {}),
    async prepare(box, prompt) {
      sandbox = box;
      const note = await copyIn(meta.files);
      const request = [speaker(meta.userId, prompt), note].filter(Boolean).join("\n\n");
      const read = await contextRead;
      if (!read) return request;
      return `${contextText(read.context)}\n\nThe request — the message${read.asker} that asked you, and the task to do:\n${request}`;
    },
    collect: (box) => collectOutputs(box),
    async threadUrl() {
      const link = await ctx.clients.api.chat.getPermalink({ channel: meta.channel, message_ts: meta.threadTs }).catch((error: unknown) => {
        log.debug({ err: error }, "slack: no permalink for the thread");
        return null;
      });
      return link?.permalink ?? null;
    },
    async interrupted(how) {
      await clearing.get(task.id);
      const note =
        how.kind === "released" ? "Paused: a worker is restarting; the task resumes where it stopped." : `This attempt failed (${retryWords(how.failure.code)}); it will be retried shortly.`;
      await sink?.interrupted(how.kind === "released" ? "queued" : "retrying", note).catch((error: unknown) => log.warn({ err: error }, "slack: could not show the interruption"));
    },
    async close() {
      // The status line goes in the background: nothing final waits for it (announce and interrupted do, before they end).
      const cleared: Promise<void> = status.clear().finally(() => {
        if (clearing.get(task.id) === cleared) clearing.delete(task.id);
      });
      clearing.set(task.id, cleared);
      await sink?.stop().catch(() => {});
    },
    async approvalRequested(request) {
      await clearing.get(task.id);
      const note = `Waiting for approval: ${request.summary}`;
      await sink?.interrupted("waiting", note).catch((error: unknown) => log.warn({ err: error }, "slack: could not show that the task waits"));
      return postApprovalRequest(ctx, meta, request, log);
    },
  };
}

/** The transcript link; a task is shown without it when it cannot be made (the database is down). */
async function transcriptUrlOf(ctx: SlackContext, taskId: string, log: Logger): Promise<string | undefined> {
  try {
    return await ctx.transcripts.url(taskId);
  } catch (error) {
    log.warn({ err: error }, "slack: no transcript link for this task");
    return undefined;
  }
}
