// Repository names as people type them, and `repo=` in a task's text, including hostile input.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseRepoName, repoInText } from "../../src/shared/repo-ref.ts";

test("owner/name, with or without .git; GitHub's rules for each part", () => {
  assert.deepEqual(parseRepoName("acme/widgets"), { repo: { owner: "acme", name: "widgets" } });
  assert.deepEqual(parseRepoName(" acme/widgets.git "), { repo: { owner: "acme", name: "widgets" } });
  assert.deepEqual(parseRepoName("a-b/x.y_z-1"), { repo: { owner: "a-b", name: "x.y_z-1" } });
  for (const bad of [
    "acme",
    "acme/",
    "/widgets",
    "acme/widgets/extra",
    "-acme/x",
    "acme-/x",
    "ac--me/x",
    "acme/..",
    "acme/.",
    "acme/wid gets",
    "acme/wid;gets",
    `${"a".repeat(40)}/x`,
    `acme/${"x".repeat(101)}`,
    "acme/x\0y",
    "../etc/passwd",
  ]) {
    assert.ok("problem" in parseRepoName(bad), `refused: ${JSON.stringify(bad)}`);
  }
  const huge = parseRepoName("x".repeat(100_000));
  assert.ok("problem" in huge && huge.problem.length < 300, "a huge input is named briefly");
});

test("repo= in text: found anywhere, sentence punctuation dropped, none, conflicts, bad names", () => {
  assert.deepEqual(repoInText("fix the flaky test repo=acme/api."), { kind: "repo", repo: { owner: "acme", name: "api" } });
  assert.deepEqual(repoInText("repo=acme/api: fix it"), { kind: "repo", repo: { owner: "acme", name: "api" } });
  assert.deepEqual(repoInText("fix it\nREPO=acme/api"), { kind: "repo", repo: { owner: "acme", name: "api" } });
  assert.deepEqual(repoInText("fix it repo=acme/api and again repo=acme/api"), { kind: "repo", repo: { owner: "acme", name: "api" } });
  assert.deepEqual(repoInText("no repository here; therepo=acme/api is not one"), { kind: "unsaid" });
  assert.deepEqual(repoInText("look around repo=none"), { kind: "none" });
  assert.equal(repoInText("repo=acme/a repo=acme/b").kind, "bad");
  assert.equal(repoInText("repo=").kind, "bad");
  assert.equal(repoInText("repo=acme/x\0evil").kind, "bad");
  assert.equal(repoInText(`repo=${"a/".repeat(10_000)}`).kind, "bad");
});

test("every intake refuses a task text naming a malformed repository (Slack, the command line, schedules)", async () => {
  const { taskTextProblem } = await import("../../src/tasks/task-text.ts");
  const { checkScheduleRequest } = await import("../../src/schedule/schedule-input.ts");
  assert.match(taskTextProblem("fix it repo=acme") ?? "", /not a repository name/);
  assert.equal(taskTextProblem("fix it repo=acme/api"), null);
  assert.throws(() => checkScheduleRequest({ cron: "0 9 * * *", text: "nightly fix repo=a/b repo=c/d", timeZone: "UTC" }), /more than one repository/);
});
