// One MCP tool as an AgentTool: the server's description and schema, a call with a
// timeout that progress keeps alive, progress shown as notes, and failures as error results.
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { AgentTool, ToolContext, ToolOutput } from "../agent/tool.ts";
import { McpCallError, type ListedTool, type ServerConnection } from "./server-connection.ts";
import { DEFAULT_MAX_RESULT_CHARS, toToolOutput } from "./tool-result.ts";

const DEFAULT_CALL_TIMEOUT_MS = 120_000;
/** Progress notes are rate-limited so a chatty server cannot flood the progress sink. */
const DEFAULT_PROGRESS_NOTE_INTERVAL_MS = 2_000;

export interface McpToolOptions {
  connection: ServerConnection;
  tool: ListedTool;
  /** The name the model sees (`mcp__<server>__<tool>`). */
  name: string;
  callTimeoutMs?: number;
  maxResultChars?: number;
  progressNoteIntervalMs?: number;
}

type McpInput = Record<string, unknown>;

const inputSchema = z.record(z.string(), z.unknown(), { error: "the input must be a JSON object" });

export function createMcpTool(options: McpToolOptions): AgentTool<McpInput> {
  const { connection, tool, name } = options;
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const maxChars = options.maxResultChars ?? DEFAULT_MAX_RESULT_CHARS;
  const noteIntervalMs = options.progressNoteIntervalMs ?? DEFAULT_PROGRESS_NOTE_INTERVAL_MS;

  return {
    name,
    description: describeTool(tool, connection.name),
    inputSchema: objectSchema(tool.inputSchema),
    parse: (input) => inputSchema.parse(input ?? {}),
    serialKey: () => null,
    describe: (input) => {
      const hint = Object.values(input).find((v): v is string => typeof v === "string" && v.trim() !== "");
      const short = hint === undefined ? "" : ` ${hint.length > 60 ? `${hint.slice(0, 59)}…` : hint}`;
      return `${connection.name}/${tool.name}${short.replace(/\s+/g, " ")}`;
    },
    run: async (input: McpInput, ctx: ToolContext): Promise<ToolOutput> => {
      // The task's remaining time bounds a call even while progress keeps it alive.
      const maxTotalMs = Number.isFinite(ctx.maxCommandMs) && ctx.maxCommandMs > 0 ? ctx.maxCommandMs : undefined;
      const timeoutMs = maxTotalMs === undefined ? callTimeoutMs : Math.min(callTimeoutMs, maxTotalMs);
      try {
        const result = await connection.callTool(tool.name, input, {
          timeoutMs,
          ...(maxTotalMs !== undefined ? { maxTotalMs } : {}),
          signal: ctx.signal,
          onProgress: progressNotes(name, ctx, noteIntervalMs),
        });
        return toToolOutput(result, { maxChars });
      } catch (error) {
        const message = error instanceof McpCallError ? error.message : `MCP tool "${name}" failed: ${(error as Error)?.message ?? String(error)}`;
        return { isError: true, content: message, summary: error instanceof McpCallError ? error.kind : "failed" };
      }
    },
  };
}

function describeTool(tool: ListedTool, server: string): string {
  const text = tool.description?.trim() || tool.title?.trim() || tool.annotations?.title?.trim();
  return text || `Tool "${tool.name}" of the MCP server "${server}".`;
}

/** The Messages API wants an object schema; MCP servers sometimes leave out `type` or `properties`. */
function objectSchema(schema: unknown): AgentTool["inputSchema"] {
  const { $schema: _dialect, ...rest } = isPlainObject(schema) ? schema : {};
  const properties = isPlainObject(rest["properties"]) ? rest["properties"] : {};
  const required = Array.isArray(rest["required"]) && rest["required"].every((r) => typeof r === "string") ? (rest["required"] as string[]) : undefined;
  const out: AgentTool["inputSchema"] = { ...rest, type: "object", properties };
  if (required) out.required = required;
  else delete out.required;
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function progressNotes(name: string, ctx: ToolContext, intervalMs: number): (progress: Progress) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (p) => {
    const now = Date.now();
    const done = p.total !== undefined && p.progress >= p.total;
    if (now - last < intervalMs && !done) return;
    last = now;
    const amount = p.total !== undefined ? `${p.progress}/${p.total}` : `${p.progress}`;
    ctx.emit({ type: "note", level: "info", message: `${name}: progress ${amount}${p.message ? ` — ${p.message}` : ""}` });
  };
}
