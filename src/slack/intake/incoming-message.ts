// A Slack message event (app_mention, a DM, a thread reply) as the intake sees it, validated
// with zod, plus the rules for which messages are ours to handle at all.
import { z } from "zod";
import type { SlackFileRef } from "../../store/slack-message-repo.ts";

const SlackFileSchema = z
  .object({
    id: z.string(),
    name: z.string().optional(),
    title: z.string().optional(),
    url_private_download: z.string().optional(),
    url_private: z.string().optional(),
    size: z.number().optional(),
    mimetype: z.string().optional(),
  })
  .loose();

export const MessageEventSchema = z
  .object({
    type: z.enum(["message", "app_mention"]),
    subtype: z.string().optional(),
    channel: z.string(),
    channel_type: z.string().optional(),
    user: z.string().optional(),
    bot_id: z.string().optional(),
    bot_profile: z.object({ name: z.string().optional() }).loose().optional(),
    text: z
      .string()
      .optional()
      .transform((v) => v ?? ""),
    ts: z.string(),
    thread_ts: z.string().optional(),
    team: z.string().optional(),
    files: z.array(SlackFileSchema).optional(),
  })
  .loose();

export type MessageEvent = z.infer<typeof MessageEventSchema>;

export type MessageKind = "mention" | "dm" | "thread_reply";

export interface IncomingMessage {
  kind: MessageKind;
  teamId?: string;
  channel: string;
  /** The person who wrote it; absent for a Workflow Builder post. */
  userId?: string;
  fromWorkflow: boolean;
  rawText: string;
  ts: string;
  threadTs?: string;
  files: SlackFileRef[];
  /** In Slack's AI-app split view: the channel the person has open beside the assistant thread. */
  viewingChannel?: string;
}

// Plain messages and these subtypes carry something a person said; edits, joins and the like don't.
const MESSAGE_SUBTYPES = new Set([undefined, "file_share", "thread_broadcast", "bot_message"]);

export interface BotIdentity {
  userId: string;
  botId: string;
}

/**
 * The message as the intake handles it, or null when it is not ours to handle: our own messages,
 * other bots' (except Slack Workflow Builder's), edits, deletions and other housekeeping events.
 */
export function toIncoming(raw: unknown, kind: MessageKind, teamId: string | undefined, bot: BotIdentity): IncomingMessage | null {
  const parsed = MessageEventSchema.safeParse(raw);
  if (!parsed.success) return null;
  const e = parsed.data;
  if (!MESSAGE_SUBTYPES.has(e.subtype)) return null;
  if (e.user === bot.userId || (e.bot_id !== undefined && e.bot_id === bot.botId)) return null;
  const fromWorkflow = isWorkflowBuilderPost(e);
  if ((e.bot_id !== undefined || e.subtype === "bot_message") && !fromWorkflow) return null;
  if (!e.user && !fromWorkflow) return null;
  const team = e.team ?? teamId;
  return {
    kind,
    ...(team ? { teamId: team } : {}),
    channel: e.channel,
    ...(e.user && !fromWorkflow ? { userId: e.user } : {}),
    fromWorkflow,
    rawText: e.text,
    ts: e.ts,
    ...(e.thread_ts && e.thread_ts !== e.ts ? { threadTs: e.thread_ts } : {}),
    files: (e.files ?? []).map((f) => ({
      id: f.id,
      name: f.name ?? f.title ?? f.id,
      ...(f.url_private_download || f.url_private ? { url: (f.url_private_download ?? f.url_private)! } : {}),
      ...(f.size !== undefined ? { size: f.size } : {}),
      ...(f.mimetype ? { mimetype: f.mimetype } : {}),
    })),
  };
}

/**
 * Workflow Builder posts as a bot with no user behind the message; its bot profile, when Slack
 * sends one, is named "Workflow Builder". Other apps' messages name their own app.
 */
function isWorkflowBuilderPost(e: MessageEvent): boolean {
  if (e.bot_id === undefined && e.subtype !== "bot_message") return false;
  if (e.bot_profile?.name !== undefined) return /workflow builder/i.test(e.bot_profile.name);
  return e.user === undefined && e.subtype === "bot_message";
}

/** Which listener a plain `message` event belongs to: a DM, a reply in a thread, or neither. */
export function messageKind(e: { channel_type?: string; channel: string; thread_ts?: string; ts: string }): MessageKind | null {
  if (e.channel_type === "im" || (e.channel_type === undefined && e.channel.startsWith("D"))) return "dm";
  if (e.thread_ts && e.thread_ts !== e.ts) return "thread_reply";
  return null;
}
