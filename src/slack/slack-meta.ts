// What a Slack task keeps in its record's meta.slack: where it was asked and which message shows
// its progress. Whoever queues the task writes it; the Slack task hooks read it.
import { z } from "zod";

const SlackFileRefSchema = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string().optional(),
  size: z.number().optional(),
  mimetype: z.string().optional(),
});

export const SlackTaskMetaSchema = z.object({
  channel: z.string(),
  threadTs: z.string(),
  /** The message that asked: reactions (👀, ✅, ❌) go on it. */
  messageTs: z.string(),
  teamId: z.string().optional(),
  /** The requester; absent for a message posted by a workflow. */
  userId: z.string().optional(),
  origin: z.enum(["mention", "dm", "command", "thread_reply"]),
  /** The live progress message, posted before the task was queued (absent when Slack refused it). */
  progressTs: z.string().optional(),
  files: z.array(SlackFileRefSchema).default([]),
  /** Asked in Slack's AI-app split view: the channel the person had open beside it. */
  viewingChannel: z.string().optional(),
});

export type SlackTaskMeta = z.infer<typeof SlackTaskMetaSchema>;

/** The Slack part of a task's meta; null for tasks that did not come from Slack (or a broken record). */
export function slackMetaOf(meta: Record<string, unknown>): SlackTaskMeta | null {
  const parsed = SlackTaskMetaSchema.safeParse(meta["slack"]);
  return parsed.success ? parsed.data : null;
}
