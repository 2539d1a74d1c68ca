// Posts a finished task's result in its thread: a new message (so people are notified) with the
// answer in Slack's markdown block, or, when it is longer than one such block holds, a summary and
// the whole answer as a Markdown file; feedback buttons under it; the files the agent left in
// outputs/; a footer with duration, tokens and estimated cost; and ✅ or ❌ on the message that
// asked. Configured secrets are scrubbed from everything posted.
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../shared/log.ts";
import type { Scrubber } from "../../shared/scrub-secrets.ts";
import type { Task } from "../../store/task-repo.ts";
import type { OutputFile, TaskOutputs } from "../../tasks/task-hooks.ts";
import { failureWords } from "../render/failure-words.ts";
import { usageFooter } from "../render/usage-footer.ts";
import { transcriptLink } from "../render/progress-card.ts";
import { resultMessage, resultMessageAsSections, type ResultMessage, type ResultParts } from "../render/result-message.ts";
import { diffFileName, repositoryNote } from "../render/repository-note.ts";
import type { SlackTaskMeta } from "../slack-meta.ts";
import { describeSlackError, slackErrorCode } from "../api/slack-errors.ts";

export interface ResultOptions {
  /** The model the task ran on (its cost estimate). */
  model: string;
  /** Named in the footer when the task ran on another model than the default. */
  defaultModel?: string;
  scrubber: Scrubber;
  logger: Logger;
  outputs?: TaskOutputs;
  /** The task's transcript page, linked in the footer. */
  transcriptUrl?: string;
  /** Also shown before the reactions (the card's final state): ✅ or ❌ comes last. */
  shownBeforeReactions?: Promise<unknown>;
}

export const REACTION_WORKING = "eyes";
const REACTION_DONE = "white_check_mark";
const REACTION_FAILED = "x";
const BLOCK_ERRORS = new Set(["invalid_blocks", "invalid_blocks_format", "unsupported_block_type"]);

export async function postResult(client: WebClient, meta: SlackTaskMeta, task: Task, options: ResultOptions): Promise<void> {
  const log = options.logger;
  const where = { channel: meta.channel, thread_ts: meta.threadTs };
  // The client scrubs every call; the answer is scrubbed here too so its length decides inline or file on what is shown.
  const result = options.scrubber.scrub(task.result ?? "").trim();
  const durationMs = task.startedAt ? (task.finishedAt ?? task.updatedAt).getTime() - task.startedAt.getTime() : 0;
  const footer = usageFooter({
    durationMs,
    usage: task.usage,
    model: options.model,
    taskId: task.id,
    ...(options.defaultModel && options.defaultModel !== options.model ? { showModel: true } : {}),
  }).concat(options.transcriptUrl ? `  ·  ${transcriptLink(options.transcriptUrl)}` : "");
  // What happened on the task's repository (a draft pull request, new commits, no change, work kept).
  const report = options.outputs?.repository;
  const repo = report ? repositoryNote(report) : null;
  const parts: ResultParts = {
    taskId: task.id,
    headline: headline(task),
    answer: result || (task.status === "succeeded" ? "_The agent finished without a written answer._" : ""),
    footer,
    feedback: task.status !== "cancelled",
    ...(repo ? { extra: repo.blocks } : {}),
  };
  // Undelivered repository work goes along as a diff, so nothing is lost.
  const diff: OutputFile[] = report?.diff ? [{ name: diffFileName(report, task.id), content: Buffer.from(report.diff, "utf8") }] : [];
  const given = options.outputs ?? { files: [], skipped: [] };
  const outputs = scrubOutputs({ ...given, files: [...given.files, ...diff] }, options.scrubber);
  const skippedNote = outputs.skipped.length > 0 ? `_Not uploaded: ${outputs.skipped.join(", ")}_` : "";

  try {
    const posted = await postMessage(client, where, resultMessage(parts)).catch(async (error: unknown) => {
      const code = slackErrorCode(error);
      if (!code || !BLOCK_ERRORS.has(code)) throw error;
      // A workspace without the markdown or feedback blocks: the answer as mrkdwn sections.
      log.info({ code }, "slack refused the result's blocks; posting it as text sections");
      return postMessage(client, where, resultMessageAsSections(parts));
    });
    const files: OutputFile[] = [...(posted.needsFile ? [{ name: `result-${task.id.slice(0, 8)}.md`, content: Buffer.from(result, "utf8") }] : []), ...outputs.files];
    if (files.length > 0) {
      const what = posted.needsFile ? `The full answer${outputs.files.length > 0 ? ", and the files from `outputs/`" : ""}:` : "Files from `outputs/`:";
      await upload(client, where, files, [what, skippedNote].filter(Boolean).join("\n"));
    } else if (skippedNote) {
      await client.chat.postMessage({ ...where, text: skippedNote });
    }
  } catch (error) {
    log.warn({ err: error, code: describeSlackError(error) }, "could not post the result in Slack");
    throw error;
  }
  await options.shownBeforeReactions;
  await setReactions(client, meta, task.status === "succeeded" ? REACTION_DONE : REACTION_FAILED, log);
}

async function postMessage(client: WebClient, where: { channel: string; thread_ts: string }, message: ResultMessage): Promise<ResultMessage> {
  await client.chat.postMessage({ ...where, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false });
  return message;
}

function headline(task: Task): string {
  if (task.status === "succeeded") return "";
  const why = failureWords(task.failure?.code, task.cancelledBy);
  return task.status === "cancelled" ? `🚫 ${why}` : `❌ *The task failed.* ${why}`;
}

async function upload(client: WebClient, where: { channel: string; thread_ts: string }, files: OutputFile[], comment: string): Promise<void> {
  await client.files.uploadV2({
    channel_id: where.channel,
    thread_ts: where.thread_ts,
    initial_comment: comment,
    file_uploads: files.map((f) => ({ file: Buffer.from(f.content), filename: f.name.replace(/\//g, "_"), title: f.name })),
  });
}

async function setReactions(client: WebClient, meta: SlackTaskMeta, name: string, log: Logger): Promise<void> {
  const target = { channel: meta.channel, timestamp: meta.messageTs };
  await client.reactions.remove({ ...target, name: REACTION_WORKING }).catch((error: unknown) => {
    if (slackErrorCode(error) !== "no_reaction") log.debug({ err: error }, "could not remove the working reaction");
  });
  await client.reactions.add({ ...target, name }).catch((error: unknown) => {
    if (slackErrorCode(error) !== "already_reacted") log.warn({ code: describeSlackError(error) }, "could not add the result reaction");
  });
}

/** Secrets in output files: text files are scrubbed; a binary file holding one is not uploaded. */
function scrubOutputs(outputs: TaskOutputs, scrubber: Scrubber): TaskOutputs {
  const files: OutputFile[] = [];
  const skipped = [...outputs.skipped];
  for (const file of outputs.files) {
    if (!scrubber.foundIn(file.content)) {
      files.push(file);
      continue;
    }
    const buffer = Buffer.from(file.content);
    if (isText(buffer)) files.push({ name: file.name, content: Buffer.from(scrubber.scrub(buffer.toString("utf8")), "utf8") });
    else skipped.push(`${file.name} (contains a configured secret)`);
  }
  return { files, skipped };
}

function isText(buffer: Buffer): boolean {
  return !buffer.includes(0) && Buffer.from(buffer.toString("utf8"), "utf8").equals(buffer);
}
