// `deep-agent queue add "<text>" | list [--json] | cancel <id> | approve <id> | deny <id>`: the
// durable queue that `start` and `worker` drain, and the decisions tasks there wait for.
import os from "node:os";
import { loadConfig, type Config } from "../../config/env.ts";
import { secretValues } from "../../config/secrets.ts";
import { createLogger, type Logger } from "../../shared/log.ts";
import { openQueueStack, type QueueStack } from "../../queue/open-queue.ts";
import { createTaskQueue } from "../../queue/task-queue.ts";
import { createTaskLifecycle } from "../../tasks/lifecycle.ts";
import { cliActor } from "../../tasks/actor.ts";
import { createSlackParts } from "../../slack/slack-parts.ts";
import { taskTextProblem } from "../../tasks/task-text.ts";
import type { Task } from "../../store/task-repo.ts";
import { parseCommandArgs } from "../parse-args.ts";
import { usageError, exitCodes } from "../usage-error.ts";
import { oneLine } from "../../shared/one-line.ts";
import { createApprovalDesk, type ApprovalDesk } from "../../tasks/approvals.ts";
import { createApprovalPolicy } from "../../tasks/approval-policy.ts";
import type { Approval } from "../../store/approval-repo.ts";
import { createTaskRepo } from "../../store/task-repo.ts";
import { CodedError } from "../../shared/errors.ts";
import { createScrubber } from "../../shared/scrub-secrets.ts";
import { createTranscriptRepo } from "../../store/transcript-repo.ts";
import { createTranscriptLinks } from "../../tasks/transcript-links.ts";

import { createRepositoryService } from "../../runtime/github-access.ts";
import { formatRepo } from "../../shared/repo-ref.ts";
import { chosenRepository } from "../repository-option.ts";

const USAGE = 'usage: deep-agent queue add "<text>" [--repo owner/name] | queue list [--json] | queue cancel <id> | queue approve <id> | queue deny <id>';

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "add") return add(rest);
  if (sub === "list") return list(rest);
  if (sub === "cancel") return cancel(rest);
  if (sub === "approve" || sub === "deny") return decide(sub, rest);
  if (sub === undefined) throw usageError(`queue: say what to do; ${USAGE}`);
  throw usageError(`queue: unknown subcommand "${sub}"; ${USAGE}`);
}

async function add(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("queue add", args, { repo: { type: "string" } });
  if (positionals.length === 0) throw usageError('queue add: the task text is missing; usage: deep-agent queue add "<text>" [--repo owner/name]');
  if (positionals.length > 1) throw usageError('queue add: give the task text as one argument in quotes: deep-agent queue add "<text>" [--repo owner/name]');
  const text = positionals[0]!;
  const problem = taskTextProblem(text);
  if (problem) throw usageError(`queue add: ${problem}`);
  // The repository is checked before anything is queued (a bad name or an unreadable repository: exit 2).
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevelExplicit ? config.LOG_LEVEL : "warn", secrets: secretValues(config) });
  const repo = await chosenRepository("queue add", values.repo, text, createRepositoryService(config, logger));
  return withQueue(async (stack, config) => {
    const queue = createTaskQueue(stack.db, stack.boss, { maxQueueDepth: config.MAX_QUEUE_DEPTH });
    const meta = repo === null ? {} : { repo: repo === "none" ? null : formatRepo(repo) };
    const { task, position } = await queue.enqueue({ text, source: "cli", userId: localUser(), meta });
    console.log(`queued ${task.id} (position ${position})${repo && repo !== "none" ? ` to work on ${formatRepo(repo)}` : ""}`);
    console.log(`follow it with: deep-agent show ${task.id} --follow`);
    const links = createTranscriptLinks({ publicUrl: config.PUBLIC_URL, secret: config.TRANSCRIPT_SECRET, repo: createTranscriptRepo(stack.db) });
    console.log(`transcript: ${await links.url(task.id)}`);
    return exitCodes.ok;
  });
}

async function list(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("queue list", args, { json: { type: "boolean", default: false } });
  if (positionals.length > 0) throw usageError(`queue list: takes no arguments (got "${positionals[0]}"); usage: deep-agent queue list [--json]`);
  return withQueue(async (stack, config, logger) => {
    const tasks = await createTaskQueue(stack.db, stack.boss, { maxQueueDepth: config.MAX_QUEUE_DEPTH }).list();
    const desk = approvalDesk(stack, config, logger, false);
    const waitingFor = new Map<string, Approval>();
    for (const t of tasks.filter((x) => x.status === "waiting")) {
      const pending = await desk.pendingOf(t.id);
      // What a call waits for may hold a secret (a token in a command): scrubbed before it is printed.
      if (pending) waitingFor.set(t.id, { ...pending, summary: scrub(config, pending.summary) });
    }
    if (values.json) {
      console.log(JSON.stringify(tasks.map((t) => toJson(t, waitingFor.get(t.id)))));
      return exitCodes.ok;
    }
    if (tasks.length === 0) {
      console.log("the queue is empty");
      return exitCodes.ok;
    }
    for (const t of tasks) {
      const where = t.status === "queued" ? `#${t.position}` : t.status;
      const age = ageOf(t.status === "queued" ? t.createdAt : t.status === "waiting" ? t.updatedAt : (t.startedAt ?? t.createdAt));
      const waiting = waitingFor.get(t.id);
      const doing =
        t.status === "running" && t.lastActivity
          ? ` — ${t.lastActivity}`
          : waiting
            ? ` — waiting for approval: ${oneLine(waiting.summary, 100)} (deep-agent queue approve|deny ${t.id.slice(0, 8)})`
            : "";
      console.log(`${t.id}  ${where.padEnd(8)} ${age.padStart(6)}  ${oneLine(t.text, 60)}${doing}`);
    }
    return exitCodes.ok;
  });
}

