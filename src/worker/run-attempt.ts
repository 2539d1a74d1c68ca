// One attempt of one task, as a worker runs it, in linear phases: claim the record; open the
// intake's session; run the engine in a workspace (sandbox + tools) with a database checkpoint
// store; then decide what the attempt amounts to — a final state (recorded and announced by the
// lifecycle), a retry, a hand-back at shutdown, or a wait for a person's decision (recorded by the
// approval desk; the sandbox is kept and the worker slot freed).
import { randomUUID } from "node:crypto";
import type { AgentEvent, ProgressSink } from "../agent/events.ts";
import { emptyUsage } from "../agent/events.ts";
import type { AgentOutcome, CheckpointStore } from "../agent/run-options.ts";
import type { TaskRuntime } from "../runtime/task-runtime.ts";
import { openWorkspace, type Workspace } from "../runtime/workspace.ts";
import { createCheckpointStore } from "../store/checkpoint-repo.ts";
import type { Database } from "../store/database.ts";
import { createTaskRepo, type Task, type TaskRepo } from "../store/task-repo.ts";
import { describeActor } from "../tasks/actor.ts";
import { conversationKey } from "../tasks/conversation.ts";
import type { TaskLifecycle } from "../tasks/lifecycle.ts";
import type { ApprovalRequest, TaskHooks, TaskOutputs, TaskSession } from "../tasks/task-hooks.ts";
import type { ApprovalDesk } from "../tasks/approvals.ts";
import { createTaskGate, type TaskGate } from "../tasks/task-gate.ts";
import { CodedError, failureOf, hasCode, type ErrorCode, type Failure } from "../shared/errors.ts";
import type { Logger } from "../shared/log.ts";
import * as metrics from "../shared/metrics.ts";
import { CONVERSATION_LABEL } from "../sandbox/port.ts";
import { recordEventMetrics } from "./event-metrics.ts";
import { createTaskRecordSink, type TaskRecordSink } from "./task-record-sink.ts";
import { openTranscript } from "./transcript.ts";
import type { TranscriptWriter } from "../tasks/transcript-writer.ts";
import { planRepositoryWork, type RepositoryWork } from "./repository-work.ts";

export type AttemptResult =
  | { kind: "finished"; status: AgentOutcome["status"] }
  /** Another attempt or a cancel settled the task; nothing to record. */
  | { kind: "not_ours" }
  | { kind: "released" }
  /** Stopped to wait for a person's decision; a decision queues it again. */
  | { kind: "waiting" }
  /** Failed in a way worth retrying; `final` when no attempts remain (the job goes to the dead-letter queue). */
  | { kind: "retry"; error: string; final: boolean }
  /** Failed the same way as the attempt before: retrying would only burn attempts; dead-letter it now. */
  | { kind: "poison"; error: string };

export interface AttemptInput {
  taskId: string;
  /** pg-boss retry count + 1. */
  attempt: number;
  finalAttempt: boolean;
  /** The job's signal (its claim went away: cancelled, or taken over) combined with ours (shutdown). */
  signal: AbortSignal;
  workerName: string;
  /** It waited for a decision before: it continues in the sandbox it used then. */
  continued?: boolean;
}

export interface AttemptDeps {
  db: Database;
  runtime: TaskRuntime;
  lifecycle: TaskLifecycle;
  hooks: TaskHooks | null;
  logger: Logger;
  /** Approval rules and spend limits; without it calls run unasked. */
  approvals?: ApprovalDesk;
  /** Work that may end after the attempt (removing a sandbox); the pool awaits it when it drains. */
  inBackground?: (work: Promise<unknown>) => void;
}

const OUTAGES: ReadonlySet<ErrorCode> = new Set(["model_unavailable", "sandbox_unavailable", "database_unavailable"]);

/** Aborting an attempt with this reason hands the task back to the queue (shutdown). */
export function shutdownReason(): CodedError {
  return new CodedError("shutdown", "the worker is shutting down; the task goes back to the queue and resumes from its last turn");
}

