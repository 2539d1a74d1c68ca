// What a caller (CLI, worker) gives the engine and gets back from it.
import type Anthropic from "@anthropic-ai/sdk";
import type { Sandbox } from "../sandbox/port.ts";
import type { AgentTool } from "./tool.ts";
import type { ProgressSink, TaskStatus, Todo, Usage } from "./events.ts";
import type { Failure } from "../shared/errors.ts";

export type Message = Anthropic.MessageParam;

/** The conversation after a turn: enough to resume the task without repeating that turn. */
export interface Checkpoint {
  turn: number;
  messages: Message[];
  /** The plan as the user sees it (completed items kept). */
  todos: Todo[];
  usage: Usage;
}

export interface CheckpointStore {
  load(): Promise<Checkpoint | null>;
  save(checkpoint: Checkpoint): Promise<void>;
}

/** Messages the user sent while the task runs (Slack thread replies); read before each model call. */
export interface Inbox {
  take(): Promise<string[]>;
}

export interface Limits {
  maxTurns: number;
  /** Wall time for the whole task. */
  timeoutMs: number;
  /** Characters of one tool result shown to the model; the rest is cut with a note. */
  maxToolResultChars: number;
  /** Input tokens above which older tool results are compacted. */
  contextWindowTokens: number;
  /** max_tokens of one model response. */
  maxOutputTokens: number;
}

export interface ModelSettings {
  client: Anthropic;
  model: string;
  /** Whole-turn retries after a stream breaks (the SDK retries requests itself). */
  streamRetries: number;
  /** Backoff base for whole-turn retries. */
  retryBaseMs: number;
}

export interface RunOptions {
  taskId: string;
  prompt: string;
  sandbox: Sandbox;
  model: ModelSettings;
  sink: ProgressSink;
  limits: Limits;
  /** Tools beside the built-in ones (MCP). */
  extraTools?: AgentTool[];
  signal?: AbortSignal;
  checkpoints?: CheckpointStore;
  inbox?: Inbox;
  /** Earlier turns of the same conversation (a thread follow-up or a chat session). */
  history?: Message[];
}

export interface AgentOutcome {
  status: TaskStatus;
  result: string;
  /** Why it did not succeed; absent on success. */
  failure?: Failure;
  todos: Todo[];
  usage: Usage;
  turns: number;
  /** The whole conversation, for a follow-up in the same thread. */
  messages: Message[];
}
