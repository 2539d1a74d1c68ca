// What the terminal says about a failure: the detail (the facts), then, once, what an operator
// can do about it. The person at the terminal runs deep-agent, so configuration is named.
import type { ErrorCode, Failure } from "../shared/errors.ts";

const ADVICE: Partial<Record<ErrorCode, string>> = {
  timeout: "raise TASK_TIMEOUT_SECONDS or split the task",
  turn_limit: "raise MAX_TURNS or split the task",
  model_unavailable: "try again later, or lower WORKER_CONCURRENCY",
  model_auth: "check ANTHROPIC_API_KEY",
  model_rejected: "check AGENT_MODEL and ANTHROPIC_BASE_URL",
  context_overflow: "split the task into smaller ones",
  budget_exceeded: "raise TASK_BUDGET_USD, or approve going on when asked",
  queue_full: "wait for tasks to finish, cancel some, or raise MAX_QUEUE_DEPTH",
  too_many_tasks: "wait for one to finish or cancel one",
  internal: "run again with LOG_LEVEL=debug to see where it failed",
  unknown_task: "`deep-agent queue list` shows the queued and running ones",
  repo_unreadable: "check the name, and that GITHUB_TOKEN can read it (contents:read)",
  github_auth: "set GITHUB_TOKEN to a token with contents:write and pull_requests:write",
  github_rate_limited: "wait for GitHub's rate limit to reset",
  github_unavailable: "check GITHUB_URL and GITHUB_API_URL, or try again later",
  branch_protected: "the work is kept in the sandbox; push it to another branch or lift the protection",
  push_rejected: "the work is kept in the sandbox; check that GITHUB_TOKEN has contents:write",
  pull_request_failed: "the branch was pushed; check that GITHUB_TOKEN has pull_requests:write",
};

/** Codes that mean "you asked for something that cannot be done as asked": exit code 2. */
const INPUT_CODES: ReadonlySet<ErrorCode> = new Set([
  "bad_input",
  "config_invalid",
  "unknown_task",
  "unknown_schedule",
  "not_allowed",
  // A repository that cannot be used as asked: fix the name, the token or the branch, not the task.
  "repo_unreadable",
  "github_auth",
  "branch_protected",
  "push_rejected",
]);

export function failureLine(failure: Pick<Failure, "code" | "detail">): string {
  const detail = failure.detail.trim() || failure.code.replace(/_/g, " ");
  const advice = ADVICE[failure.code];
  return advice && !detail.includes(advice) ? `${detail}; ${advice}` : detail;
}

export function isInputProblem(code: ErrorCode): boolean {
  return INPUT_CODES.has(code);
}
