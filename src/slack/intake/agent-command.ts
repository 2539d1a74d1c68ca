// Parsing `/agent <subcommand> …`. Pure: bad input becomes the usage, never an exception.
import { usageError } from "../render/replies.ts";

export type AgentCommand =
  | { kind: "help" }
  | { kind: "task"; text: string }
  | { kind: "queue" }
  | { kind: "status"; id?: string }
  | { kind: "cancel"; id: string }
  /** A subcommand another part of the product registered (schedules). */
  | { kind: "extra"; name: string; args: string }
  | { kind: "invalid"; message: string };

const ID = /^[0-9a-f][0-9a-f-]{3,35}$/i;

export function parseAgentCommand(raw: string, extra: ReadonlySet<string> = new Set()): AgentCommand {
  const text = raw.trim();
  const [word = "", ...rest] = text.split(/\s+/);
  const args = text.slice(word.length).trim();
  switch (word.toLowerCase()) {
    case "":
    case "help":
      return { kind: "help" };
    case "task":
      if (!args) return invalid("`/agent task` needs the task, e.g. `/agent task summarise yesterday's incidents`.");
      return { kind: "task", text: args };
    case "queue":
      if (rest.length > 0) return invalid("`/agent queue` takes no arguments.");
      return { kind: "queue" };
    case "status":
      if (rest.length > 1) return invalid("`/agent status` takes at most one task id.");
      if (rest[0] !== undefined && !ID.test(rest[0])) return invalid(`\`${rest[0]}\` is not a task id (ids look like \`3f2a9c1e\`).`);
      return rest[0] !== undefined ? { kind: "status", id: rest[0] } : { kind: "status" };
    case "cancel":
      if (rest.length === 0) return invalid("`/agent cancel` needs the id of the task to cancel (`/agent queue` lists them).");
      if (rest.length > 1 || !ID.test(rest[0]!)) return invalid(`\`${args}\` is not a task id (ids look like \`3f2a9c1e\`).`);
      return { kind: "cancel", id: rest[0]! };
    default:
      if (extra.has(word.toLowerCase())) return { kind: "extra", name: word.toLowerCase(), args };
      return invalid(`Unknown subcommand \`${word}\`.`);
  }
}

function invalid(problem: string): AgentCommand {
  return { kind: "invalid", message: usageError(problem) };
}
