// What happens to a message addressed to the bot (a mention, a DM, a reply in a thread that has
// a task): each message is taken in once however often Slack delivers it; in a thread whose task
// is still open it goes to that task's inbox (the agent reads it before its next model call);
// otherwise it starts a task, which continues the thread's earlier conversation if there is one.
// A reply that does not mention the bot counts only as reply-rule.ts says; a message that only
// says thanks never starts a task; `model=<id>` picks the task's model.
import type { IntakeContext } from "./intake-context.ts";
import type { SlackContext } from "../slack-context.ts";
import type { IncomingMessage } from "./incoming-message.ts";
import { taskTextFrom } from "./mention-text.ts";
import { HELP_TEXT, refusal, unknownModel } from "../render/replies.ts";
import { startTask, type TaskCounts } from "./start-task.ts";
import { REACTION_WORKING } from "../thread/post-result.ts";
import { slackErrorCode } from "../api/slack-errors.ts";
import { FINISHED } from "../../store/task-repo.ts";
import type { LatestInThread, SlackMessageRecord } from "../../store/slack-message-repo.ts";
import { untaggedReply } from "./reply-rule.ts";
import { isAcknowledgement } from "./acknowledgement.ts";
import { chooseModel } from "./model-choice.ts";

// A task waiting for a decision reads its thread's replies when it continues.
const OPEN = new Set(["queued", "running", "waiting"]);
const REACTION_ACKNOWLEDGED = "raised_hands";

export interface HandledMessage {
  /** A task was started for it (not a follow-up, not ignored). */
  started: boolean;
  /** It was the first task of its thread. */
  firstInThread: boolean;
}

export async function handleMessage(ctx: IntakeContext, m: IncomingMessage): Promise<HandledMessage> {
  const none = { started: false, firstInThread: false };
  const threadTs = m.threadTs ?? m.ts;
  // A reply without a mention matters only in a thread the bot works in, and only as the reply rule says.
  let latest: LatestInThread | null | undefined = m.kind === "thread_reply" ? await ctx.messages.latestInThread(m.channel, threadTs) : undefined;
  if (m.kind === "thread_reply") {
    if (!latest) return none;
    const decision = await untaggedReply(ctx, m, latest);
    if (decision.kind === "not_for_bot") {
      ctx.logger.debug({ channel: m.channel, user: m.userId, why: decision.why }, "slack: an untagged reply that is not for the bot");
      return none;
    }
  }

  const access = ctx.access.check(m.userId, m.channel);
  if (!access.allowed) {
    ctx.logger.info({ channel: m.channel, user: m.userId, reason: access.reason }, "slack: refused a message");
    await whisper(ctx, m, refusal(access.reason));
    return none;
  }
  const text = taskTextFrom(m.rawText, ctx.bot.userId);
  if (!text && m.files.length === 0) {
    if (m.kind !== "thread_reply") await whisper(ctx, m, HELP_TEXT);
    return none;
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
  // The thread's latest task, the counts a new task's limits need and the channel's default
  // repository are read in the claim's statement: one round trip before the first Slack call.
  // (Three reads wasted when the message turns out to be a redelivery, a follow-up or a thank-you.)
  const taken = await ctx.messages.takeIn(record);
  if (!taken.claimed) return none;
  latest = taken.latest;
  const counts: TaskCounts = { open: taken.openOfAuthor, waiting: taken.waiting };
  if (latest && OPEN.has(latest.status)) {
    await ctx.messages.assign(m.channel, m.ts, "follow_up", latest.id);
    await react(ctx, m, REACTION_WORKING);
    // The task may have finished between the look and the write; then nobody will read the
    // inbox, and whoever takes the message first (this or the finishing worker) starts a task.
    const now = await ctx.tasks.get(latest.id);
    if (now && FINISHED.includes(now.status)) {
      const mine = await ctx.messages.takeOne(m.channel, m.ts);
      if (mine) await startFromMessages(ctx, [mine]);
    }
    return none;
  }
  // "thanks!" closes an exchange; it is not a paid run. A mention or a DM gets a 🙌 so it was seen.
  if (m.files.length === 0 && isAcknowledgement(text)) {
    await ctx.messages.assign(m.channel, m.ts, "ignored", null);
    if (m.kind !== "thread_reply") await react(ctx, m, REACTION_ACKNOWLEDGED);
    return none;
  }
  const choice = chooseModel(record.text, ctx.config.AGENT_MODELS);
  if (choice.kind === "unknown") {
    await ctx.messages.assign(m.channel, m.ts, "ignored", null);
    await whisper(ctx, m, unknownModel(choice.requested, choice.allowed));
    return none;
  }
  const taskText = choice.text || (m.files.length > 0 ? "(see the attached files)" : "");
  if (!taskText) {
    await ctx.messages.assign(m.channel, m.ts, "ignored", null);
    await whisper(ctx, m, HELP_TEXT);
    return none;
  }
  const result = await startTask(ctx, {
    channel: m.channel,
    threadTs,
    messageTs: m.ts,
    text: taskText,
    files: m.files,
    origin: m.kind,
    ...(choice.kind === "chosen" ? { model: choice.model } : {}),
    ...(m.viewingChannel ? { viewingChannel: m.viewingChannel } : {}),
    ...(m.teamId ? { teamId: m.teamId } : {}),
    ...(m.userId ? { userId: m.userId } : {}),
    threadHasTask: latest !== null,
    counts,
    channelRepo: taken.channelRepo,
  });
  if (result.kind === "refused") {
    await ctx.messages.assign(m.channel, m.ts, "ignored", null);
    await whisper(ctx, m, result.message);
  }
  return { started: result.kind === "started", firstInThread: result.kind === "started" && !latest };
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

async function react(ctx: IntakeContext, m: IncomingMessage, name: string): Promise<void> {
  await ctx.clients.api.reactions.add({ channel: m.channel, timestamp: m.ts, name }).catch((error: unknown) => {
    if (slackErrorCode(error) !== "already_reacted") ctx.logger.debug({ err: error }, "slack: could not react");
  });
}
