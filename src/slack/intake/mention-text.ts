// The text of a request addressed to the bot: a mention, or slash command text (the command is
// declared with should_escape: true, so its text arrives in the same markup as a mention's).
import { decodeSlackText } from "../render/slack-markup.ts";

/** The task text of a message addressed to the bot: its mention removed, markup decoded, spaces tidied. */
export function taskTextFrom(raw: string, botUserId: string): string {
  return decodeSlackText(raw, { dropUser: botUserId })
    .replace(/[ \t]+/g, " ")
    .replace(/^\s+|\s+$/g, "");
}

/** Whether the text mentions the bot (a thread reply that does is handled as a mention). */
export function mentionsBot(raw: string, botUserId: string): boolean {
  return new RegExp(`<@${escapeRegExp(botUserId)}(\\|[^>]*)?>`).test(raw);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
