// REQUIRE_APPROVAL: rules as people write them, what each matches, and bad rules refused with one
// line naming the rule (the program then stops with exit 2; see test/cli/task-approval.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/env.ts";
import { compileApprovalRules, parseApprovalRules } from "../../src/config/approval-rules.ts";

const matcher = (rules: string) => {
  const match = compileApprovalRules(parseApprovalRules(rules));
  return (tool: string, input: unknown) => match(tool, input)?.text ?? null;
};

test("the contract's example: commands by glob, MCP tools by name", () => {
  const m = matcher("execute:git push*,execute:rm *,mcp__github__create_*");
  assert.equal(m("execute", { command: "git push --force origin main" }), "execute:git push*");
  assert.equal(m("execute", { command: "rm -rf /tmp/build" }), "execute:rm *", "a star in a command crosses slashes");
  assert.equal(m("execute", { command: "git status" }), null);
  assert.equal(m("execute", { command: "rmdir build" }), null);
  assert.equal(m("mcp__github__create_pull_request", { title: "x" }), "mcp__github__create_*");
  assert.equal(m("mcp__github__list_issues", {}), null);
  assert.equal(m("write_todos", { todos: [] }), null);
});

test("a command is caught inside a compound command, a subshell or a pipeline", () => {
  const m = matcher("execute:git push*");
  for (const command of [
    "cd repo && git push",
    "make; git push -f",
    "true || git push",
    "echo $(git push)",
    "x | git push",
    "(git push)",
    "echo ok\ngit push origin",
    "sleep 1 & git push",
  ]) {
    assert.equal(m("execute", { command }), "execute:git push*", JSON.stringify(command));
  }
});

test("paths: a glob without a slash matches the file name anywhere; ./ and .. are normalised", () => {
  const m = matcher("write_file:*.env,edit_file:deploy/**,read_file:/etc/**,ls");
  assert.equal(m("write_file", { file_path: ".env" }), "write_file:*.env");
  assert.equal(m("write_file", { file_path: "config/prod.env" }), "write_file:*.env");
  assert.equal(m("write_file", { file_path: "notes.txt" }), null);
  assert.equal(m("edit_file", { file_path: "./deploy/k8s/app.yaml" }), "edit_file:deploy/**");
  assert.equal(m("edit_file", { file_path: "src/../deploy/app.yaml" }), "edit_file:deploy/**");
  assert.equal(m("edit_file", { file_path: "src/deploy.ts" }), null);
  assert.equal(m("read_file", { file_path: "/etc/passwd" }), "read_file:/etc/**");
  assert.equal(m("read_file", { file_path: "etc/passwd" }), null);
  assert.equal(m("ls", {}), "ls", "a tool glob alone matches every call");
});

test("brace lists keep their commas; spaces and empty entries around rules are ignored", () => {
  const rules = parseApprovalRules(" execute:git {push,tag}* ,, mcp__*__delete_* ,");
  assert.deepEqual(
    rules.map((r) => r.text),
    ["execute:git {push,tag}*", "mcp__*__delete_*"],
  );
  const m = compileApprovalRules(rules);
  assert.equal(m("execute", { command: "git tag v1" })?.text, "execute:git {push,tag}*");
  assert.equal(m("mcp__notion__delete_page", {})?.text, "mcp__*__delete_*");
});

test("odd inputs never throw and never match by accident", () => {
  const m = matcher("execute:rm *,write_file:*.env");
  for (const input of [null, undefined, 42, "rm -rf /", [], { command: 7 }, { command: null }, { file_path: { toString: () => ".env" } }]) {
    assert.equal(m("execute", input), null, JSON.stringify(input));
    assert.equal(m("write_file", input), null);
  }
  assert.equal(m("execute", { command: "rm \0 -rf /" }), "execute:rm *", "a NUL in a command does not hide it");
  assert.equal(m("execute", { command: `${"x".repeat(200_000)} ; rm -rf /` }), "execute:rm *", "a huge command is still checked");
});

test("bad rules are refused with the rule and what is wrong", () => {
  const cases: Array<[string, RegExp]> = [
    ["execute git push", /rule "execute git push": a tool glob has only letters, digits/],
    [":rm *", /the tool glob before ':' is empty/],
    ["execute:", /the argument glob after ':' is empty/],
    ["execute:git push{", /"\{" is never closed/],
    ["execute:a]b", /"\]" closes nothing/],
    ["mcp__github__*:main", /MCP tools match on the name alone/],
    ["write_todos:anything", /only execute \(the command\) and the file tools \(the path\)/],
    ["exécute", /a tool glob has only/],
    ["execute\0:x", /a tool glob has only/],
  ];
  for (const [value, pattern] of cases) {
    assert.throws(
      () => loadConfig({ REQUIRE_APPROVAL: value }),
      (error: Error) => {
        assert.match(error.message, /^REQUIRE_APPROVAL: /);
        assert.match(error.message, pattern);
        assert.equal(error.message.split("\n").length, 1);
        return true;
      },
      value,
    );
  }
});

test("unset means no rules; the timeout and the budget have their defaults and checks", () => {
  const config = loadConfig({});
  assert.deepEqual(config.REQUIRE_APPROVAL, []);
  assert.equal(config.APPROVAL_TIMEOUT_SECONDS, 86_400);
  assert.equal(config.TASK_BUDGET_USD, undefined);
  assert.equal(loadConfig({ TASK_BUDGET_USD: "2.50" }).TASK_BUDGET_USD, 2.5);
  assert.throws(() => loadConfig({ APPROVAL_TIMEOUT_SECONDS: "0" }), /APPROVAL_TIMEOUT_SECONDS: must be at least 1/);
  assert.throws(() => loadConfig({ TASK_BUDGET_USD: "0" }), /TASK_BUDGET_USD: must be an amount in US dollars above 0/);
  assert.throws(() => loadConfig({ TASK_BUDGET_USD: "1e3" }), /TASK_BUDGET_USD/);
});
