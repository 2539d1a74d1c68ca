// The worker's side of a task's repository: which repository and branch (the task's own word, or
// the conversation's), its record in the store, and the runtime's steps around the agent's run
// (runtime/repository-steps.ts, which `deep-agent task` uses too). run-attempt.ts calls three
// things: plan before the sandbox opens, checkOut once it is open, finish after the agent.
import type { AgentOutcome } from "../agent/run-options.ts";
import { checkOutRepository, deliverRepository, taskBranch, type RepositoryCheckout, type RepositoryPlan } from "../runtime/repository-steps.ts";
import type { TaskRuntime } from "../runtime/task-runtime.ts";
import type { Sandbox } from "../sandbox/port.ts";
import { CodedError } from "../shared/errors.ts";
import type { Logger } from "../shared/log.ts";
import { formatRepo, parseRepoName, repoInText, sameRepo, type RepoName } from "../shared/repo-ref.ts";
import type { RepositoryReport } from "../shared/repository-report.ts";
import type { Database } from "../store/database.ts";
import { createRepositoryRepo, type TaskRepository } from "../store/repository-repo.ts";
import type { Task } from "../store/task-repo.ts";
import { cliActor, describeActor, slackActor } from "../tasks/actor.ts";
import { conversationKey } from "../tasks/conversation.ts";

export interface RepositoryWork {
  repo: string;
  /** The conversation's sandbox may be continued (it was made for this repository's work). */
  resumable: boolean;
  /** Clones into the sandbox; the note for the prompt. Throws CodedError (repo_unreadable, github_*…). */
  checkOut(sandbox: Sandbox, signal: AbortSignal): Promise<string>;
  /** After the agent: commit, push, pull request, recorded. A delivery that fails fails the task, keeping its answer. */
  finish(outcome: AgentOutcome, sandbox: Sandbox, threadUrl: string | null, signal: AbortSignal): Promise<{ outcome: AgentOutcome; report?: RepositoryReport }>;
}

/** The task's repository work, or null when it has none. Throws bad_input for a malformed name in a scheduled task's text. */
export async function planRepositoryWork(db: Database, runtime: TaskRuntime, task: Task, log: Logger): Promise<RepositoryWork | null> {
  if (!mayHaveRepository(task)) return null;
  const records = createRepositoryRepo(db);
  const conversation = await records.conversationRepository(task.id);
  const repo = chosenRepo(task, conversation);
  if (!repo) return null;
  const own = await records.forTask(task.id);
  // A retried attempt continues its own branch; a follow-up the conversation's, on the same repository.
  const earlier = own && sameRepo(repoOf(own), repo) ? own : conversation && sameRepo(repoOf(conversation), repo) ? conversation : null;
  const plan: RepositoryPlan = {
    repo,
    branch: earlier?.branch ?? taskBranch(task.id),
    taskId: task.id,
    ...(earlier ? { continued: { baseBranch: earlier.baseBranch, startSha: earlier.startSha, pushedSha: earlier.pushedSha, pullRequest: earlier.pullRequest } } : {}),
  };
  const service = runtime.repositories;
  let checkout: RepositoryCheckout | null = null;
  return {
    repo: formatRepo(repo),
    resumable: earlier !== null,
    async checkOut(sandbox, signal) {
      checkout = await checkOutRepository(service, sandbox, plan, signal);
      await records.start(task.id, {
        repo: formatRepo(repo),
        branch: plan.branch,
        baseBranch: checkout.baseBranch,
        startSha: checkout.since,
        pushedSha: checkout.pushedSha,
        pullRequest: checkout.pullRequest,
      });
      log.info({ repo: formatRepo(repo), branch: plan.branch, dir: checkout.dir }, "repository checked out in the sandbox");
      return checkout.note;
    },
    async finish(outcome, sandbox, threadUrl, signal) {
      // A task that did not succeed delivers nothing; its work stays in the sandbox for a follow-up.
      if (!checkout || outcome.status !== "succeeded") return { outcome };
      const { report, pushedSha } = await deliverRepository(
        service,
        sandbox,
        checkout,
        { result: outcome.result, taskText: task.text, requestedBy: requester(task), ...(threadUrl ? { threadUrl } : {}) },
        signal,
      );
      await records
        .finish(task.id, {
          outcome: report.outcome,
          ...(pushedSha ? { pushedSha } : {}),
          ...(report.pullRequest ? { pullRequest: report.pullRequest } : {}),
          commits: report.commits ?? 0,
          ...(report.failure ? { failure: report.failure } : {}),
          ...(report.diff ? { diff: report.diff } : {}),
        })
        .catch((error: unknown) => log.warn({ err: error }, "could not record the repository outcome"));
      log.info({ repo: report.repo, branch: report.branch, outcome: report.outcome, pullRequest: report.pullRequest?.url, code: report.failure?.code }, "repository work delivered");
      if (report.outcome !== "failed" || !report.failure) return { outcome, report };
      // The agent's answer stays; the task failed because its work did not reach GitHub. Not retried
      // by the queue: that would run the agent again; a reply in the thread tries again.
      return { outcome: { ...outcome, status: "failed", failure: { ...report.failure, transient: false } }, report };
    },
  };
}

/** Most tasks name no repository and have no conversation to take one from: no need to ask the store. */
function mayHaveRepository(task: Task): boolean {
  const meta = task.meta["repo"];
  if (meta === null) return false;
  if (typeof meta === "string") return true;
  const said = repoInText(task.text).kind;
  return said !== "none" && !(said === "unsaid" && conversationKey(task) === null);
}

/** The task's own word (meta.repo from the intake, else `repo=` in its text), else the conversation's. */
function chosenRepo(task: Task, conversation: TaskRepository | null): RepoName | null {
  const meta = task.meta["repo"];
  if (meta === null) return null;
  if (typeof meta === "string") {
    const parsed = parseRepoName(meta);
    if ("problem" in parsed) throw new CodedError("bad_input", parsed.problem);
    return parsed.repo;
  }
  const said = repoInText(task.text);
  if (said.kind === "bad") throw new CodedError("bad_input", said.problem);
  if (said.kind === "none") return null;
  if (said.kind === "repo") return said.repo;
  return conversation ? repoOf(conversation) : null;
}

function repoOf(record: TaskRepository): RepoName {
  const parsed = parseRepoName(record.repo);
  if ("problem" in parsed) throw new CodedError("internal", `a stored repository name is malformed: ${parsed.problem}`);
  return parsed.repo;
}

function requester(task: Task): string {
  if (task.source === "slack" && task.userId) return describeActor(slackActor(task.userId));
  if (task.source === "cli" && task.userId) return describeActor(cliActor(task.userId));
  return task.source === "schedule" ? "a schedule" : "someone";
}
