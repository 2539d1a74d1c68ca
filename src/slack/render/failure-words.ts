// Why a task did not succeed, in words a Slack user can act on. Written once per code; operator
// details (configuration names, API messages) stay in the log, never in Slack.
import type { ErrorCode } from "../../shared/errors.ts";
import { parseActor } from "../../tasks/actor.ts";

const WORDS: Partial<Record<ErrorCode, string>> = {
  timeout: "It ran out of time. Ask again with a smaller piece of the work.",
  turn_limit: "It used all its steps without finishing. Split the task into smaller ones.",
  model_unavailable: "The model was unavailable, even after retries. Try again in a few minutes.",
  model_auth: "The model service refused deep-agent's credentials. Tell an operator.",
  model_rejected: "The model service refused the request. Tell an operator if it keeps happening.",
  context_overflow: "The work outgrew what the model can keep in mind at once. Split the task into smaller ones.",
  budget_exceeded: "It reached its spending limit and was stopped.",
  sandbox_unavailable: "The sandbox it works in could not start. Try again; if it keeps happening, tell an operator.",
  isolation_unavailable: "Commands cannot be run safely on this machine, so the task stopped. Tell an operator.",
  queue_full: "The queue is full right now. Try again in a few minutes.",
  repo_unreadable: "The repository does not exist, or deep-agent's GitHub access cannot read it. Check the name, or ask an operator for access.",
  github_auth: "GitHub refused deep-agent's credentials, or none are set up. Tell an operator.",
  github_rate_limited: "GitHub's rate limit was reached. Try again in a while.",
  github_unavailable: "GitHub did not answer. Try again in a few minutes.",
  branch_protected: "GitHub refused the push: the branch is protected.",
  push_rejected: "GitHub refused the push: the branch changed there, or deep-agent may not write to the repository.",
  pull_request_failed: "GitHub refused to open the pull request. Tell an operator if it keeps happening.",
};

const FALLBACK = "Something went wrong inside deep-agent. Try again; if it keeps happening, tell an operator.";

/** The sentence shown on the card and in the result for a task that failed or was cancelled. */
export function failureWords(code: ErrorCode | null | undefined, cancelledBy?: string | null): string {
  if (code === "cancelled") return cancelledWords(cancelledBy);
  return (code && WORDS[code]) ?? FALLBACK;
}

/** A few words for an attempt that failed and is retried ("the model was unavailable"). */
export function retryWords(code: ErrorCode): string {
  switch (code) {
    case "model_unavailable":
      return "the model was unavailable";
    case "sandbox_unavailable":
      return "the sandbox could not start";
    case "github_unavailable":
    case "github_rate_limited":
      return "GitHub was unavailable";
    default:
      return "something went wrong";
  }
}

function cancelledWords(by: string | null | undefined): string {
  const actor = by ? parseActor(by) : null;
  if (actor?.kind === "slack") return `Cancelled by <@${actor.userId}>.`;
  if (actor?.kind === "cli") return "Cancelled from the command line.";
  return "Cancelled.";
}
