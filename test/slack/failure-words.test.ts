// Why a task failed, as a Slack user reads it: one sentence per code, never configuration names
// or codes (those are for operators), and who cancelled.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ERROR_CODES, type ErrorCode } from "../../src/shared/errors.ts";
import { failureWords, retryWords } from "../../src/slack/render/failure-words.ts";

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];
const ENV_NAME = /\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/;
const FALLBACK = "Something went wrong inside deep-agent. Try again; if it keeps happening, tell an operator.";

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
  cancelled: "Cancelled.",
};

describe("failureWords, for every error code", () => {
  for (const code of CODES) {
    it(code, () => {
      const words = failureWords(code);
      assert.equal(words, WORDS[code] ?? FALLBACK);
      assert.doesNotMatch(words, ENV_NAME, "no configuration name");
      assert.ok(!words.includes(code), "not the raw code");
      assert.match(words, /^[A-Z].*\.$/, "one or two sentences");
      // Who cancelled matters only for a cancelled task.
      if (code !== "cancelled") assert.equal(failureWords(code, "slack:U123"), words);
    });
  }

  it("no code at all gets the general words", () => {
    assert.equal(failureWords(null), FALLBACK);
    assert.equal(failureWords(undefined), FALLBACK);
    assert.equal(failureWords(undefined, "slack:U123"), FALLBACK);
  });
});

describe("failureWords for a cancelled task names who cancelled", () => {
  const cases: Array<[by: string | null | undefined, words: string]> = [
    ["slack:U123", "Cancelled by <@U123>."],
    ["slack:W0ABCDEF12", "Cancelled by <@W0ABCDEF12>."],
    ["cli:alice", "Cancelled from the command line."],
    ["cli:ALICE_SMITH", "Cancelled from the command line."],
    [null, "Cancelled."],
    [undefined, "Cancelled."],
    ["", "Cancelled."],
    ["slack:", "Cancelled."],
    ["cli:", "Cancelled."],
    [":U123", "Cancelled."],
    ["U123", "Cancelled."],
    ["SLACK:U123", "Cancelled."],
    ["email:alice@example.com", "Cancelled."],
    ["\u0000", "Cancelled."],
  ];
  for (const [by, words] of cases) {
    it(`${JSON.stringify(by)} → ${words}`, () => {
      assert.equal(failureWords("cancelled", by), words);
    });
  }
});

describe("retryWords, for every error code", () => {
  const expected: Partial<Record<ErrorCode, string>> = {
    model_unavailable: "the model was unavailable",
    sandbox_unavailable: "the sandbox could not start",
    github_unavailable: "GitHub was unavailable",
    github_rate_limited: "GitHub was unavailable",
  };
  for (const code of CODES) {
    it(code, () => {
      const words = retryWords(code);
      assert.equal(words, expected[code] ?? "something went wrong");
      assert.doesNotMatch(words, ENV_NAME);
      assert.ok(!words.includes(code));
    });
  }
});
