// The seam through which an intake (Slack) takes part in running its tasks. The worker and the
// lifecycle know only this; `deep-agent start` plugs the Slack implementation in.
import type { ProgressSink } from "../agent/events.ts";
import type { Inbox, Message } from "../agent/run-options.ts";
import type { Sandbox } from "../sandbox/port.ts";
import type { Failure } from "../shared/errors.ts";
import type { RepositoryReport } from "../shared/repository-report.ts";
import type { Task } from "../store/task-repo.ts";
import type { Approval, NewApproval } from "../store/approval-repo.ts";

export interface OutputFile {
  /** Path under outputs/, e.g. "report.md" or "charts/load.png". */
  name: string;
  content: Uint8Array;
}

/** What a task hands over with its result, read from the sandbox before it closes. */
export interface TaskOutputs {
  files: OutputFile[];
  /** Files left out (too many, too large) and why. */
  skipped: string[];
  /** What became of the task's work on its GitHub repository (a draft pull request…), when it had one. */
  repository?: RepositoryReport;
}

/** An attempt that ends without a final state. */
export type Interruption =
  /** It failed in a way the queue retries; another attempt follows. */
  | { kind: "retrying"; failure: Failure }
  /** Handed back to the queue at shutdown; it resumes from its checkpoint. */
  | { kind: "released" };

/** A request for a person's decision, as the intake shows it; its id is final (buttons carry it). */
export interface ApprovalRequest extends NewApproval {
  /** When it counts as denied if no one decided. */
  expiresAt: Date;
}

/** One attempt of one task, as the intake takes part in it. */
export interface TaskSession {
  sinks: ProgressSink[];
  /** Messages for the running agent (replies in its thread). */
  inbox?: Inbox;
  /** Earlier turns of the conversation this task continues. */
  history?: Message[];
  /** The sandbox is ready: copy inputs in. Returns the prompt to run (the task text, possibly annotated). */
  prepare?(sandbox: Sandbox, prompt: string): Promise<string>;
  /** A link to where the task was asked (a Slack thread's permalink), for its pull request. */
  threadUrl?(): Promise<string | null>;
  /** The agent stopped and the sandbox is still open: what to hand over with the result. */
  collect?(sandbox: Sandbox): Promise<TaskOutputs>;
  /** The attempt ends without a final state. Must not throw. */
  interrupted(how: Interruption): Promise<void>;
  /**
   * The task stops to wait for a person's decision (called after close()): show the request where
   * people can decide, and that the task waits. Resolves to the message showing it (null: none).
   */
  approvalRequested?(request: ApprovalRequest): Promise<string | null>;
  /** Stops live updates; resolves once none is in flight. Must not throw. */
  close(): Promise<void>;
}

export interface TaskHooks {
  /** A session for this attempt, or null when the task is not this intake's. */
  open(task: Task, attempt: number): Promise<TaskSession | null>;
  /**
   * The task's final state is recorded (`task` is the record as written). Called exactly once
   * per task, by the lifecycle, in whichever process settled it. Must not throw.
   */
  finished(task: Task, outputs?: TaskOutputs): Promise<void>;
  /**
   * A request was decided (approved, denied, timed out, or withdrawn because the task ended), in
   * whichever process decided it; `task` is the record after the decision. Must not throw.
   */
  approvalDecided?(task: Task, approval: Approval): Promise<void>;
}
