// Every configured secret, so one scrubber can take them out of whatever leaves the process
// (Slack, logs, the terminal, stored transcripts): the keys and tokens of the environment, the
// database password, the bearer headers and env values of MCP_CONFIG servers, and the values of
// E2B_MCP_SERVERS. Read once at start.
import { readFileSync } from "node:fs";
import type { Config } from "./env.ts";

/** Shorter values would scrub ordinary words; no real token is this short. */
const MIN_SECRET_LENGTH = 6;

export function secretValues(config: Config): string[] {
  const found = [
    config.ANTHROPIC_API_KEY,
    config.E2B_API_KEY,
    config.SLACK_BOT_TOKEN,
    config.SLACK_SIGNING_SECRET,
    config.SLACK_APP_TOKEN,
    config.GITHUB_TOKEN,
    config.NOTION_TOKEN,
    config.TRANSCRIPT_SECRET,
    databasePassword(config.DATABASE_URL),
    ...mcpConfigSecrets(config.MCP_CONFIG),
    ...jsonLeaves(parseJson(config.E2B_MCP_SERVERS)),
  ];
  const secrets = new Set<string>();
  for (const value of found) {
    if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH) continue;
    secrets.add(value);
    // "Bearer abc…" headers: the token on its own is the secret too.
    const bearer = /^(?:Bearer|Basic|token)\s+(\S{6,})$/i.exec(value);
    if (bearer) secrets.add(bearer[1]!);
  }
  return [...secrets];
}

function databasePassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/** Header values and env values of every server: where MCP configurations keep their tokens. */
function mcpConfigSecrets(path: string | undefined): string[] {
  if (!path) return [];
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    // A missing or unreadable file is reported, with the fix, where MCP_CONFIG is loaded.
    return [];
  }
  const servers = (parseJson(text) as { mcpServers?: Record<string, { headers?: unknown; env?: unknown }> } | undefined)?.mcpServers;
  if (!servers || typeof servers !== "object") return [];
  return Object.values(servers).flatMap((server) => [...jsonLeaves(server?.headers), ...jsonLeaves(server?.env)]);
}

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function jsonLeaves(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(jsonLeaves);
  if (value && typeof value === "object") return Object.values(value).flatMap(jsonLeaves);
  return [];
}
