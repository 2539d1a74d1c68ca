// Durable waits for a person's decision. A task that must ask is recorded as `waiting` with its
// request, and a delayed pg-boss job is armed to deny it when no one decides in time; no process
// holds it. A decision — from Slack, the command line, or that timeout — is written once (the
// database decides: the first one wins) and, in the same transaction, queues the task again as a
// new job that resumes from its checkpoint on any worker. Every process can decide; the one that
// did announces it through the hooks. Only final states are the lifecycle's; waiting is not one.
import { randomUUID } from "node:crypto";
import type { JobWithMetadata, PgBoss } from "pg-boss";
import { asBossDb, type Database } from "../store/database.ts";
import { createApprovalRepo, isApprovalId, type Approval, type Decision } from "../store/approval-repo.ts";
import { createTaskRepo, type Task } from "../store/task-repo.ts";
import { APPROVAL_TIMEOUT_QUEUE, TASK_QUEUE, type ApprovalTimeoutJob, type TaskJob } from "../queue/queue-policy.ts";
import type { Logger } from "../shared/log.ts";
import * as metrics from "../shared/metrics.ts";
import type { ApprovalPolicy } from "./approval-policy.ts";
import { cliActor, slackActor } from "./actor.ts";
import type { TaskHooks } from "./task-hooks.ts";
import type { ApprovalAsk } from "./task-gate.ts";

export type DecideResult =
  /** This call decided it; a task still waiting was queued to continue. */
  | { outcome: "decided"; approval: Approval; task: Task }
  /** It was decided before (the first decision stands). */
  | { outcome: "already"; approval: Approval }
  | { outcome: "unknown" };

export interface ApprovalDesk {
  /** What needs a decision (rules, spending limit, timeout). */
  readonly policy: ApprovalPolicy;
  /**
   * The attempt stops to wait: the task becomes `waiting` (only while `attempt` holds it), the
   * request is recorded and its timeout armed, in one transaction. Null when the attempt lost the task.
   */
  wait(task: Task, attempt: number, request: ApprovalAsk & { id: string; messageTs?: string | null }): Promise<Approval | null>;
  /** A person's decision; `by` is an actor key ("slack:U123", "cli:alice"). */
  decide(approvalId: string, decision: "approved" | "denied", by: string): Promise<DecideResult>;
  /** No one decided in time: it counts as denied. */
  expire(approvalId: string): Promise<DecideResult>;
  get(approvalId: string): Promise<Approval | null>;
  pendingOf(taskId: string): Promise<Approval | null>;
  ofTask(taskId: string): Promise<Approval[]>;
  /** Keeps the Slack message showing a request, so a decision can update it. */
  setMessage(approvalId: string, messageTs: string): Promise<Approval | null>;
  /** Handles the timeouts that come due (a worker process runs this). */
  startTimeouts(): Promise<void>;
  stopTimeouts(): Promise<void>;
}

export interface ApprovalDeskOptions {
  db: Database;
  boss: PgBoss;
  hooks: TaskHooks | null;
  policy: ApprovalPolicy;
  logger: Logger;
  /** How often due timeouts are looked for. */
  pollingIntervalSeconds?: number;
}

export function createApprovalDesk(options: ApprovalDeskOptions): ApprovalDesk {
  const { db, boss, logger: log } = options;
  const approvals = createApprovalRepo(db);
  const settle = (approvalId: string, decision: Decision, by: string | null) => settleApproval(options, approvalId, decision, by);
  let working = false;

  return {
    policy: options.policy,
    async wait(task, attempt, request) {
      const approval = await db.transaction(async (tx) => {
        const waiting = await createTaskRepo(tx).markWaiting(task.id, attempt);
        if (!waiting) return null;
        const recorded = await createApprovalRepo(tx).insert({
          id: request.id,
          taskId: task.id,
          kind: request.kind,
          summary: request.summary,
          input: request.input,
          attempt,
          ...(request.toolUseId ? { toolUseId: request.toolUseId } : {}),
          ...(request.tool ? { tool: request.tool } : {}),
          ...(request.rule ? { rule: request.rule } : {}),
          ...(task.userId ? { asker: actorOf(task) } : {}),
          ...(request.messageTs ? { messageTs: request.messageTs } : {}),
        });
        const timeout: ApprovalTimeoutJob = { approvalId: recorded.id };
        await boss.send(APPROVAL_TIMEOUT_QUEUE, timeout, { startAfter: options.policy.timeoutSeconds, db: asBossDb(tx) });
        return recorded;
      });
      if (approval) log.info({ taskId: task.id, approvalId: approval.id, kind: approval.kind, summary: approval.summary }, "task waits for a decision");
      return approval;
    },
    decide: (approvalId, decision, by) => settle(approvalId, decision, by),
    expire: (approvalId) => settle(approvalId, "timed_out", null),
    get: (id) => (isApprovalId(id) ? approvals.get(id) : Promise.resolve(null)),
    pendingOf: (taskId) => approvals.pendingOf(taskId),
    ofTask: (taskId) => approvals.ofTask(taskId),
    setMessage: (id, ts) => approvals.setMessage(id, ts),

    async startTimeouts() {
      if (working) return;
      working = true;
      await boss.work(
        APPROVAL_TIMEOUT_QUEUE,
        { batchSize: 1, includeMetadata: true as const, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1 },
        async (jobs: JobWithMetadata<ApprovalTimeoutJob>[]) => {
          const id = jobs[0]?.data.approvalId;
          if (typeof id === "string") await settle(id, "timed_out", null);
        },
      );
    },
    async stopTimeouts() {
      if (!working) return;
      working = false;
      await boss.offWork(APPROVAL_TIMEOUT_QUEUE, { wait: false }).catch((error: unknown) => log.warn({ err: error }, "stopping the approval timeouts failed"));
    },
  };
}

