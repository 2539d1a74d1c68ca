// What the terminal says about a failure: the detail, then, once, what an operator can do; and
// which codes are the caller's own mistake (exit code 2).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ERROR_CODES, type ErrorCode } from "../../src/shared/errors.ts";
import { failureLine, isInputProblem } from "../../src/cli/failure-words.ts";

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

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

const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe("failureLine, for every error code", () => {
  for (const code of CODES) {
    const advice = ADVICE[code];
    it(`${code}: the detail${advice ? ", then the advice once" : ", and no advice"}`, () => {
      const detail = `what happened to ${code} <@U1> & 日本 😀`;
      const line = failureLine({ code, detail });
      assert.equal(line, advice ? `${detail}; ${advice}` : detail);
      if (advice) assert.equal(occurrences(line, advice), 1);
    });

    it(`${code}: a detail that already gives the advice does not get it twice`, () => {
      const detail = advice ? `it failed; ${advice}` : "it failed";
      const line = failureLine({ code, detail });
      assert.equal(line, detail);
      // A line read back and shown again (stored, re-raised) stays as it was.
      assert.equal(failureLine({ code, detail: line }), line);
    });

    it(`${code}: an empty detail is replaced by the code in words`, () => {
      const words = code.replace(/_/g, " ");
      for (const detail of ["", "   ", "\n\t"]) assert.equal(failureLine({ code, detail }), advice ? `${words}; ${advice}` : words);
    });
  }
});

describe("failureLine with the details the product really writes", () => {
  const cases: Array<[code: ErrorCode, detail: string, line: string]> = [
    ["timeout", "the task ran out of time after 1800 s", "the task ran out of time after 1800 s; raise TASK_TIMEOUT_SECONDS or split the task"],
    ["turn_limit", "the task used all 200 turns without finishing", "the task used all 200 turns without finishing; raise MAX_TURNS or split the task"],
    ["model_auth", "the Claude API refused the credentials (HTTP 401: invalid x-api-key)", "the Claude API refused the credentials (HTTP 401: invalid x-api-key); check ANTHROPIC_API_KEY"],
    [
      "queue_full",
      "the queue is full (3 tasks waiting, MAX_QUEUE_DEPTH=3)",
      "the queue is full (3 tasks waiting, MAX_QUEUE_DEPTH=3); wait for tasks to finish, cancel some, or raise MAX_QUEUE_DEPTH",
    ],
    ["unknown_task", 'no task with id "3f2a"', 'no task with id "3f2a"; `deep-agent queue list` shows the queued and running ones'],
    ["internal", "internal error: boom", "internal error: boom; run again with LOG_LEVEL=debug to see where it failed"],
    ["bad_input", "the cron expression is empty", "the cron expression is empty"],
    ["cancelled", "cancelled by alice on the command line", "cancelled by alice on the command line"],
    ["timeout", "  the task ran out of time after 5 s \n", "the task ran out of time after 5 s; raise TASK_TIMEOUT_SECONDS or split the task"],
  ];
  for (const [code, detail, line] of cases) {
    it(`${code}: ${JSON.stringify(detail)}`, () => assert.equal(failureLine({ code, detail }), line));
  }

  it("a huge detail is kept whole, with the advice after it", () => {
    const detail = "x".repeat(1_000_000);
    assert.equal(failureLine({ code: "timeout", detail }), `${detail}; raise TASK_TIMEOUT_SECONDS or split the task`);
  });
});

describe("isInputProblem, for every error code", () => {
  const input = new Set<ErrorCode>(["bad_input", "config_invalid", "unknown_task", "unknown_schedule", "not_allowed", "repo_unreadable", "github_auth", "branch_protected", "push_rejected"]);
  for (const code of CODES) {
    it(`${code} → ${input.has(code)}`, () => assert.equal(isInputProblem(code), input.has(code)));
  }
});
