// One attempt of one task, as a worker runs it: claim the record, make a fresh sandbox, run the
// engine with a database checkpoint store, then record the outcome exactly once.
import type { Database } from "../store/database.ts";
import type { Logger } from "../shared/log.ts";
import type { TaskRuntime } from "../runtime/task-runtime.ts";
import type { AgentOutcome } from "../agent/run-options.ts";
import type { AgentEvent, FailureReason, ProgressSink } from "../agent/events.ts";
import { emptyUsage } from "../agent/events.ts";
import { runAgent } from "../agent/engine.ts";
import { createTaskRepo, type Task } from "../store/task-repo.ts";
import { createCheckpointStore } from "../store/checkpoint-repo.ts";
import { createTaskRecordSink } from "./task-record-sink.ts";
import { recordEventMetrics } from "./event-metrics.ts";
import * as metrics from "../shared/metrics.ts";
import type { AttemptEnd, TaskHooks, TaskSession } from "../tasks/task-hooks.ts";

/** Aborting a task with this reason means: stop at the next turn and give the task back. */
export class ReleaseForShutdown extends Error {
  constructor() {
    super("the worker is shutting down; the task goes back to the queue and resumes from its last turn");
    this.name = "ReleaseForShutdown";
  }
}

/** Failures a later attempt may not repeat; the others (limits, a refused request) would. */
const RETRYABLE: ReadonlySet<FailureReason> = new Set(["model_unavailable", "sandbox_error", "internal"]);

export type AttemptResult =
  | { kind: "finished"; status: AgentOutcome["status"] }
  /** Another attempt or a cancel settled the task; nothing to record. */
  | { kind: "not_ours" }
  | { kind: "released" }
  /** Failed in a way worth retrying; `final` when no attempts remain (the job goes to the dead-letter queue). */
  | { kind: "retry"; error: string; final: boolean };

export interface AttemptInput {
  taskId: string;
  /** pg-boss retry count + 1. */
  attempt: number;
  finalAttempt: boolean;
  /** The job's signal (its claim went away: cancelled, or taken over) combined with ours (shutdown). */
  signal: AbortSignal;
  workerName: string;
  /** Extra sinks (a Slack renderer) beside the task record. */
  sinks?: ProgressSink[];
  hooks?: TaskHooks;
}

export interface AttemptDeps {
  db: Database;
  runtime: TaskRuntime;
  logger: Logger;
}

