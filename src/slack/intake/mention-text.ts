// The task text of a Slack message: the bot's own mention removed and Slack's markup turned back
// into what the person typed (entities decoded, links and channel names readable).

export function taskTextFrom(raw: string, botUserId: string): string {
  return raw
    .replace(new RegExp(`<@${escapeRegExp(botUserId)}(\\|[^>]*)?>`, "g"), " ")
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, (_m, url: string, label: string) => (label === url || url.endsWith(label) ? url : `${label} (${url})`))
    .replace(/<((?:https?|mailto):[^>]+)>/g, "$1")
    .replace(/<#(C\w+)\|([^>]*)>/g, (_m, id: string, name: string) => (name ? `#${name}` : `<#${id}>`))
    .replace(/<!(here|channel|everyone)(\|[^>]*)?>/g, "@$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
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
