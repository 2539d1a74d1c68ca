// Slack's markup turned back into what the person typed: entities decoded, links and channel names
// readable, people's mentions in one form. Used for mentions, slash command text (the command is
// declared with should_escape: true, so its text arrives in the same markup) and the earlier
// messages of a thread.

export interface DecodeOptions {
  /** This user's mention is removed (the bot, in a request addressed to it). */
  dropUser?: string;
  /** A person's name for `@name`; without one (or an unknown id) the mention stays `<@U…>`. */
  userName?: (userId: string) => string | undefined;
}

export function decodeSlackText(raw: string, options: DecodeOptions = {}): string {
  return raw
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_m, id: string) => {
      if (id === options.dropUser) return " ";
      const name = options.userName?.(id);
      return name ? `@${name}` : `<@${id}>`;
    })
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, (_m, url: string, label: string) => (label === url || url.endsWith(label) ? url : `${label} (${url})`))
    .replace(/<((?:https?|mailto):[^>]+)>/g, "$1")
    .replace(/<#([CGD]\w+)(?:\|([^>]*))?>/g, (_m, id: string, name: string | undefined) => (name ? `#${name}` : `<#${id}>`))
    .replace(/<!subteam\^\w+(?:\|([^>]*))?>/g, (_m, name: string | undefined) => (name ? (name.startsWith("@") ? name : `@${name}`) : "@group"))
    .replace(/<!(here|channel|everyone)(\|[^>]*)?>/g, "@$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

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