export async function runAttempt(input: AttemptInput, deps: AttemptDeps): Promise<AttemptResult> {
  const { taskId, attempt } = input;
  const tasks = createTaskRepo(deps.db);
  const log = deps.logger.child({ taskId, attempt });
  const task = await tasks.claim(taskId, attempt, input.workerName);
  // Finished by an attempt that died before completing its job, cancelled, or a newer attempt holds it.
  if (!task) return { kind: "not_ours" };
  if (attempt === 1 && task.attemptStartedAt) {
    metrics.pickupLatency.observe(Math.max(0, (task.attemptStartedAt.getTime() - task.createdAt.getTime()) / 1000));
  }
  metrics.tasksRunning.inc();
  try {
    if (task.cancelRequestedAt) {
      const final = { status: "cancelled" as const, result: "", failure: cancelFailure(task), todos: [], usage: emptyUsage(), turns: 0 };
      return (await deps.lifecycle.finish(taskId, attempt, final, undefined, { background: true })) ? { kind: "finished", status: "cancelled" } : { kind: "not_ours" };
    }
    // A first attempt (the claim of attempt 1 succeeds only on a task no attempt ever held) has no
    // checkpoint and no decisions yet: no need to read them.
    const fresh = attempt === 1 && !input.continued;
    const session = await openSession(deps.hooks, task, attempt, log);
    const gate = deps.approvals ? createTaskGate(deps.approvals.policy, fresh ? [] : await deps.approvals.ofTask(task.id)) : null;
    const record = createTaskRecordSink(tasks, task.id, attempt, { logger: log });
    const transcript = openTranscript(deps, task.id, attempt, log);
    const { outcome, outputs } = await work(task, input, deps, session, tasks, log, gate, { record, transcript }, fresh).catch(async (error: unknown) => {
      // Unexpected: the queue retries the task; what the transcript has so far is kept.
      await transcript.flush();
      throw error;
    });
    return await settle(task, outcome, outputs, input, deps, session, tasks, log, gate, { record, transcript });
  } finally {
    metrics.tasksRunning.dec();
  }
}

/** Runs the engine in a workspace; a sandbox that cannot be had is a failed outcome, not a throw. */
async function work(
  task: Task,
  input: AttemptInput,
  deps: AttemptDeps,
  session: TaskSession | null,
  tasks: TaskRepo,
  log: Logger,
  gate: TaskGate | null,
  { record, transcript }: AttemptRecords,
  fresh: boolean,
): Promise<{ outcome: AgentOutcome; outputs?: TaskOutputs }> {
  const sinks: ProgressSink[] = [record, transcript, { emit: recordEventMetrics }, ...(session?.sinks ?? [])];
  const sink: ProgressSink = {
    emit: (event: AgentEvent) => {
      for (const s of sinks) safeEmit(s, event, log);
    },
  };
  const conversation = conversationKey(task);
  const created = Date.now();
  let workspace: Workspace;
  let repository: RepositoryWork | null = null;
  try {
    repository = await planRepositoryWork(deps.db, deps.runtime, task, log);
    // A task that waited for a decision continues in its own sandbox (kept while it waited).
    const resumeId = input.continued && task.sandboxId ? task.sandboxId : conversation && repository?.resumable !== false ? await tasks.conversationSandbox(task.id) : null;
    workspace = await openWorkspace(deps.runtime, {
      taskId: task.id,
      labels: { attempt: String(input.attempt), ...(conversation ? { [CONVERSATION_LABEL]: conversation } : {}) },
      ...(resumeId ? { resumeId } : {}),
      signal: input.signal,
      logger: log,
      ...(repository ? { keepGitHubTokenOut: true } : {}),
    });
    metrics.sandboxCreate.observe({ provider: workspace.sandbox.provider }, (Date.now() - created) / 1000);
  } catch (error) {
    log.warn({ err: error }, "could not get a sandbox");
    const failure = hasCode(error) ? error.toFailure() : new CodedError("sandbox_unavailable", `could not create a sandbox: ${(error as Error).message}`).toFailure();
    return { outcome: failedOutcome(failure) };
  }
  let outputs: TaskOutputs | undefined;
  let keep = conversation !== null;
  try {
    // Recorded for a later task of the conversation to continue in; a task without one records it only if it waits (below).
    if (keep) await recordSandbox(tasks, task.id, input.attempt, workspace.sandbox.id, log);
    const repoNote = repository ? await repository.checkOut(workspace.sandbox, input.signal).catch((error: unknown) => failureOf(error)) : "";
    if (typeof repoNote !== "string") return { outcome: failedOutcome(repoNote) };
    const asked = session?.prepare
      ? await session.prepare(workspace.sandbox, task.text).catch((error: unknown) => {
          log.warn({ err: error }, "the intake could not prepare the sandbox; running on the task text alone");
          return task.text;
        })
      : task.text;
    const prompt = repoNote ? `${asked}\n\n${repoNote}` : asked;
    let outcome = await workspace.run({
      prompt,
      sink,
      signal: input.signal,
      checkpoints: fresh ? firstAttemptCheckpoints(createCheckpointStore(deps.db, task.id, input.attempt)) : createCheckpointStore(deps.db, task.id, input.attempt),
      ...(session?.inbox ? { inbox: session.inbox } : {}),
      ...(session?.history ? { history: session.history } : {}),
      ...(gate ? { gate } : {}),
      ...(task.model ? { model: task.model } : {}),
    });
    // Kept (E2B: paused) for the continuation after the decision; nothing to hand over yet.
    if (outcome.status === "paused") {
      if (!keep) await recordSandbox(tasks, task.id, input.attempt, workspace.sandbox.id, log);
      keep = true;
      return { outcome };
    }
    outputs = await session?.collect?.(workspace.sandbox).catch((error: unknown) => {
      log.warn({ err: error }, "could not collect what the task produced");
      return undefined;
    });
    if (outputs) transcript.note("outputs", { files: outputs.files.map((f) => ({ name: f.name, bytes: f.content.byteLength })), skipped: outputs.skipped });
    if (repository) {
      const threadUrl = (await session?.threadUrl?.().catch(() => null)) ?? null;
      const delivered = await repository.finish(outcome, workspace.sandbox, threadUrl, input.signal);
      outcome = delivered.outcome;
      if (delivered.report) outputs = { files: [], skipped: [], ...outputs, repository: delivered.report };
    }
    return { outcome, ...(outputs ? { outputs } : {}) };
  } finally {
    // Kept for a later task of the same conversation; the sweep removes it when none comes.
    if (keep || !deps.inBackground) await workspace.close({ keep });
    // A sandbox nobody continues is removed after the outcome is recorded, not before.
    else deps.inBackground(workspace.close({ keep }));
  }
}