export async function runAttempt(input: AttemptInput, deps: AttemptDeps): Promise<AttemptResult> {
  const { taskId, attempt } = input;
  const tasks = createTaskRepo(deps.db);
  const log = deps.logger.child({ taskId, attempt });
  const task = await tasks.claim(taskId, attempt, input.workerName);
  // Finished by an attempt that died before completing its job, cancelled, or a newer attempt holds it.
  if (!task) return { kind: "not_ours" };
  const started = Date.now();
  /** The outcome as recorded (a cancel turns an aborted run into "cancelled"). */
  let settled: AgentOutcome | undefined;
  if (attempt === 1 && task.attemptStartedAt) {
    metrics.pickupLatency.observe(Math.max(0, (task.attemptStartedAt.getTime() - task.createdAt.getTime()) / 1000));
  }
  metrics.tasksRunning.inc();
  try {
    if (task.cancelRequestedAt) return await settle(task, cancelledOutcome("cancelled before it started"));
    const session = await openSession(input.hooks, task, attempt, log);
    const record = createTaskRecordSink(tasks, taskId, attempt, { logger: log });
    const sinks: ProgressSink[] = [record, { emit: recordEventMetrics }, ...(input.sinks ?? []), ...(session?.sinks ?? [])];
    const sink: ProgressSink = { emit: (event: AgentEvent) => sinks.forEach((s) => safeEmit(s, event, log)) };

    let outcome: AgentOutcome;
    const created = Date.now();
    let sandbox;
    try {
      const options = { taskId, lifetimeMs: deps.runtime.limits.timeoutMs, signal: input.signal, metadata: { taskId, attempt: String(attempt) }, ...(session?.sandbox ? { threadKey: session.sandbox.threadKey } : {}) };
      // A follow-up in a conversation continues in the previous task's sandbox while it is alive.
      const resumeId = session?.sandbox?.resumeId;
      const resumed = resumeId && deps.runtime.sandboxes.resume ? await deps.runtime.sandboxes.resume(resumeId, options).catch(() => null) : null;
      sandbox = resumed ?? (await deps.runtime.sandboxes.create(options));
      metrics.sandboxCreate.observe({ provider: sandbox.provider }, (Date.now() - created) / 1000);
    } catch (error) {
      log.warn({ err: error }, "could not create a sandbox");
      outcome = failedOutcome(`could not create a sandbox: ${(error as Error).message}`, "sandbox_error");
    }
    if (sandbox) {
      const box = sandbox;
      const mcp = await deps.runtime.openTools(sandbox, sink, input.signal).catch((error: unknown) => {
        log.warn({ err: error }, "MCP tools unavailable for this task");
        return { tools: [], close: async () => {} };
      });
      try {
        const prompt = session?.prepare
          ? await session.prepare(box, task.text).catch((error: unknown) => {
              log.warn({ err: error }, "task session could not prepare the sandbox");
              return task.text;
            })
          : task.text;
        outcome = await runAgent({
          taskId,
          prompt,
          sandbox,
          model: deps.runtime.model,
          sink,
          limits: deps.runtime.limits,
          extraTools: mcp.tools,
          signal: input.signal,
          checkpoints: createCheckpointStore(deps.db, taskId, attempt),
          ...(session?.inbox ? { inbox: session.inbox } : {}),
          ...(session?.history ? { history: session.history } : {}),
        });
        await session?.beforeClose?.(box, outcome).catch((error: unknown) => log.warn({ err: error }, "task session failed before the sandbox closed"));
      } finally {
        await mcp.close().catch(() => {});
        await sandbox.close(session?.sandbox ? { keep: true } : undefined).catch((error: unknown) => log.warn({ err: error }, "sandbox close failed"));
      }
    }
    await record.flush();
    const result = await settle(task, outcome!);
    await session?.settle(attemptEnd(result, settled ?? outcome!));
    return result;
  } finally {
    metrics.tasksRunning.dec();
  }

  async function settle(task: Task, outcome: AgentOutcome): Promise<AttemptResult> {
    settled = outcome;
    if (input.signal.aborted && outcome.status !== "succeeded") {
      if (input.signal.reason instanceof ReleaseForShutdown) {
        await tasks.requeue(taskId, attempt, null);
        log.info("released for shutdown; it resumes from its last checkpoint");
        return { kind: "released" };
      }
      const now = await tasks.get(taskId);
      if (!now?.cancelRequestedAt) {
        // The claim went away without a cancel (expired, or presumed dead): another attempt owns it.
        log.warn("lost the claim on this task; leaving it to the attempt that took it over");
        return { kind: "not_ours" };
      }
      outcome = { ...outcome, status: "cancelled", reason: "cancelled", error: "cancelled by a user" };
      settled = outcome;
    }
    if (outcome.status === "failed" && outcome.reason && RETRYABLE.has(outcome.reason) && !input.finalAttempt) {
      await tasks.requeue(taskId, attempt, outcome.error ?? "failed");
      log.warn({ reason: outcome.reason, error: outcome.error }, "attempt failed; the queue retries it");
      return { kind: "retry", error: outcome.error ?? "failed", final: false };
    }
    const finished = await tasks.finish(taskId, attempt, {
      status: outcome.status,
      result: outcome.result,
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
      todos: outcome.todos,
      usage: outcome.usage,
      turns: outcome.turns,
    });
    if (!finished) return { kind: "not_ours" };
    metrics.tasksFinished.inc({ status: outcome.status });
    metrics.taskDuration.observe({ status: outcome.status }, (Date.now() - started) / 1000);
    log.info({ status: outcome.status, turns: outcome.turns }, "task finished");
    if (outcome.status === "failed" && outcome.reason && RETRYABLE.has(outcome.reason)) {
      return { kind: "retry", error: outcome.error ?? "failed", final: true };
    }
    return { kind: "finished", status: outcome.status };
  }
}

/** The intake's session for this task; a failing hook costs only its own features, never the task. */
async function openSession(hooks: TaskHooks | undefined, task: Task, attempt: number, log: Logger): Promise<TaskSession | null> {
  if (!hooks) return null;
  try {
    return await hooks.open(task, attempt);
  } catch (error) {
    log.warn({ err: error }, "task session could not start; running without it");
    return null;
  }
}

function attemptEnd(result: AttemptResult, outcome: AgentOutcome): AttemptEnd {
  switch (result.kind) {
    case "finished":
      return { kind: "finished", outcome };
    case "retry":
      return result.final ? { kind: "finished", outcome } : { kind: "retrying", outcome };
    case "released":
      return { kind: "released" };
    case "not_ours":
      return { kind: "not_ours" };
  }
}

function safeEmit(sink: ProgressSink, event: AgentEvent, log: Logger): void {
  try {
    sink.emit(event);
  } catch (error) {
    log.warn({ err: error }, "a progress sink failed");
  }
}

function failedOutcome(error: string, reason: FailureReason): AgentOutcome {
  return { status: "failed", result: "", error, reason, todos: [], usage: emptyUsage(), turns: 0, messages: [] };
}

function cancelledOutcome(error: string): AgentOutcome {
  return { status: "cancelled", result: "", error, reason: "cancelled", todos: [], usage: emptyUsage(), turns: 0, messages: [] };
}
