// Slack's markup turned back into what a person typed: entities decoded, links and channel names
// readable, people's mentions in one form (`<@U…>`, or `@name` when names are given). Pure; used
// for requests (mentions, slash commands) and for the earlier messages of a thread.

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
