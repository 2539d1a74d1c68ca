// The worker side of a Slack task: the live progress message, follow-ups from the thread passed
// to the running agent, the thread's earlier conversation, attachments copied into the sandbox,
// outputs/ collected from it, and the final post in the thread.
import type { Inbox } from "../../agent/run-options.ts";
import type { Sandbox } from "../../sandbox/port.ts";
import type { Logger } from "../../shared/log.ts";
import type { Task } from "../../store/task-repo.ts";
import type { Queryable } from "../../store/database.ts";
import { createSlackMessageRepo, type SlackMessageRecord } from "../../store/slack-message-repo.ts";
import { threadKeyOf, type AttemptEnd, type TaskHooks, type TaskSession } from "../../tasks/task-hooks.ts";
import { slackMetaOf, type SlackTaskMeta } from "../slack-meta.ts";
import { MessageUpdater, type PlanStyleMemo } from "./message-updater.ts";
import { renderProgress } from "../render/progress-card.ts";
import { queuedView, type ProgressView } from "../render/progress-view.ts";
import { SlackProgressSink } from "./progress-sink.ts";
import { postProgressMessage } from "./progress-message.ts";
import { threadHistory, speaker } from "./thread-history.ts";
import { attachmentNote, copyAttachments } from "./attachments.ts";
import { collectOutputs, type CollectedOutputs } from "./output-files.ts";
import { postResult } from "./post-result.ts";
import { failureText } from "../render/failure-words.ts";
import type { SlackClients } from "../api/web-client.ts";

export interface SlackTaskHooksOptions {
  db: Queryable;
  clients: SlackClients;
  token: string;
  model: string;
  secrets: readonly string[];
  planStyles: PlanStyleMemo;
  logger: Logger;
  /** Starts a new task in the thread for follow-ups that arrived as a task was finishing. */
  continueThread?: (task: Task, messages: SlackMessageRecord[]) => Promise<void>;
  /** How long a worker waits for the intake to record the progress message before posting one. */
  progressWaitMs?: number;
  minUpdateIntervalMs?: number;
}

export function createSlackTaskHooks(options: SlackTaskHooksOptions): TaskHooks {
  return {
    async open(task, attempt) {
      const meta = slackMetaOf(task.meta);
      // Scheduled runs carry the same Slack details (their thread under "Scheduled: …").
      if ((task.source !== "slack" && task.source !== "schedule") || !meta) return null;
      return openSession(task, attempt, meta, options);
    },
  };
}

async function openSession(task: Task, attempt: number, meta: SlackTaskMeta, o: SlackTaskHooksOptions): Promise<TaskSession> {
  const log = o.logger.child({ taskId: task.id, attempt });
  const repo = createSlackMessageRepo(o.db);
  const view: ProgressView = { ...queuedView(task.id, task.text, 0, meta.userId), phase: "running", startedAt: (task.startedAt ?? new Date()).getTime() };
  const progressTs = meta.progressTs ?? (await waitForProgressTs(repo, task.id, o.progressWaitMs ?? 5_000)) ?? (await postProgressMessage(o.clients.api, repo, meta, view, log).catch(() => null));
  const team = meta.teamId ?? task.teamId ?? "default";
  const updater = progressTs
    ? new MessageUpdater({
        client: o.clients.progress,
        channel: meta.channel,
        ts: progressTs,
        team,
        render: (style) => renderProgress(view, style, Date.now()),
        planStyles: o.planStyles,
        logger: log,
        ...(o.minUpdateIntervalMs !== undefined ? { minIntervalMs: o.minUpdateIntervalMs } : {}),
      })
    : null;
  const sink = updater ? new SlackProgressSink(view, updater) : null;
  if (updater) updater.changed();

  const earlier = await repo.earlierInThread(task.id);
  const history = threadHistory(earlier, await repo.takenBy(earlier.map((t) => t.id)));
  const previousSandbox = [...earlier].reverse().map((t) => slackMetaOf(t.meta)?.sandboxId).find(Boolean);

  let sandbox: Sandbox | null = null;
  let outputs: CollectedOutputs | undefined;
  const copyIn = async (files: SlackMessageRecord["files"]) =>
    sandbox && files.length > 0 ? attachmentNote(await copyAttachments(files, sandbox, { token: o.token, logger: log })) : "";

  const inbox: Inbox = {
    async take() {
      const messages = await repo.takeInbox(task.id);
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
    sandbox: { threadKey: threadKeyOf(meta.channel, meta.threadTs), ...(previousSandbox ? { resumeId: previousSandbox } : {}) },
    async prepare(box, prompt) {
      sandbox = box;
      await repo.mergeSlackMeta(task.id, { sandboxId: box.id }).catch((error: unknown) => log.warn({ err: error }, "could not record the sandbox id"));
      const note = await copyIn(meta.files);
      return [speaker(meta.userId, prompt), note].filter(Boolean).join("\n\n");
    },
    async beforeClose(box) {
      outputs = await collectOutputs(box).catch((error: unknown) => {
        log.warn({ err: error }, "could not collect the files in outputs/");
        return { files: [], skipped: [`outputs/ (${(error as Error).message})`] };
      });
    },
    async settle(end) {
      try {
        await settleSession(end);
      } catch (error) {
        log.warn({ err: error }, "the Slack side of the task could not be completed");
      } finally {
        sink?.stop();
      }
    },
  };

  async function settleSession(end: AttemptEnd): Promise<void> {
    if (end.kind === "not_ours") return;
    if (end.kind === "released") {
      await sink?.finish("queued", { note: "Paused: a worker is restarting; the task resumes where it stopped." });
      return;
    }
    if (end.kind === "retrying") {
      await sink?.finish("retrying", { note: `This attempt failed (${end.outcome.error ?? "unknown error"}); it will be retried shortly.` });
      return;
    }
    const { outcome } = end;
    const fresh = slackMetaOf((await repo.taskMeta(task.id)) ?? {}) ?? meta;
    const outcomeText = outcome.status === "succeeded" ? undefined : failureText(outcome.reason, outcome.error, fresh.cancelledBy);
    view.todos = outcome.todos.map((t) => ({ ...t }));
    view.usage = { ...outcome.usage };
    await sink?.finish(outcome.status, outcomeText ? { outcome: outcomeText } : {});
    if (await repo.claimFinalPost(task.id)) {
      await postResult(
        o.clients.api,
        fresh,
        {
          taskId: task.id,
          status: outcome.status,
          result: outcome.result,
          error: outcome.error ?? null,
          reason: outcome.reason ?? null,
          usage: outcome.usage,
          durationMs: Date.now() - view.startedAt!,
          model: o.model,
          ...(fresh.cancelledBy ? { cancelledBy: fresh.cancelledBy } : {}),
          ...(outputs ? { outputs } : {}),
        },
        { secrets: o.secrets, logger: log },
      );
    }
    // Messages that reached the thread after the agent's last look get a task of their own.
    const leftovers = await repo.takeInbox(task.id);
    if (leftovers.length > 0 && o.continueThread) await o.continueThread(task, leftovers);
  }
}

async function waitForProgressTs(repo: ReturnType<typeof createSlackMessageRepo>, taskId: string, waitMs: number): Promise<string | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const ts = slackMetaOf((await repo.taskMeta(taskId)) ?? {})?.progressTs;
    if (ts) return ts;
    if (Date.now() >= deadline) return null;
    await new Promise((r) => setTimeout(r, 100));
  }
}
