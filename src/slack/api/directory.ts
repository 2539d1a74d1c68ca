// Who and where, as Slack names them: people's display names (users.info) and channels' names,
// topics and whether the bot is in them (conversations.info), cached with a time to live so a
// busy thread costs a lookup per person, not per message; and the bot's own identity (auth.test).
// A failed lookup answers with what is known (the id) and is retried after a short while.
import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import type { Logger } from "../../shared/log.ts";
import { describeSlackError } from "./slack-errors.ts";

export interface ChannelFacts {
  id: string;
  name: string | null;
  topic: string;
  purpose: string;
  isIm: boolean;
  isPrivate: boolean;
  /** Whether the bot is a member; null when Slack did not say. */
  isMember: boolean | null;
}

export interface SlackDirectory {
  /** A person's display name (else real name, else user name); their id when Slack cannot say. */
  userName(userId: string): Promise<string>;
  /** A channel's facts; null when Slack will not tell us (not found, not in it). `fresh` skips the cache. */
  channel(channelId: string, options?: { fresh?: boolean }): Promise<ChannelFacts | null>;
  /** The bot's user and bot ids. */
  bot(): Promise<{ userId: string; botId: string }>;
}

export interface DirectoryOptions {
  /** How long a name or channel is trusted; default an hour for people, ten minutes for channels. */
  userTtlMs?: number;
  channelTtlMs?: number;
  /** Entries kept per cache; the oldest go first. */
  maxEntries?: number;
  now?: () => number;
}

const FAILURE_TTL_MS = 60_000;

const UserSchema = z
  .object({
    name: z.string().optional(),
    real_name: z.string().optional(),
    profile: z.object({ display_name: z.string().optional(), real_name: z.string().optional() }).loose().optional(),
  })
  .loose();

const ChannelSchema = z
  .object({
    id: z.string(),
    name: z.string().optional(),
    is_im: z.boolean().optional(),
    is_private: z.boolean().optional(),
    is_member: z.boolean().optional(),
    topic: z.object({ value: z.string().optional() }).loose().optional(),
    purpose: z.object({ value: z.string().optional() }).loose().optional(),
  })
  .loose();

export function createSlackDirectory(client: WebClient, logger: Logger, options: DirectoryOptions = {}): SlackDirectory {
  const now = options.now ?? Date.now;
  const users = ttlCache<string>(options.maxEntries ?? 5000, now);
  const channels = ttlCache<ChannelFacts | null>(options.maxEntries ?? 5000, now);
  let bot: Promise<{ userId: string; botId: string }> | null = null;

  return {
    userName(userId) {
      return users.get(userId, async () => {
        try {
          const res = await client.users.info({ user: userId });
          const u = UserSchema.parse(res.user ?? {});
          const name = [u.profile?.display_name, u.profile?.real_name, u.real_name, u.name].find((n) => n && n.trim() !== "")?.trim();
          return { value: name ?? userId, ttlMs: options.userTtlMs ?? 3_600_000 };
        } catch (error) {
          logger.debug({ user: userId, code: describeSlackError(error) }, "slack: could not look a person up");
          return { value: userId, ttlMs: FAILURE_TTL_MS };
        }
      });
    },
    channel(channelId, lookup = {}) {
      const load = async () => {
        try {
          const res = await client.conversations.info({ channel: channelId });
          const c = ChannelSchema.parse(res.channel ?? {});
          const facts: ChannelFacts = {
            id: c.id,
            name: c.name ?? null,
            topic: c.topic?.value ?? "",
            purpose: c.purpose?.value ?? "",
            isIm: c.is_im === true,
            isPrivate: c.is_private === true,
            isMember: c.is_member ?? null,
          };
          return { value: facts, ttlMs: options.channelTtlMs ?? 600_000 };
        } catch (error) {
          logger.debug({ channel: channelId, code: describeSlackError(error) }, "slack: could not look a channel up");
          return { value: null, ttlMs: FAILURE_TTL_MS };
        }
      };
      return lookup.fresh ? channels.refresh(channelId, load) : channels.get(channelId, load);
    },
    bot() {
      bot ??= client.auth.test().then((auth) => {
        if (!auth.user_id || !auth.bot_id) throw new Error("auth.test did not name a bot user");
        return { userId: auth.user_id, botId: auth.bot_id };
      });
      // A failure is not kept: the next caller asks again.
      bot.catch(() => {
        bot = null;
      });
      return bot;
    },
  };
}

interface Entry<T> {
  value: Promise<T>;
  expires: number;
}

/** A bounded map of lookups with per-entry expiry; a lookup in flight is shared by its callers. */
function ttlCache<T>(max: number, now: () => number) {
  const entries = new Map<string, Entry<T>>();
  const refresh = (key: string, load: () => Promise<{ value: T; ttlMs: number }>): Promise<T> => {
    const loaded = load();
    const entry: Entry<T> = { value: loaded.then((l) => l.value), expires: Number.POSITIVE_INFINITY };
    void loaded.then((l) => {
      entry.expires = now() + l.ttlMs;
    });
    entries.delete(key);
    entries.set(key, entry);
    while (entries.size > max) entries.delete(entries.keys().next().value!);
    return entry.value;
  };
  return {
    get(key: string, load: () => Promise<{ value: T; ttlMs: number }>): Promise<T> {
      const hit = entries.get(key);
      if (hit && hit.expires > now()) return hit.value;
      return refresh(key, load);
    },
    refresh,
  };
}
