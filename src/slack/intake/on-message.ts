// What happens to a message addressed to the bot (a mention, a DM, a reply in a thread that has
// a task): each message is taken in once however often Slack delivers it; in a thread whose task
// is still open it goes to that task's inbox (the agent reads it before its next model call);
// otherwise it starts a task, which continues the thread's earlier conversation if there is one.
import type { IntakeContext } from "./intake-context.ts";
import type { SlackContext } from "../slack-context.ts";
import type { IncomingMessage } from "./incoming-message.ts";
import { taskTextFrom } from "./mention-text.ts";
import { HELP_TEXT, refusal } from "../render/replies.ts";
import { startTask } from "./start-task.ts";
import { REACTION_WORKING } from "../thread/post-result.ts";
import { slackErrorCode } from "../api/slack-errors.ts";
import { FINISHED } from "../../store/task-repo.ts";
import type { SlackMessageRecord } from "../../store/slack-message-repo.ts";

// A task waiting for a decision reads its thread's replies when it continues.
const OPEN = new Set(["queued", "running", "waiting"]);

export async function handleMessage(ctx: IntakeContext, m: IncomingMessage): Promise<void> {
  const threadTs = m.threadTs ?? m.ts;
  // A reply without a mention matters only in a thread the bot works in.
  let latest = m.kind === "thread_reply" ? await ctx.messages.latestInThread(m.channel, threadTs) : undefined;
  if (m.kind === "thread_reply" && !latest) return;

  const access = ctx.access.check(m.userId, m.channel);
  if (!access.allowed) {
    ctx.logger.info({ channel: m.channel, user: m.userId, reason: access.reason }, "slack: refused a message");
    await whisper(ctx, m, refusal(access.reason));
    return;
  }
  const text = taskTextFrom(m.rawText, ctx.bot.userId);
  if (!text && m.files.length === 0) {
    if (m.kind !== "thread_reply") await whisper(ctx, m, HELP_TEXT);
    return;
  }
  const record: SlackMessageRecord = {
    channelId: m.channel,
    messageTs: m.ts,
    threadTs,
    teamId: m.teamId ?? null,
    userId: m.userId ?? null,
    text: text || "(see the attached files)",
    files: m.files,
  };
  // Slack redelivers events it thought were lost, and a mention in a thread also arrives as a
  // message event: only the first delivery of a message goes on.
  if (!(await ctx.messages.claim(record))) return;

  latest ??= await ctx.messages.latestInThread(m.channel, threadTs);
  if (latest && OPEN.has(latest.status)) {
    await ctx.messages.assign(m.channel, m.ts, "follow_up", latest.id);
    await react(ctx, m);
    // The task may have finished between the look and the write; then nobody will read the
    // inbox, and whoever takes the message first (this or the finishing worker) starts a task.
    const now = await ctx.tasks.get(latest.id);
    if (now && FINISHED.includes(now.status)) {
      const mine = await ctx.messages.takeOne(m.channel, m.ts);
      if (mine) await startFromMessages(ctx, [mine]);
    }
    return;
  }
  const result = await startTask(ctx, {
    channel: m.channel,
    threadTs,
    messageTs: m.ts,
    text: record.text,
    files: m.files,
    origin: m.kind,
    ...(m.teamId ? { teamId: m.teamId } : {}),
    ...(m.userId ? { userId: m.userId } : {}),
  });
  if (result.kind === "refused") {
    await ctx.messages.assign(m.channel, m.ts, "ignored", null);
    await whisper(ctx, m, result.message);
  }
}

/** Starts a task in a thread from follow-ups that no running agent took. */
export async function startFromMessages(ctx: SlackContext, messages: SlackMessageRecord[]): Promise<void> {
  const first = messages[0];
  if (!first) return;
  const text = messages.map((m) => (messages.length > 1 && m.userId ? `<@${m.userId}>: ${m.text}` : m.text)).join("\n\n");
  const result = await startTask(ctx, {
    channel: first.channelId,
    threadTs: first.threadTs,
    messageTs: first.messageTs,
    text,
    files: messages.flatMap((m) => m.files),
    origin: "thread_reply",
    ...(first.teamId ? { teamId: first.teamId } : {}),
    ...(first.userId ? { userId: first.userId } : {}),
  });
  if (result.kind === "started") {
    for (const m of messages.slice(1)) await ctx.messages.assign(m.channelId, m.messageTs, "task", result.task.id);
  } else if (result.kind === "refused" && first.userId) {
    await ctx.clients.api.chat
      .postEphemeral({ channel: first.channelId, user: first.userId, thread_ts: first.threadTs, text: result.message })
      .catch((error: unknown) => ctx.logger.warn({ err: error }, "slack: could not send a reply"));
  }
}

/** A reply only the sender sees (a workflow has nobody to see it, so it is only logged). */
async function whisper(ctx: IntakeContext, m: IncomingMessage, text: string): Promise<void> {
  if (!m.userId) return;
  await ctx.clients.api.chat
    .postEphemeral({ channel: m.channel, user: m.userId, text, ...(m.threadTs ? { thread_ts: m.threadTs } : {}) })
    .catch((error: unknown) => ctx.logger.warn({ err: error, channel: m.channel }, "slack: could not send a reply"));
}

async function react(ctx: IntakeContext, m: IncomingMessage): Promise<void> {
  await ctx.clients.api.reactions.add({ channel: m.channel, timestamp: m.ts, name: REACTION_WORKING }).catch((error: unknown) => {
    if (slackErrorCode(error) !== "already_reacted") ctx.logger.debug({ err: error }, "slack: could not react");
  });
}
