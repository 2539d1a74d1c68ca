// Slack's AI-app surface (the Agents & AI Apps split view), through Bolt's Assistant: a new
// assistant thread gets suggested prompts; each message in it is a request like a direct message
// (the same intake: limits, follow-ups to a running task, acknowledgements, model=), and the
// thread is titled with its first request. The channel the person is looking at (the thread's
// context) is remembered per thread and given to the task as context. Calls go through our own
// Web API client, which scrubs secrets, not Bolt's.
import bolt from "@slack/bolt";
import { z } from "zod";
import { describeSlackError } from "../api/slack-errors.ts";
import type { IntakeContext } from "./intake-context.ts";
import { toIncoming } from "./incoming-message.ts";
import { handleMessage } from "./on-message.ts";
import { taskTextFrom } from "./mention-text.ts";

const { Assistant } = bolt;

const SUGGESTED_PROMPTS = [
  { title: "Fix a failing test", message: "Find out why the tests fail on main and propose a fix." },
  { title: "Summarise a channel", message: "Summarise what was discussed in this channel this week." },
  { title: "Research a question", message: "Compare the options for … and recommend one, with sources." },
];

const ThreadSchema = z.object({
  channel_id: z.string(),
  thread_ts: z.string(),
  context: z.object({ channel_id: z.string().optional() }).loose().optional(),
});

const MAX_REMEMBERED = 5_000;

export function createAssistant(ctx: IntakeContext): InstanceType<typeof Assistant> {
  // Per assistant thread: the channel the person had open (Slack sends it when the thread starts
  // and whenever it changes). Bounded; a forgotten one only costs that line of context.
  const viewing = new Map<string, string>();
  const remember = (thread: z.infer<typeof ThreadSchema>) => {
    const key = `${thread.channel_id}:${thread.thread_ts}`;
    viewing.delete(key);
    if (thread.context?.channel_id) viewing.set(key, thread.context.channel_id);
    while (viewing.size > MAX_REMEMBERED) viewing.delete(viewing.keys().next().value!);
  };
  const log = ctx.logger;
  const quietly = (what: string) => (error: unknown) => log.info({ code: describeSlackError(error) }, "slack: could not %s", what);

  return new Assistant({
    threadContextStore: {
      get: async ({ payload }) => {
        const thread = ThreadSchema.safeParse((payload as { assistant_thread?: unknown }).assistant_thread);
        const channel = thread.success ? viewing.get(`${thread.data.channel_id}:${thread.data.thread_ts}`) : undefined;
        return channel ? { channel_id: channel } : {};
      },
      save: async ({ payload }) => {
        const thread = ThreadSchema.safeParse((payload as { assistant_thread?: unknown }).assistant_thread);
        if (thread.success) remember(thread.data);
      },
    },
    threadStarted: async ({ payload }) => {
      const thread = ThreadSchema.safeParse(payload.assistant_thread);
      if (!thread.success) return;
      remember(thread.data);
      await ctx.clients.api.assistant.threads
        .setSuggestedPrompts({ channel_id: thread.data.channel_id, thread_ts: thread.data.thread_ts, title: "Give me a task, for example:", prompts: SUGGESTED_PROMPTS })
        .catch(quietly("suggest prompts"));
    },
    userMessage: async ({ message, body }) => {
      const m = toIncoming(message, "dm", (body as { team_id?: string }).team_id, ctx.bot);
      if (!m) return;
      const threadTs = m.threadTs ?? m.ts;
      const seen = viewing.get(`${m.channel}:${threadTs}`);
      const handled = await handleMessage(ctx, { ...m, ...(seen ? { viewingChannel: seen } : {}) });
      if (handled.firstInThread) {
        const title = taskTextFrom(m.rawText, ctx.bot.userId).replace(/\s+/g, " ").slice(0, 80) || "A task";
        await ctx.clients.api.assistant.threads.setTitle({ channel_id: m.channel, thread_ts: threadTs, title }).catch(quietly("title the thread"));
      }
    },
  });
}
