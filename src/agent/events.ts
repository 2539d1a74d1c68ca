// Typed events the engine emits. Sinks (terminal, task record, Slack) render them;
// the engine knows nothing about where they go.
import type { Failure } from "../shared/errors.ts";

export type TodoStatus = "pending" | "in_progress" | "completed";

export interface Todo {
  content: string;
  status: TodoStatus;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export type TaskStatus = "succeeded" | "failed" | "cancelled";

/** Set on events emitted by a sub-agent started with the `task` tool. */
export interface EventScope {
  /** "main" for the top-level agent, "sub-1", "sub-2"… for sub-agents. */
  agent: string;
}

export type AgentEvent = EventScope &
  (
    | { type: "started"; taskId: string; resumedFromTurn: number }
    | { type: "plan"; todos: Todo[] }
    | { type: "turn"; turn: number }
    /** What the model said this turn; `final` when the turn called no tools (it is the answer). */
    | { type: "text"; text: string; final: boolean }
    /** `input`: what the model passed (for transcripts; renderers show `summary`). */
    | { type: "tool_started"; id: string; name: string; summary: string; input?: unknown }
    /** `output`: the full text the tool returned (transcripts cut it); `exitCode` for commands. */
    | { type: "tool_finished"; id: string; name: string; ok: boolean; durationMs: number; summary: string; output?: string; exitCode?: number }
    | { type: "usage"; turn: Usage; total: Usage }
    | { type: "retry"; attempt: number; delayMs: number; reason: string }
    | { type: "compacted"; droppedResults: number; beforeTokens: number; afterTokens: number }
    | { type: "note"; level: "info" | "warn"; message: string }
    | { type: "finished"; status: TaskStatus; result: string; failure?: Failure; usage: Usage }
  );

/** An event without its scope, as the engine and tools hand it to the scope that emits it. */
export type UnscopedEvent = AgentEvent extends infer E ? (E extends unknown ? Omit<E, "agent"> : never) : never;

export interface ProgressSink {
  emit(event: AgentEvent): void;
}

export function emptyUsage(): Usage {
  return { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
}

export function addUsage(into: Usage, more: Partial<Usage> | null | undefined): Usage {
  if (!more) return into;
  into.input_tokens += more.input_tokens ?? 0;
  into.output_tokens += more.output_tokens ?? 0;
  into.cache_read_input_tokens += more.cache_read_input_tokens ?? 0;
  into.cache_creation_input_tokens += more.cache_creation_input_tokens ?? 0;
  return into;
}
