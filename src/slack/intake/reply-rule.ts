// Which replies in a thread the bot works in are for the bot, when they do not mention it:
//   - while the thread's task runs, the replies of the person who asked for it reach it; other
//     people's replies are their own conversation (they mention the bot to add to the task);
//   - after it ended, a reply starts a new task only when its author already asked the bot in
//     this thread and nobody else has spoken since: that is, they asked for the thread's latest
//     task and no other person wrote in the thread after that request. Otherwise the thread has
//     become a conversation between people, and it takes a mention.
// (Mentions and direct messages are always for the bot; acknowledgements never start a task.)
import type { LatestInThread } from "../../store/slack-message-repo.ts";
import { slackMetaOf } from "../slack-meta.ts";
import { describeSlackError } from "../api/slack-errors.ts";
import { compareTs, readThread } from "../thread/thread-reader.ts";
import type { IntakeContext } from "./intake-context.ts";
import type { IncomingMessage } from "./incoming-message.ts";

export type ReplyDecision = { kind: "for_bot" } | { kind: "not_for_bot"; why: string };

const OPEN = new Set(["queued", "running"]);

export async function untaggedReply(ctx: IntakeContext, m: IncomingMessage, latest: LatestInThread): Promise<ReplyDecision> {
  if (!m.userId) return { kind: "not_for_bot", why: "a workflow's untagged reply" };
  if (OPEN.has(latest.status)) {
    return latest.userId === m.userId ? { kind: "for_bot" } : { kind: "not_for_bot", why: "someone else's reply while the task runs" };
  }
  if (latest.userId !== m.userId) return { kind: "not_for_bot", why: "the thread's latest task was someone else's" };
  const since = slackMetaOf(latest.meta)?.messageTs;
  if (!since) return { kind: "not_for_bot", why: "the latest task has no Slack message" };
  return (await othersSpokeSince(ctx, m, since)) ? { kind: "not_for_bot", why: "others spoke in the thread since" } : { kind: "for_bot" };
}

/** Whether anyone but the author (people, not apps) wrote in the thread from `since` up to this message. */
async function othersSpokeSince(ctx: IntakeContext, m: IncomingMessage, since: string): Promise<boolean> {
  try {
    const { messages, truncated } = await readThread(ctx.clients.api, m.channel, m.threadTs ?? m.ts, { oldest: since, before: m.ts, maxMessages: 500 });
    if (truncated) return true;
    return messages.some((x) => compareTs(x.ts, since) >= 0 && x.user !== undefined && x.bot_id === undefined && x.user !== ctx.bot.userId && x.user !== m.userId);
  } catch (error) {
    // Unable to tell: better to ask for a mention than to start a paid run nobody asked for.
    ctx.logger.info({ channel: m.channel, code: describeSlackError(error) }, "slack: could not read the thread to place an untagged reply");
    return true;
  }
}
