// Runs the tool calls of one turn: concurrently, except calls that share a serial key
// (the same file, the plan), which keep the model's order. Every failure becomes an
// error result for the model; nothing here throws but the gate and a failure that ends the run
// (RUN_ENDING_CODES). The gate is asked about every call before any of them runs, so a turn
// that must wait for a person runs nothing twice.
import type Anthropic from "@anthropic-ai/sdk";
import { ZodError } from "zod";
import type { AgentTool, ToolContext, ToolOutput } from "./tool.ts";
import type { Gate, GateVerdict } from "./run-options.ts";
import { CodedError, type ErrorCode } from "../shared/errors.ts";
import { truncateMiddle } from "./truncate.ts";
import { oneLine } from "../shared/one-line.ts";
import { withVisibleNuls } from "../shared/visible-text.ts";

export interface ToolRunEnv {
  tools: ReadonlyMap<string, AgentTool>;
  maxResultChars: number;
  context: (toolUseId: string) => ToolContext;
  gate?: Gate;
  /** False where a run cannot stop and wait (a sub-agent, a run without checkpoints): a pause is a denial. */
  canPause: boolean;
}

export type ToolRunResult =
  | { kind: "done"; results: Anthropic.ToolResultBlockParam[] }
  /** Nothing ran: a call waits for a person's decision. */
  | { kind: "paused"; summary: string };

/** Tool failures that end the run as its failure instead of going back to the model. */
export const RUN_ENDING_CODES: ReadonlySet<ErrorCode> = new Set([
  // The sandbox cannot run any command (or has no directory to work in), so the model cannot work around it.
  "isolation_unavailable",
  "sandbox_unavailable",
]);

const CANNOT_WAIT =
  "This call needs a person's approval, and this agent cannot wait for one (only the main agent can). It was not run: do not try it again here; finish, and say in your answer that it needs approval.";

export async function runToolCalls(calls: readonly Anthropic.ToolUseBlock[], env: ToolRunEnv): Promise<ToolRunResult> {
  const prepared = calls.map((call) => prepare(call, env));
  const verdicts: GateVerdict[] = [];
  for (const p of prepared) {
    const verdict = p.tool && p.inputError === null && env.gate ? await env.gate.toolCall({ id: p.call.id, name: p.call.name, input: p.input }) : RUN;
    if (verdict.kind === "pause" && env.canPause) return { kind: "paused", summary: verdict.summary };
    verdicts.push(verdict.kind === "pause" ? { kind: "deny", reason: CANNOT_WAIT } : verdict);
  }
  const chains = new Map<string, Promise<unknown>>();
  const results = prepared.map((p, i) => {
    const previous = p.key ? chains.get(p.key) : undefined;
    const run = (previous ?? Promise.resolve()).then(() => runOne(p, verdicts[i]!, env));
    if (p.key)
      chains.set(
        p.key,
        run.catch(() => undefined),
      );
    return run;
  });
  // Every call has ended before the turn does, even when one ends the run: none runs on unwatched.
  const done: Anthropic.ToolResultBlockParam[] = [];
  for (const settled of await Promise.allSettled(results)) {
    if (settled.status === "rejected") throw settled.reason;
    done.push(settled.value);
  }
  return { kind: "done", results: done };
}

const RUN: GateVerdict = { kind: "run" };

interface PreparedCall {
  call: Anthropic.ToolUseBlock;
  tool: AgentTool | undefined;
  input: unknown;
  inputError: string | null;
  key: string | null;
}

function prepare(call: Anthropic.ToolUseBlock, env: ToolRunEnv): PreparedCall {
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
  return { call, tool, input, inputError, key };
}

async function runOne({ call, tool, input, inputError }: PreparedCall, verdict: GateVerdict, env: ToolRunEnv): Promise<Anthropic.ToolResultBlockParam> {
  const ctx = env.context(call.id);
  const started = Date.now();
  let summaryLine = "";
  try {
    summaryLine = tool && inputError === null ? (tool.describe?.(input) ?? "") : "";
  } catch {
    summaryLine = "";
  }
  ctx.emit({ type: "tool_started", id: call.id, name: call.name, summary: oneLine(summaryLine), input: call.input });
  let output: ToolOutput;
  let ending: CodedError | undefined;
  if (!tool) {
    output = { content: `There is no tool named "${call.name}". Available tools: ${[...env.tools.keys()].join(", ")}.`, isError: true };
  } else if (inputError !== null) {
    output = { content: inputError, isError: true };
  } else if (verdict.kind === "deny") {
    output = { content: verdict.reason, isError: true, summary: "not run: denied" };
  } else {
    try {
      output = await tool.run(input, ctx);
    } catch (error) {
      if (error instanceof CodedError && RUN_ENDING_CODES.has(error.code)) ending = error;
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
    output: contentText(output.content),
    ...(output.exitCode !== undefined ? { exitCode: output.exitCode } : {}),
  });
  if (ending) throw ending;
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
  return contentText(content, " ").split("\n")[0] ?? "";
}

/** The text of a result; images are named, not inlined. */
function contentText(content: ToolOutput["content"], separator = "\n"): string {
  return typeof content === "string" ? content : content.map((b) => (b.type === "text" ? b.text : `[${b.source.media_type} image]`)).join(separator);
}
