// `/agent …`: acknowledged at once (answers that need no database come with the ack), the rest
// answered through the command's response_url, visible only to the caller. `/agent task` posts
// "<@user> asked: …" in the channel and works in that message's thread. The command is declared
// with should_escape: true, so its text arrives in Slack's markup (<@U…|name>, <#C…|name>, links,
// &amp; &lt; &gt;) and is decoded as a mention's is.
import { z } from "zod";
import type { IntakeContext } from "./intake-context.ts";
import { parseAgentCommand } from "./agent-command.ts";
import { HELP_TEXT, askedBy, cannotPostHere, refusal, unknownModel, unknownTask } from "../render/replies.ts";
import { taskTextFrom } from "./mention-text.ts";
import { chooseModel } from "./model-choice.ts";
import { checkLimits, startTask } from "./start-task.ts";
import { requestCancel } from "./cancel-task.ts";
import { canSee, type Viewer } from "./visibility.ts";
import { queueText, statusText } from "../render/queue-text.ts";
import { describeSlackError } from "../api/slack-errors.ts";
import { chooseRepository } from "./task-repository.ts";

export const SlashCommandSchema = z
  .object({
    command: z.string(),
    text: z.string().default(""),
    user_id: z.string(),
    channel_id: z.string(),
    team_id: z.string().optional(),
    response_url: z.string().optional(),
  })
  .loose();

export type SlashCommand = z.infer<typeof SlashCommandSchema>;

export interface EphemeralReply {
  response_type: "ephemeral";
  text: string;
}

/** What the ack carries (null: an empty ack), and the work to do after it, whose answer goes to respond(). */
export interface CommandPlan {
  ack: EphemeralReply | null;
  after?: () => Promise<string | { text: string; visibility: "in_channel" | "ephemeral" } | null>;
}

export function planCommand(ctx: IntakeContext, cmd: SlashCommand): CommandPlan {
  const now = (text: string): CommandPlan => ({ ack: ephemeral(text) });
  // People off the allow-lists get the refusal for every command: nothing of the queue is theirs to see.
  const access = ctx.access.check(cmd.user_id, cmd.channel_id);
  if (!access.allowed) return now(refusal(access.reason));
  const viewer: Viewer = { userId: cmd.user_id, channelId: cmd.channel_id, admin: ctx.access.isAdmin(cmd.user_id) };
  const parsed = parseAgentCommand(taskTextFrom(cmd.text, ctx.bot.userId), new Set(Object.keys(ctx.subcommands)));
  switch (parsed.kind) {
    case "help":
      return now([HELP_TEXT, ...Object.values(ctx.subcommands).map((s) => s.help)].join("\n"));
    case "extra": {
      const sub = ctx.subcommands[parsed.name]!;
      const caller = { ...viewer, ...(cmd.team_id ? { teamId: cmd.team_id } : {}) };
      return { ack: null, after: () => sub.run(parsed.args, caller) };
    }
    case "invalid":
      return now(parsed.message);
    case "queue":
      return { ack: null, after: async () => queueText(await ctx.queue.list(200), Date.now(), (t) => canSee(t, viewer)) };
    case "status":
      return { ack: null, after: () => status(ctx, viewer, parsed.id) };
    case "cancel":
      return { ack: null, after: () => requestCancel(ctx, parsed.id, viewer) };
    case "task":
      return { ack: null, after: () => commandTask(ctx, cmd, parsed.text) };
  }
}

async function status(ctx: IntakeContext, viewer: Viewer, id: string | undefined): Promise<string> {
  if (id) {
    const task = await ctx.queue.get(id);
    // A task this person may not see answers exactly as an unknown id does.
    if (!task || !canSee(task, viewer)) return unknownTask(id);
    return statusText(task, Date.now(), task.status === "queued" ? await ctx.tasks.position(task.id) : undefined);
  }
  const userId = viewer.userId;
  const ids = await ctx.messages.recentOf(userId, 3);
  if (ids.length === 0) return "You have no tasks yet. Mention me with one, or use `/agent task <text>`.";
  const tasks = (await Promise.all(ids.map((i) => ctx.tasks.get(i)))).filter((t) => t !== null);
  const texts = await Promise.all(tasks.map(async (t) => statusText(t, Date.now(), t.status === "queued" ? await ctx.tasks.position(t.id) : undefined)));
  return texts.join("\n\n");
}

async function commandTask(ctx: IntakeContext, cmd: SlashCommand, asked: string): Promise<string | null> {
  const choice = chooseModel(asked, ctx.config.AGENT_MODELS);
  if (choice.kind === "unknown") return unknownModel(choice.requested, choice.allowed);
  const text = choice.text;
  // Checked before the parent message is posted, so a refused task leaves nothing in the channel.
  const limits = await checkLimits(ctx, cmd.user_id, text);
  if ("refused" in limits) return limits.refused;
  // A new thread: the text's repository, or the channel's default.
  const repository = await chooseRepository(ctx, { channel: cmd.channel_id, threadTs: "", text });
  if ("refused" in repository) return repository.refused;
  let parentTs: string;
  try {
    const posted = await ctx.clients.api.chat.postMessage({ channel: cmd.channel_id, text: askedBy(cmd.user_id, text), unfurl_links: false });
    parentTs = posted.ts!;
  } catch (error) {
    ctx.logger.info({ channel: cmd.channel_id, code: describeSlackError(error) }, "slack: /agent task could not post its parent message");
    return cannotPostHere(describeSlackError(error));
  }
  const result = await startTask(ctx, {
    channel: cmd.channel_id,
    threadTs: parentTs,
    messageTs: parentTs,
    userId: cmd.user_id,
    text,
    files: [],
    origin: "command",
    repository: repository.meta,
    ...(choice.kind === "chosen" ? { model: choice.model } : {}),
    ...(cmd.team_id ? { teamId: cmd.team_id } : {}),
  });
  if (result.kind === "refused") {
    await ctx.clients.api.chat.delete({ channel: cmd.channel_id, ts: parentTs }).catch(() => {});
    return result.message;
  }
  return null;
}

function ephemeral(text: string): EphemeralReply {
  return { response_type: "ephemeral", text };
}
