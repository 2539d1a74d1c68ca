// Posts a finished task's result in its thread: a new message (so people are notified) in Slack
// mrkdwn, or, when it is too long for one message, a Markdown file with a short summary; the
// files the agent left in outputs/; a footer with duration, tokens and estimated cost; and ✅ or
// ❌ on the message that asked. Configured secrets are scrubbed from everything posted.
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../shared/log.ts";
import type { Scrubber } from "../../shared/scrub-secrets.ts";
import type { Task } from "../../store/task-repo.ts";
import type { OutputFile, TaskOutputs } from "../../tasks/task-hooks.ts";
import { markdownToMrkdwn } from "../render/mrkdwn.ts";
import { failureWords } from "../render/failure-words.ts";
import { usageFooter } from "../render/usage-footer.ts";
import { diffFileName, repositoryNote } from "../render/repository-note.ts";
import type { SlackTaskMeta } from "../slack-meta.ts";
import { describeSlackError, slackErrorCode } from "../api/slack-errors.ts";

export interface ResultOptions {
  model: string;
  scrubber: Scrubber;
  logger: Logger;
  outputs?: TaskOutputs;
}

/** Longest result posted as message text; longer ones become a file with a summary. */
const MAX_INLINE_CHARS = 2900;
const SUMMARY_CHARS = 600;

export const REACTION_WORKING = "eyes";
const REACTION_DONE = "white_check_mark";
const REACTION_FAILED = "x";

export async function postResult(client: WebClient, meta: SlackTaskMeta, task: Task, options: ResultOptions): Promise<void> {
  const log = options.logger;
  const where = { channel: meta.channel, thread_ts: meta.threadTs };
  // The client scrubs every call; the answer is scrubbed here too so its length decides inline or file on what is shown.
  const result = options.scrubber.scrub(task.result ?? "").trim();
  const head = headline(task);
  const durationMs = task.startedAt ? (task.finishedAt ?? task.updatedAt).getTime() - task.startedAt.getTime() : 0;
  const footer = usageFooter({ durationMs, usage: task.usage, model: options.model, taskId: task.id });
  const body = result ? markdownToMrkdwn(result) : task.status === "succeeded" ? "_The agent finished without a written answer._" : "";
  const report = options.outputs?.repository;
  const repo = report ? repositoryNote(report) : null;
  const diff: OutputFile[] = report?.diff ? [{ name: diffFileName(report, task.id), content: Buffer.from(report.diff, "utf8") }] : [];
  const given = options.outputs ?? { files: [], skipped: [] };
  const outputs = scrubOutputs({ ...given, files: [...given.files, ...diff] }, options.scrubber);
  const skippedNote = outputs.skipped.length > 0 ? `\n_Not uploaded: ${outputs.skipped.join(", ")}_` : "";

  try {
    if (body.length + head.length <= MAX_INLINE_CHARS) {
      const blocks = [
        ...(head ? [section(head)] : []),
        ...(body ? [section(body)] : []),
        ...(repo?.blocks ?? []),
        { type: "context" as const, elements: [{ type: "mrkdwn" as const, text: footer }] },
      ];
      await client.chat.postMessage({ ...where, text: plainSummary(head, body), blocks, unfurl_links: false, unfurl_media: false });
      if (outputs.files.length > 0) {
        await upload(client, where, outputs.files, `Files from \`outputs/\`:${skippedNote}`);
      } else if (skippedNote) {
        await client.chat.postMessage({ ...where, text: skippedNote.trim() });
      }
    } else {
      // Too long for one message: the whole answer as a Markdown file, a summary to read in Slack.
      const resultFile: OutputFile = { name: `result-${task.id.slice(0, 8)}.md`, content: Buffer.from(result, "utf8") };
      const comment = [head, `${summarise(body)}\n\n_The full answer is in the attached file._${skippedNote}`, footer].filter(Boolean).join("\n\n");
      await upload(client, where, [resultFile, ...outputs.files], comment);
      // A file's comment holds no buttons: what happened on the repository follows as its own message.
      if (repo) await client.chat.postMessage({ ...where, text: repo.text, blocks: repo.blocks, unfurl_links: false, unfurl_media: false });
    }
  } catch (error) {
    log.warn({ err: error, code: describeSlackError(error) }, "could not post the result in Slack");
    throw error;
  }
  await setReactions(client, meta, task.status === "succeeded" ? REACTION_DONE : REACTION_FAILED, log);
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

/** The first paragraphs of a long answer, cut at a paragraph or line end near SUMMARY_CHARS. */
function summarise(mrkdwn: string): string {
  if (mrkdwn.length <= SUMMARY_CHARS) return mrkdwn;
  const cut = mrkdwn.slice(0, SUMMARY_CHARS);
  const at = Math.max(cut.lastIndexOf("\n\n"), cut.lastIndexOf("\n"));
  let summary = at > SUMMARY_CHARS / 3 ? cut.slice(0, at) : cut;
  // Never leave a code block open.
  if ((summary.match(/```/g)?.length ?? 0) % 2 === 1) summary += "\n```";
  return `${summary.trimEnd()}\n…`;
}

function plainSummary(head: string, body: string): string {
  const text = `${head} ${body}`.trim().replace(/\s+/g, " ");
  return text.length > 300 ? `${text.slice(0, 299)}…` : text || "Done";
}

function section(text: string) {
  return { type: "section" as const, text: { type: "mrkdwn" as const, text } };
}
