// The words of a task's commit and draft pull request, from the agent's summary: its first line
// is the title, the rest the body, followed by who asked, where (the thread), and the task.

export interface PullRequestContext {
  taskId: string;
  /** The agent's final answer. */
  result: string;
  /** What was asked. */
  taskText: string;
  /** "Slack user U123", "alice on the command line". */
  requestedBy: string;
  /** The thread the task was asked in, when known. */
  threadUrl?: string;
}

const MAX_TITLE = 100;
const MAX_BODY = 60_000;

export function pullRequestTitle(ctx: PullRequestContext): string {
  const fromResult = firstLine(ctx.result);
  const title = fromResult || firstLine(ctx.taskText) || "Changes by deep-agent";
  return title.length > MAX_TITLE ? `${title.slice(0, MAX_TITLE - 1).trimEnd()}…` : title;
}

export function pullRequestBody(ctx: PullRequestContext): string {
  const lines = ctx.result.split("\n");
  const at = lines.findIndex((l) => cleanLine(l) !== "");
  const rest =
    at >= 0
      ? lines
          .slice(at + 1)
          .join("\n")
          .trim()
      : "";
  const asked = ctx.taskText.length > 1000 ? `${ctx.taskText.slice(0, 999)}…` : ctx.taskText;
  const parts = [
    rest || "_The agent left no summary beyond the title._",
    "---",
    `Asked by ${ctx.requestedBy}${ctx.threadUrl ? ` in [this thread](${ctx.threadUrl})` : ""}:`,
    asked
      .split("\n")
      .map((l) => `> ${l}`)
      .join("\n"),
    `_Opened as a draft by deep-agent (task \`${ctx.taskId}\`). Review it before marking it ready._`,
  ];
  const body = parts.join("\n\n");
  return body.length > MAX_BODY ? `${body.slice(0, MAX_BODY - 1)}…` : body;
}

export function commitMessage(ctx: PullRequestContext): string {
  return `${pullRequestTitle(ctx)}\n\nRequested-by: ${oneLine(ctx.requestedBy)}\nDeep-Agent-Task: ${ctx.taskId}\n`;
}

function firstLine(text: string): string {
  for (const line of text.split("\n")) {
    const clean = cleanLine(line);
    if (clean) return clean;
  }
  return "";
}

/** A Markdown line as a plain title: no heading marks, emphasis, code ticks or "Title:" label. */
function cleanLine(line: string): string {
  return oneLine(
    line
      .replace(/^\s*(?:#{1,6}\s+|[-*+]\s+|>\s*)/, "")
      .replace(/^\s*(?:\*\*|__)?(?:pr\s+)?title(?:\*\*|__)?\s*:\s*/i, "")
      .replace(/[*_`]/g, ""),
  );
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