/** What an attempt writes as it runs: its progress on the task record, and its transcript. */
interface AttemptRecords {
  record: TaskRecordSink;
  transcript: TranscriptWriter;
}

async function recordSandbox(tasks: TaskRepo, taskId: string, attempt: number, sandboxId: string, log: Logger): Promise<void> {
  await tasks.setSandbox(taskId, attempt, sandboxId).catch((error: unknown) => log.warn({ err: error }, "could not record the sandbox id"));
}

/** A first attempt's store: nothing to load (no attempt saved one before it). */
function firstAttemptCheckpoints(store: CheckpointStore): CheckpointStore {
  return { load: async () => null, save: (checkpoint) => store.save(checkpoint) };
}

async function settle(
  task: Task,
  outcome: AgentOutcome,
  outputs: TaskOutputs | undefined,
  input: AttemptInput,
  deps: AttemptDeps,
  session: TaskSession | null,
  tasks: TaskRepo,
  log: Logger,
  gate: TaskGate | null,
  { record, transcript }: AttemptRecords,
): Promise<AttemptResult> {
  const { attempt } = input;
  // Live progress stops before anything final is shown.
  await session?.close();
  const interrupted = input.signal.aborted && outcome.status !== "succeeded";
  const mayRunAgain = interrupted || outcome.status === "paused" || (outcome.status === "failed" && outcome.failure?.transient === true);
  // A final record carries plan, usage, turns and the transcript's last events itself; an attempt
  // that may run again writes them now. Either way the transcript is whole before the outcome is
  // recorded: `show --follow` stops at the outcome.
  await Promise.all(mayRunAgain ? [record.flush(), transcript.flush()] : [record.discard()]);
  if (interrupted) {
    if (hasCode(input.signal.reason, "shutdown")) {
      await tasks.requeue(task.id, attempt, null);
      await session?.interrupted({ kind: "released" });
      log.info("released for shutdown; it resumes from its last checkpoint");
      return { kind: "released" };
    }
    const now = await tasks.get(task.id);
    if (!now?.cancelRequestedAt) {
      // The claim went away without a cancel (expired, or presumed dead): another attempt owns it.
      log.warn("lost the claim on this task; leaving it to the attempt that took it over");
      return { kind: "not_ours" };
    }
    outcome = { ...outcome, status: "cancelled", failure: cancelFailure(now) };
  }
  if (outcome.status === "paused") return waitForDecision(task, input, deps, session, gate, log);
  const failure = outcome.failure;
  const retryable = outcome.status === "failed" && failure?.transient === true;
  // The record still holds the previous attempt's failure (requeue kept it): the same code twice is a
  // poison task — unless it is an outage, which backing off between attempts is there to outlast.
  const poison = retryable && attempt > 1 && !OUTAGES.has(failure.code) && task.failure?.code === failure.code;
  if (retryable && !input.finalAttempt && !poison) {
    await tasks.requeue(task.id, attempt, failure);
    await session?.interrupted({ kind: "retrying", failure });
    log.warn({ code: failure.code, detail: failure.detail }, "attempt failed; the queue retries it");
    return { kind: "retry", error: failure.detail, final: false };
  }
  // Announced in the background (tracked by the lifecycle): the slot is free once the outcome is recorded.
  const events = await transcript.takeRest();
  const finished = await deps.lifecycle.finish(task.id, attempt, { ...outcome, status: outcome.status }, outputs, { background: true, events });
  if (!finished) return { kind: "not_ours" };
  if (poison && !input.finalAttempt) {
    log.warn({ code: failure.code }, "failed the same way twice in a row; dead-lettered without further retries");
    return { kind: "poison", error: failure.detail };
  }
  if (retryable) return { kind: "retry", error: failure.detail, final: true };
  return { kind: "finished", status: outcome.status };
}

