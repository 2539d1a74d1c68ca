// What a caller (CLI, worker) gives the engine and gets back from it.
import type Anthropic from "@anthropic-ai/sdk";
import type { Sandbox } from "../sandbox/port.ts";
import type { AgentTool } from "./tool.ts";
import type { ProgressSink, TaskStatus, Todo, Usage } from "./events.ts";
import type { Failure } from "../shared/errors.ts";

export type Message = Anthropic.MessageParam;

/** A tool call as the gate sees it: its input already validated by the tool. */
export interface GatedCall {
  id: string;
  name: string;
  input: unknown;
}

export type GateVerdict =
  | { kind: "run" }
  /** Not run: the model gets an error result saying why, and goes on. */
  | { kind: "deny"; reason: string }
  /** Not run yet: the run stops here (checkpointed) until a person decides; `summary` says what for. */
  | { kind: "pause"; summary: string };

/** Before a model call: go on, wait for a person (the run stops, checkpointed), or end the task. */
export type ModelCallVerdict = { kind: "run" } | { kind: "pause"; summary: string } | { kind: "stop"; failure: Failure };

/**
 * A person's say before the agent acts (approval rules, spend limits). The engine asks it and
 * obeys; what the rules are and how a decision is reached are the caller's.
 */
export interface Gate {
  /** Before each tool call of a turn runs; no call of the turn runs until every one has passed. */
  toolCall(call: GatedCall): Promise<GateVerdict>;
  /** Before each model call of the main agent, with the task's usage so far. */
  modelCall?(usage: Usage): Promise<ModelCallVerdict>;
}

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
  /** The SDK client, made (and the SDK loaded) at the first call; the same one every time. */
  client: () => Promise<Anthropic>;
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
  /** Asked before tool and model calls; a pause needs `checkpoints` (without them it is a denial). */
  gate?: Gate;
}

/** A run ends final, or "paused": checkpointed, waiting for a person, to be resumed from the checkpoint. */
export type RunStatus = TaskStatus | "paused";

export interface AgentOutcome {
  status: RunStatus;
  result: string;
  /** Why it did not succeed; absent on success. */
  failure?: Failure;
  todos: Todo[];
  usage: Usage;
  turns: number;
  /** The whole conversation, for a follow-up in the same thread. */
  messages: Message[];
  /** What a paused run waits for, in one line. */
  pausedFor?: string;
}
