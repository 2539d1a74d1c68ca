// A Slack thread's messages as conversations.replies gives them (oldest first), page after page,
// within bounds: a page size, a most-messages cap, and optionally only a span of time.
import type { WebClient } from "@slack/web-api";
import { z } from "zod";

const ThreadMessageSchema = z
  .object({
    ts: z.string(),
    user: z.string().optional(),
    bot_id: z.string().optional(),
    subtype: z.string().optional(),
    username: z.string().optional(),
    bot_profile: z.object({ name: z.string().optional() }).loose().optional(),
    text: z
      .string()
      .optional()
      .transform((v) => v ?? ""),
    files: z.array(z.object({ name: z.string().optional(), title: z.string().optional() }).loose()).optional(),
    blocks: z.array(z.object({ type: z.string().optional(), block_id: z.string().optional() }).loose()).optional(),
  })
  .loose();

export type ThreadMessage = z.infer<typeof ThreadMessageSchema>;

export interface ReadOptions {
  /** Only messages at or after this ts. */
  oldest?: string;
  /** Only messages before this ts. */
  before?: string;
  /** Messages per call; Slack allows up to 1000 and suggests 200 at most. */
  pageSize?: number;
  /** Most messages read in all; the thread's oldest come first, so a longer thread is cut at its end. */
  maxMessages?: number;
}

export interface ThreadRead {
  messages: ThreadMessage[];
  /** The thread had more messages than were read. */
  truncated: boolean;
}

const MAX_PAGES = 50;

export async function readThread(client: WebClient, channel: string, threadTs: string, options: ReadOptions = {}): Promise<ThreadRead> {
  const pageSize = Math.min(Math.max(1, options.pageSize ?? 200), 1000);
  const max = Math.max(1, options.maxMessages ?? 1000);
  const messages: ThreadMessage[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await client.conversations.replies({
      channel,
      ts: threadTs,
      limit: pageSize,
      ...(options.oldest ? { oldest: options.oldest, inclusive: true } : {}),
      ...(cursor ? { cursor } : {}),
    });
    for (const raw of res.messages ?? []) {
      const parsed = ThreadMessageSchema.safeParse(raw);
      if (!parsed.success) continue;
      const m = parsed.data;
      if (options.oldest && compareTs(m.ts, options.oldest) < 0) continue;
      if (options.before && compareTs(m.ts, options.before) >= 0) return { messages, truncated: false };
      if (messages.length >= max) return { messages, truncated: true };
      messages.push(m);
    }
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!res.has_more && !cursor) break;
    if (!cursor) break;
  }
  return { messages, truncated: cursor !== undefined };
}

/** Slack timestamps ("1700000000.000100") in time order; too many digits for a float to compare. */
export function compareTs(a: string, b: string): number {
  const [ai = "", af = ""] = a.split(".");
  const [bi = "", bf = ""] = b.split(".");
  return ai.padStart(12, "0").localeCompare(bi.padStart(12, "0")) || af.padEnd(6, "0").localeCompare(bf.padEnd(6, "0"));
}
