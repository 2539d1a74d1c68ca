// What the bot says back to people, in one place.
import { escapeMrkdwn } from "./mrkdwn.ts";

export const HELP_TEXT = [
  "*deep-agent* works on tasks for you in a sandbox, showing its plan as it goes.",
  "• *Mention me* with a task: `@deep-agent find why the nightly build fails`. Reply in the thread (no mention needed) to add details while I work, or to follow up when I am done.",
  "• *Message me directly* for tasks only you see.",
  "• `/agent task <text>` — start a task in a new thread in this channel",
  "• `/agent queue` — queued and running tasks",
  "• `/agent status [id]` — where a task stands (without an id: your latest tasks)",
  "• `/agent cancel <id>` — cancel a task you asked for (admins: any task); or press *Cancel* on its progress message",
  "• `/agent help` — this help",
].join("\n");

const USAGE_TEXT = "Usage: `/agent task <text>` · `/agent queue` · `/agent status [id]` · `/agent cancel <id>` · `/agent help`";

export function usageError(problem: string): string {
  return `${problem}\n${USAGE_TEXT}`;
}

export function refusal(reason: "user" | "channel" | "no_user"): string {
  switch (reason) {
    case "channel":
      return "Sorry, I'm not enabled in this channel. Ask an admin to enable me here, or send me a direct message.";
    case "user":
      return "Sorry, I can only take tasks from people on my allow-list. Ask an admin to add you.";
    case "no_user":
      return "Sorry, I can't take tasks from workflows here: only people on my allow-list can ask.";
  }
}

export function tooManyTasks(open: number, max: number): string {
  return `You already have ${open} task${open === 1 ? "" : "s"} queued or running (the limit is ${max}). Try again when one finishes, or cancel one with \`/agent cancel <id>\`.`;
}

export function queueFull(): string {
  return "The queue is full right now, so I can't take this task. Try again in a few minutes.";
}

export function badTaskText(problem: string): string {
  return `I can't take that task: ${problem}.`;
}

/**
 * The channel message a `/agent task` thread hangs from. `text` is decoded (what the person typed):
 * escaped once here, with the people and channels it names kept as live mentions; @here and
 * @channel stay text.
 */
export function askedBy(userId: string, text: string): string {
  const shown = escapeMrkdwn(text)
    .replace(/&lt;@([UW][A-Z0-9]+)&gt;/g, "<@$1>")
    .replace(/&lt;#([CG][A-Z0-9]+)&gt;/g, "<#$1>");
  return `<@${userId}> asked: ${shown}`;
}

export function cannotPostHere(code: string): string {
  return `I can't post in this channel (${code}). Invite me with \`/invite @deep-agent\`, or mention me instead.`;
}

export function unknownTask(id: string): string {
  return `No task with id \`${id}\`. \`/agent queue\` lists the open ones.`;
}

/** A `model=` that is not among AGENT_MODELS: what the models are. */
export function unknownModel(requested: string, allowed: readonly string[]): string {
  const shown = requested ? `\`${escapeMrkdwn(requested.slice(0, 100).replace(/`/g, "'"))}\`` : "an empty model id";
  return `I can't use ${shown}: I run only these models: ${allowed.map((m) => `\`${escapeMrkdwn(m)}\``).join(", ")} (the first is the default). Ask again with one of them, or without \`model=\`.`;
}

/** The answer to `/agent schedule` in a channel the bot is not a member of. */
export function notInChannel(): string {
  return "I'm not in this channel, so I couldn't post its scheduled runs here. Invite me first with `/invite @deep-agent`, then schedule again.";
}
