// Runs the tool calls of one turn: concurrently, except calls that share a serial key
// (the same file, the plan), which keep the model's order. Every failure becomes an
// error result for the model; nothing here throws.
import type Anthropic from "@anthropic-ai/sdk";
import { ZodError } from "zod";
import type { AgentTool, ToolContext, ToolOutput } from "./tool.ts";
import { CodedError } from "../shared/errors.ts";
import { truncateMiddle } from "./truncate.ts";
import { oneLine } from "../shared/one-line.ts";
import { withVisibleNuls } from "../shared/visible-text.ts";

export interface ToolRunEnv {
  tools: ReadonlyMap<string, AgentTool>;
  maxResultChars: number;
  context: (toolUseId: string) => ToolContext;
}

export async function runToolCalls(calls: readonly Anthropic.ToolUseBlock[], env: ToolRunEnv): Promise<Anthropic.ToolResultBlockParam[]> {
  const chains = new Map<string, Promise<unknown>>();
  const results = calls.map((call) => {
    const tool = env.tools.get(call.name);
    let key: string | null = null;
    let input: unknown;
    let inputError: string | null = null;
    if (tool) {
      try {
        input = tool.parse(call.input);
        key = tool.serialKey?.(input) ?? null;
      } catch (error) {
        inputError = describeInputError(call.name, error);
      }
    }
    const previous = key ? chains.get(key) : undefined;
    const run = (previous ?? Promise.resolve()).then(() => runOne(call, tool, input, inputError, env));
    if (key) chains.set(key, run.catch(() => undefined));
    return run;
  });
  return Promise.all(results);
}

async function runOne(
  call: Anthropic.ToolUseBlock,
  tool: AgentTool | undefined,
  input: unknown,
  inputError: string | null,
  env: ToolRunEnv,
): Promise<Anthropic.ToolResultBlockParam> {
  const ctx = env.context(call.id);
  const started = Date.now();
  let summaryLine = "";
  try {
    summaryLine = tool && inputError === null ? (tool.describe?.(input) ?? "") : "";
  } catch {
    summaryLine = "";
  }
  ctx.emit({ type: "tool_started", id: call.id, name: call.name, summary: oneLine(summaryLine) });
  let output: ToolOutput;
  if (!tool) {
    output = { content: `There is no tool named "${call.name}". Available tools: ${[...env.tools.keys()].join(", ")}.`, isError: true };
  } else if (inputError !== null) {
    output = { content: inputError, isError: true };
  } else {
    try {
      output = await tool.run(input, ctx);
    } catch (error) {
      output = { content: toolErrorMessage(call.name, error, ctx.signal), isError: true };
    }
  }
  const ok = !output.isError;
  ctx.emit({
    type: "tool_finished",
    id: call.id,
    name: call.name,
    ok,
    durationMs: Date.now() - started,
    summary: oneLine(output.summary ?? (ok ? "done" : firstLine(output.content))),
  });
  return {
    type: "tool_result",
    tool_use_id: call.id,
    content: limitContent(output.content, env.maxResultChars),
    ...(ok ? {} : { is_error: true }),
  };
}

/** What the model reads of a result: cut to size, NULs made visible (they would otherwise end up in stored checkpoints). */
function limitContent(content: ToolOutput["content"], maxChars: number): Anthropic.ToolResultBlockParam["content"] {
  if (typeof content === "string") return truncateMiddle(withVisibleNuls(content || "(no output)"), maxChars);
  return content.map((block) => (block.type === "text" ? { ...block, text: truncateMiddle(withVisibleNuls(block.text), maxChars) } : block));
}

function describeInputError(tool: string, error: unknown): string {
  if (error instanceof ZodError) {
    const issues = error.issues.map((i) => `${i.path.length ? i.path.join(".") : "input"}: ${i.message}`).join("; ");
    return `Invalid input for ${tool}: ${issues}. Fix the input and call it again.`;
  }
  return `Invalid input for ${tool}: ${error instanceof Error ? error.message : String(error)}`;
}

function toolErrorMessage(tool: string, error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return `${tool} was stopped because the task was cancelled or ran out of time.`;
  if (error instanceof CodedError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `${tool} failed: ${message}`;
}

function firstLine(content: ToolOutput["content"]): string {
  const text = typeof content === "string" ? content : content.map((b) => (b.type === "text" ? b.text : "")).join(" ");
  return text.split("\n")[0] ?? "";
}