type SettleDeps = Pick<ApprovalDeskOptions, "db" | "boss" | "hooks" | "logger">;

/**
 * Writes a decision once (the first wins) and, when the task still waits, queues it to continue
 * as a new job in the same transaction. A request whose task ended meanwhile is withdrawn instead.
 * The outcome is announced through the hooks.
 */
async function settleApproval(deps: SettleDeps, approvalId: string, decision: Decision, by: string | null): Promise<DecideResult> {
  if (!isApprovalId(approvalId)) return { outcome: "unknown" };
  const result = await deps.db.transaction(async (tx): Promise<DecideResult> => {
    const repo = createApprovalRepo(tx);
    const tasks = createTaskRepo(tx);
    const request = await repo.get(approvalId);
    if (!request) return { outcome: "unknown" };
    // The task's row first: a cancel settling it cannot cross this decision.
    const status = await tasks.lock(request.taskId);
    const waiting = status === "waiting";
    const decided = await repo.decide(approvalId, waiting ? decision : "withdrawn", waiting ? by : null);
    if (!decided) return { outcome: "already", approval: (await repo.get(approvalId)) ?? request };
    if (!waiting) return { outcome: "decided", approval: decided, task: (await tasks.get(request.taskId))! };
    const jobId = randomUUID();
    const task = (await tasks.resumeWaiting(request.taskId, jobId))!;
    const job: TaskJob = { taskId: task.id, attemptBase: task.attempt, continued: true };
    await deps.boss.send(TASK_QUEUE, job, { id: jobId, db: asBossDb(tx), ...(task.teamId ? { group: { id: task.teamId } } : {}) });
    return { outcome: "decided", approval: decided, task };
  });
  if (result.outcome === "decided") await announce(deps, result.task, result.approval);
  return result;
}

async function announce(deps: SettleDeps, task: Task, approval: Approval): Promise<void> {
  const log = deps.logger;
  if (approval.status !== "withdrawn" && approval.status !== "pending") {
    metrics.approvals.inc({ decision: approval.status });
    const seconds = ((approval.decidedAt ?? new Date()).getTime() - approval.requestedAt.getTime()) / 1000;
    metrics.approvalDecisionTime.observe({ decision: approval.status }, Math.max(0, seconds));
  }
  log.info({ taskId: task.id, approvalId: approval.id, kind: approval.kind, decision: approval.status, by: approval.decidedBy }, "approval request decided");
  await deps.hooks?.approvalDecided?.(task, approval).catch((error: unknown) => log.warn({ err: error, taskId: task.id }, "announcing the decision failed"));
}

/** A task that ended while it waited (cancelled): its open request is withdrawn and shown so. */
export async function withdrawPending(deps: SettleDeps, taskId: string): Promise<void> {
  const pending = await createApprovalRepo(deps.db).pendingOf(taskId);
  if (pending) await settleApproval(deps, pending.id, "withdrawn", null);
}

/** Who may decide besides admins: the person who asked for the task (a Slack user when it lives in Slack). */
function actorOf(task: Task): string {
  const inSlack = task.source === "slack" || task.meta["slack"] !== undefined;
  return inSlack ? slackActor(task.userId!) : cliActor(task.userId!);
}
