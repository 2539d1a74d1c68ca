// Who may use the bot, and where: ALLOWED_SLACK_USERS / ALLOWED_SLACK_CHANNELS (empty = everyone,
// everywhere), with SLACK_ADMIN_USERS always allowed. Direct messages are not channels: only the
// user list applies to them.
import type { Config } from "../../config/env.ts";

export type AccessDecision = { allowed: true } | { allowed: false; reason: "user" | "channel" | "no_user" };

export interface AccessPolicy {
  check(userId: string | undefined, channel: string): AccessDecision;
  /** The person alone, wherever they are (the App Home tab has no channel). */
  checkPerson(userId: string): AccessDecision;
  isAdmin(userId: string): boolean;
}

export function createAccessPolicy(config: Pick<Config, "ALLOWED_SLACK_USERS" | "ALLOWED_SLACK_CHANNELS" | "SLACK_ADMIN_USERS">): AccessPolicy {
  const users = new Set(config.ALLOWED_SLACK_USERS);
  const channels = new Set(config.ALLOWED_SLACK_CHANNELS);
  const admins = new Set(config.SLACK_ADMIN_USERS);
  return {
    check(userId, channel) {
      const isDm = channel.startsWith("D");
      if (!isDm && channels.size > 0 && !channels.has(channel)) return { allowed: false, reason: "channel" };
      if (users.size === 0) return { allowed: true };
      // A workflow's post has no person to check against the list.
      if (!userId) return { allowed: false, reason: "no_user" };
      if (users.has(userId) || admins.has(userId)) return { allowed: true };
      return { allowed: false, reason: "user" };
    },
    checkPerson(userId) {
      if (users.size === 0 || users.has(userId) || admins.has(userId)) return { allowed: true };
      return { allowed: false, reason: "user" };
    },
    isAdmin: (userId) => admins.has(userId),
  };
}
