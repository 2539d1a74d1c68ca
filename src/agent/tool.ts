// What a tool is to the engine. Built-in tools (tools/), MCP tools (../mcp) and the
// sub-agent tool all implement this one interface.
import { z } from "zod";
import type { Sandbox } from "../sandbox/port.ts";
import type { UnscopedEvent } from "./events.ts";

/** Content the Messages API accepts inside a tool_result. */
export type ToolResultBlock =
  | { type: "text"; text: string }
  | { type: "image"; source: { type: "base64"; media_type: "image/jpeg" | "image/png" | "image/gif" | "image/webp"; data: string } };

export interface ToolOutput {
  content: string | ToolResultBlock[];
  isError?: boolean;
  /** One line for progress renderers ("exit 0 in 120 ms", "wrote 3 KB"). */
  summary?: string;
  /** A command's exit code, for transcripts. */
  exitCode?: number;
}

export interface ToolContext {
  sandbox: Sandbox;
  signal: AbortSignal;
  toolUseId: string;
  /** Emit a progress event under the calling agent's scope. */
  emit: (event: UnscopedEvent) => void;
  /** Upper bound for a single command, from the task's remaining wall time. */
  maxCommandMs: number;
}

export interface AgentTool<Input = unknown> {
  name: string;
  description: string;
  /** JSON Schema sent to the model. */
  inputSchema: { type: "object"; properties: Record<string, unknown>; required?: string[]; [k: string]: unknown };
  /** Validates what the model sent; a ZodError becomes an error result the model can fix. */
  parse: (input: unknown) => Input;
  run: (input: Input, ctx: ToolContext) => Promise<ToolOutput>;
  /**
   * Calls with the same key run one after another in the order the model gave them;
   * all other calls of a turn run concurrently. Null: no ordering needed.
   */
  serialKey?: (input: Input) => string | null;
  /** One line shown while the tool runs ("npm test", "src/index.ts"). */
  describe?: (input: Input) => string;
}

/** Helper so each tool file can declare its schema once with zod. */
export function defineTool<S extends z.ZodType>(spec: {
  name: string;
  description: string;
  /** Validates input and, through z.toJSONSchema, is the schema the model sees. */
  schema: S;
  run: (input: z.infer<S>, ctx: ToolContext) => Promise<ToolOutput>;
  serialKey?: (input: z.infer<S>) => string | null;
  describe?: (input: z.infer<S>) => string;
}): AgentTool<z.infer<S>> {
  return {
    name: spec.name,
    description: spec.description,
    inputSchema: toInputSchema(spec.schema),
    parse: (input) => spec.schema.parse(input),
    run: spec.run,
    ...(spec.serialKey ? { serialKey: spec.serialKey } : {}),
    ...(spec.describe ? { describe: spec.describe } : {}),
  };
}

// Per schema, once: tools made per run (the plan tool, the sub-agent tool) share their schema.
const inputSchemas = new WeakMap<z.ZodType, AgentTool["inputSchema"]>();

function toInputSchema(schema: z.ZodType): AgentTool["inputSchema"] {
  const known = inputSchemas.get(schema);
  if (known) return known;
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: "input" }) as Record<string, unknown>;
  if (json["type"] !== "object") throw new Error("tool input schema must be an object");
  inputSchemas.set(schema, json as AgentTool["inputSchema"]);
  return json as AgentTool["inputSchema"];
}
