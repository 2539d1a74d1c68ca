// How an intake adapter (Slack) takes part in running its tasks, without the worker knowing
// anything about it: extra progress sinks, messages for the running agent, the earlier
// conversation, files to copy in and out of the sandbox, and the final post.
import type { ProgressSink } from "../agent/events.ts";
import type { AgentOutcome, Inbox, Message } from "../agent/run-options.ts";
import type { Sandbox } from "../sandbox/port.ts";
import type { Task } from "../store/task-repo.ts";

/** How an attempt ended, as the session sees it. */
export type AttemptEnd =
  /** The outcome is recorded; this is the task's final state. */
  | { kind: "finished"; outcome: AgentOutcome }
  /** It failed in a way the queue retries; another attempt follows. */
  | { kind: "retrying"; outcome: AgentOutcome }
  /** Given back to the queue at shutdown; it resumes from its checkpoint. */
  | { kind: "released" }
  /** Another attempt or a cancel owns the task now; nothing to show. */
  | { kind: "not_ours" };

export interface TaskSession {
  sinks: ProgressSink[];
  inbox?: Inbox;
  /** Earlier turns of the conversation this task continues. */
  history?: Message[];
  /** A conversation key for the sandbox, and the sandbox of the previous task to resume if still alive. */
  sandbox?: { threadKey: string; resumeId?: string };
  /** The sandbox is ready: copy inputs in. Returns the prompt to run (the task text, possibly annotated). */
  prepare?(sandbox: Sandbox, prompt: string): Promise<string>;
  /** The agent stopped and the sandbox is still open: collect what it produced. */
  beforeClose?(sandbox: Sandbox, outcome: AgentOutcome): Promise<void>;
  /** The attempt ended. Must not throw. */
  settle(end: AttemptEnd): Promise<void>;
}

export interface TaskHooks {
  /** A session for this task, or null when these hooks have nothing to do with it. */
  open(task: Task, attempt: number): Promise<TaskSession | null>;
}

/**
 * The conversation a sandbox belongs to, as "<channel>:<thread ts>" of the task records: the
 * sweep asks the records whether a task of that thread is still open.
 */
export function threadKeyOf(channelId: string, threadTs: string): string {
  return `thread:${channelId}:${threadTs}`;
}

export function parseThreadKey(key: string): { channelId: string; threadTs: string } | null {
  const match = /^thread:([^:]+):(.+)$/.exec(key);
  return match ? { channelId: match[1]!, threadTs: match[2]! } : null;
}