/**
 * The run paused for a decision (checkpointed at the call that waits): the request is shown (the
 * Slack thread), then recorded with the task as `waiting` and its timeout armed. The job ends; no
 * worker holds the task until a decision queues it again.
 */
async function waitForDecision(task: Task, input: AttemptInput, deps: AttemptDeps, session: TaskSession | null, gate: TaskGate | null, log: Logger): Promise<AttemptResult> {
  const ask = gate?.asked();
  if (!ask || !deps.approvals) throw new CodedError("internal", "the run paused but no approval request was made");
  const request: ApprovalRequest = {
    ...ask,
    id: randomUUID(),
    taskId: task.id,
    attempt: input.attempt,
    expiresAt: new Date(Date.now() + deps.approvals.policy.timeoutSeconds * 1000),
  };
  // Shown before it is recorded: a worker that dies in between leaves a message whose buttons answer
  // "no longer open", never a request nobody can see. The retried attempt asks again.
  const messageTs =
    (await session?.approvalRequested?.(request).catch((error: unknown) => {
      log.warn({ err: error }, "the intake could not show the approval request");
      return null;
    })) ?? null;
  const recorded = await deps.approvals.wait(task, input.attempt, { ...ask, id: request.id, messageTs });
  if (!recorded) {
    log.warn("lost the claim on this task before it could wait for a decision; leaving it to the attempt that took it over");
    return { kind: "not_ours" };
  }
  return { kind: "waiting" };
}

/** The intake's session for this task; a failing hook costs only its own features, never the task. */
async function openSession(hooks: TaskHooks | null, task: Task, attempt: number, log: Logger): Promise<TaskSession | null> {
  if (!hooks) return null;
  try {
    return await hooks.open(task, attempt);
  } catch (error) {
    log.warn({ err: error }, "the intake's session could not start; running without it");
    return null;
  }
}

function cancelFailure(task: Task): Failure {
  return new CodedError("cancelled", task.cancelledBy ? `cancelled by ${describeActor(task.cancelledBy)}` : "cancelled").toFailure();
}

function safeEmit(sink: ProgressSink, event: AgentEvent, log: Logger): void {
  try {
    sink.emit(event);
  } catch (error) {
    log.warn({ err: error }, "a progress sink failed");
  }
}

function failedOutcome(failure: Failure): AgentOutcome {
  return { status: "failed", result: "", failure, todos: [], usage: emptyUsage(), turns: 0, messages: [] };
}