async function cancel(args: string[]): Promise<number> {
  const { positionals } = parseCommandArgs("queue cancel", args, {});
  if (positionals.length !== 1) throw usageError("queue cancel: give one task id; usage: deep-agent queue cancel <id>");
  const id = positionals[0]!;
  return withQueue(async (stack, config, logger) => {
    // A Slack task cancelled here is shown as cancelled in its thread too.
    const hooks = createSlackParts({ config, logger, db: stack.db, boss: stack.boss })?.hooks ?? null;
    const lifecycle = createTaskLifecycle({ db: stack.db, boss: stack.boss, hooks, logger });
    try {
      const result = await lifecycle.cancel(id, cliActor(localUser()), { wait: true });
      if (result.outcome === "cancelled") {
        console.log(`cancelled ${result.task.id}`);
        return exitCodes.ok;
      }
      console.error(`deep-agent: task ${result.task.id} already ${result.task.status}; nothing to cancel`);
      return exitCodes.failure;
    } finally {
      lifecycle.close();
    }
  });
}

/** `queue approve <id>` / `queue deny <id>`: decides what a task waits for; it then continues on a worker. */
async function decide(sub: "approve" | "deny", args: string[]): Promise<number> {
  const { positionals } = parseCommandArgs(`queue ${sub}`, args, {});
  if (positionals.length !== 1) throw usageError(`queue ${sub}: give one task id; usage: deep-agent queue ${sub} <id>`);
  const id = positionals[0]!.trim();
  return withQueue(async (stack, config, logger) => {
    const taskId = await createTaskRepo(stack.db).resolveId(id);
    const task = taskId ? await createTaskRepo(stack.db).get(taskId) : null;
    if (!task) throw new CodedError("unknown_task", `no task with id "${id}"`);
    const desk = approvalDesk(stack, config, logger, true);
    const pending = task.status === "waiting" ? await desk.pendingOf(task.id) : null;
    if (!pending) {
      console.error(`deep-agent: task ${task.id} is ${task.status}, not waiting for a decision; nothing to ${sub}`);
      return exitCodes.failure;
    }
    const result = await desk.decide(pending.id, sub === "approve" ? "approved" : "denied", cliActor(localUser()));
    if (result.outcome === "decided" && result.approval.status !== "withdrawn") {
      const what = pending.kind === "budget" ? "going on past the spending limit" : scrub(config, pending.summary);
      console.log(`${sub === "approve" ? "approved" : "denied"}: ${what}\ntask ${task.id} continues on a worker`);
      return exitCodes.ok;
    }
    const now = result.outcome === "unknown" ? null : result.approval;
    console.error(`deep-agent: task ${task.id}: the request was already ${now?.status.replace("_", " ") ?? "closed"}; nothing to ${sub}`);
    return exitCodes.failure;
  });
}

/** Decisions made here show in the task's Slack thread too when it has one (`announce`). */
function approvalDesk(stack: QueueStack, config: Config, logger: Logger, announce: boolean): ApprovalDesk {
  const slack = announce ? createSlackParts({ config, logger, db: stack.db, boss: stack.boss }) : null;
  return slack?.approvals ?? createApprovalDesk({ db: stack.db, boss: stack.boss, hooks: null, logger, policy: createApprovalPolicy(config) });
}

async function withQueue(fn: (stack: QueueStack, config: Config, logger: Logger) => Promise<number>): Promise<number> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevelExplicit ? config.LOG_LEVEL : "warn", secrets: secretValues(config) });
  const stack = await openQueueStack(config, logger, { role: "command", supervise: false });
  try {
    return await fn(stack, config, logger);
  } finally {
    await stack.close();
  }
}

function scrub(config: Config, text: string): string {
  return createScrubber(secretValues(config)).scrub(text);
}

function toJson(t: Task & { position: number | null }, waiting?: Approval) {
  return {
    id: t.id,
    status: t.status,
    text: t.text,
    position: t.position,
    source: t.source,
    user: t.userId,
    attempt: t.attempt,
    todos: t.todos.map((x) => ({ content: x.content, status: x.status })),
    created_at: t.createdAt.toISOString(),
    started_at: t.startedAt?.toISOString() ?? null,
    finished_at: t.finishedAt?.toISOString() ?? null,
    ...(waiting ? { waiting_for: { approval_id: waiting.id, kind: waiting.kind, summary: waiting.summary, requested_at: waiting.requestedAt.toISOString() } } : {}),
  };
}

function localUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return "cli";
  }
}

function ageOf(since: Date): string {
  const s = Math.max(0, Math.round((Date.now() - since.getTime()) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}
