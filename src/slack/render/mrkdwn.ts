// Markdown (what the model writes) to Slack mrkdwn. Code is left as it is; everything else is
// escaped first, so the agent's output can never ping @channel or forge a link or a mention.

/** Escapes the three characters Slack treats as markup in message text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function markdownToMrkdwn(markdown: string): string {
  const out: string[] = [];
  // Fenced code blocks pass through (minus the language tag Slack would show as text).
  const parts = markdown.replace(/\r\n/g, "\n").split(/^(```[^\n]*\n[\s\S]*?^```[ \t]*$)/m);
  for (const part of parts) {
    if (part.startsWith("```")) {
      const body = part.replace(/^```[^\n]*\n/, "").replace(/```[ \t]*$/, "");
      out.push(`\`\`\`\n${escapeMrkdwn(body)}\`\`\``);
    } else {
      out.push(convertProse(part));
    }
  }
  return out
    .join("")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function convertProse(text: string): string {
  const lines = text.split("\n");
  const result: string[] = [];
  let table: string[] = [];
  const flushTable = () => {
    // Slack has no tables: a monospaced block keeps the columns lined up.
    if (table.length > 0) result.push(`\`\`\`\n${escapeMrkdwn(table.filter((l) => !(/^[\s|:-]+$/.test(l) && l.includes("-"))).join("\n"))}\n\`\`\``);
    table = [];
  };
  for (const line of lines) {
    if (/^\s*\|.*\|\s*$/.test(line)) {
      table.push(line.trim());
      continue;
    }
    flushTable();
    result.push(convertLine(line));
  }
  flushTable();
  return result.join("\n");
}

function convertLine(line: string): string {
  const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
  if (heading) return `*${inline(heading[1]!)}*`;
  if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) return "──────────";
  const bullet = /^(\s*)[-*+]\s+(\[[ xX]\]\s+)?(.*)$/.exec(line);
  if (bullet) {
    const depth = Math.floor(bullet[1]!.replace(/\t/g, "  ").length / 2);
    const box = bullet[2] ? (/[xX]/.test(bullet[2]) ? "☑ " : "☐ ") : "";
    return `${"    ".repeat(depth)}• ${box}${inline(bullet[3]!)}`;
  }
  const quote = /^\s*>\s?(.*)$/.exec(line);
  if (quote) return `> ${inline(quote[1]!)}`;
  return inline(line);
}

/** Inline markup outside code spans: links, bold, italic, strike. */
function inline(text: string): string {
  return text
    .split(/(`[^`\n]+`)/)
    .map((piece) => (piece.startsWith("`") && piece.endsWith("`") && piece.length > 1 ? `\`${escapeMrkdwn(piece.slice(1, -1))}\`` : inlineProse(piece)))
    .join("");
}

function inlineProse(raw: string): string {
  const links: string[] = [];
  const hold = (s: string) => `\u0000${links.push(s) - 1}\u0000`;
  let text = raw
    .replace(/!?\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g, (_m, label: string, url: string) => hold(`<${url.replace(/[<>|]/g, "")}|${escapeMrkdwn(label).replace(/\|/g, "∣")}>`))
    .replace(/<(https?:\/\/[^>\s]+)>/g, (_m, url: string) => hold(`<${url}>`));
  text = escapeMrkdwn(text);
  text = text
    .replace(/\*\*\*(?=\S)([^*\n]*?\S)\*\*\*/g, "\u0001_$1_\u0001")
    .replace(/\*\*(?=\S)([^*\n]*?\S)\*\*/g, "\u0001$1\u0001")
    .replace(/__(?=\S)([^_\n]*?\S)__/g, "\u0001$1\u0001")
    .replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?!\w)/g, "$1_$2_")
    .replace(/~~(?=\S)([^~\n]*?\S)~~/g, "~$1~")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: \u0001 marks bold spans; it cannot occur in the escaped text.
    .replace(/\u0001/g, "*");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: \u0000 brackets the index of a link held aside above.
  return text.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => links[Number(i)]!);
}
