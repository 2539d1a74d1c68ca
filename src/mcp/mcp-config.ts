// Reads the MCP_CONFIG file: which MCP servers the agent may use, and how to reach them.
// Any problem becomes one config_invalid error line naming the server and field, so a typo fails at start.
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { configError } from "../config/env.ts";

/** Server names become part of tool names (`mcp__<server>__<tool>`, at most 64 characters). */
export const SERVER_NAME_PATTERN = /^[a-zA-Z0-9-]+(?:_[a-zA-Z0-9-]+)*$/;
export const MAX_SERVER_NAME_LENGTH = 32;

export interface StdioServerSpec {
  kind: "stdio";
  command: string;
  args: string[];
  /** Only these variables (plus a PATH) reach the server: our own secrets stay with us. */
  env: Record<string, string>;
}

export interface HttpServerSpec {
  kind: "http";
  url: string;
  headers: Record<string, string>;
}

export type McpServerSpec = StdioServerSpec | HttpServerSpec;

export type McpServers = Record<string, McpServerSpec>;

const stringMap = (what: string) =>
  z.record(z.string(), z.string({ error: `each ${what} value must be a string` }), {
    error: `must be an object of ${what} names to string values`,
  });

// One shape with everything optional, so a missing or doubled field gets one clear
// message instead of a union's "no variant matched".
const serverEntry = z
  .strictObject(
    {
      type: z
        .enum(["stdio", "http", "streamable-http", "streamableHttp"], {
          error: 'must be "stdio" or "http" (Streamable HTTP); SSE-only servers are not supported',
        })
        .optional(),
      command: z.string({ error: "must be a string" }).trim().min(1, "must not be empty").optional(),
      args: z.array(z.string({ error: "each argument must be a string" }), { error: "must be a list of strings" }).optional(),
      env: stringMap("environment variable").optional(),
      url: z
        .string({ error: "must be a string" })
        .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), "must be an http:// or https:// URL")
        .optional(),
      headers: stringMap("header").optional(),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")} (a server has "command", "args", "env" or "url", "headers")`
          : 'must be an object with "command" (and "args", "env") or "url" (and "headers")',
    },
  )
  .superRefine((entry, ctx) => {
    const hasCommand = entry.command !== undefined;
    const hasUrl = entry.url !== undefined;
    if (hasCommand === hasUrl) {
      ctx.addIssue({
        code: "custom",
        message: hasCommand ? 'has both "command" and "url"; give only one' : 'needs either "command" or "url"',
      });
      return;
    }
    const misplaced = hasCommand ? (["headers"] as const).filter((k) => entry[k] !== undefined) : (["args", "env"] as const).filter((k) => entry[k] !== undefined);
    if (misplaced.length > 0) {
      ctx.addIssue({
        code: "custom",
        message: `"${misplaced.join('", "')}" only applies to ${hasCommand ? 'a "url"' : 'a "command"'} server`,
      });
    }
    if (entry.type !== undefined && (entry.type === "stdio") !== hasCommand) {
      ctx.addIssue({ code: "custom", message: `type "${entry.type}" does not match ${hasCommand ? '"command"' : '"url"'}` });
    }
  })
  .transform(
    (entry): McpServerSpec =>
      entry.command !== undefined ? { kind: "stdio", command: entry.command, args: entry.args ?? [], env: entry.env ?? {} } : { kind: "http", url: entry.url!, headers: entry.headers ?? {} },
  );

const fileSchema = z.looseObject(
  {
    mcpServers: z.record(z.string(), serverEntry, { error: "must be an object of server names to server settings" }).superRefine((servers, ctx) => {
      for (const name of Object.keys(servers)) {
        if (!SERVER_NAME_PATTERN.test(name) || name.length > MAX_SERVER_NAME_LENGTH) {
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: `server names may use only letters, digits, "-" and single "_" (at most ${MAX_SERVER_NAME_LENGTH} characters), because they become part of tool names`,
          });
        }
      }
    }),
  },
  { error: 'must be a JSON object with a "mcpServers" object' },
);

/** Validates already-parsed JSON; `source` names the file in messages. */
export function parseMcpConfig(json: unknown, source: string): McpServers {
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const missing = issue.path.length === 1 && (json as Record<string, unknown>)["mcpServers"] === undefined;
    const where = missing ? "" : formatPath(issue.path);
    const message = missing ? 'the file has no "mcpServers" object' : issue.message;
    throw configError("MCP_CONFIG", `${where ? `${where}: ` : ""}${message} (in ${source})`, { cause: parsed.error });
  }
  return parsed.data.mcpServers;
}

/** Reads and validates the MCP_CONFIG file. Throws a config_invalid error naming MCP_CONFIG on any problem. */
export async function loadMcpConfig(path: string): Promise<McpServers> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : String((error as Error).message);
    throw configError("MCP_CONFIG", `cannot read ${path}: ${why}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw configError("MCP_CONFIG", `${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseMcpConfig(json, path);
}

function formatPath(path: PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else {
      const name = String(key);
      out += /^[a-zA-Z0-9_-]+$/.test(name) ? `${out ? "." : ""}${name}` : `[${JSON.stringify(name)}]`;
    }
  }
  return out;
}
