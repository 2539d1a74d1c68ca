// `/agent …` as typed, and what the parser makes of it: every subcommand, the exact words of
// each refusal (always followed by the usage line), and hostile or odd input.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseAgentCommand, type AgentCommand } from "../../src/slack/intake/agent-command.ts";

const USAGE = "Usage: `/agent task <text>` · `/agent queue` · `/agent status [id]` · `/agent cancel <id>` · `/agent help`";
const invalid = (problem: string): AgentCommand => ({ kind: "invalid", message: `${problem}\n${USAGE}` });
const notAnId = (what: string) => invalid(`\`${what}\` is not a task id (ids look like \`3f2a9c1e\`).`);

const UUID = "3f2a9c1e-7b4d-4e2a-9c1e-0a1b2c3d4e5f";
const EXTRA: ReadonlySet<string> = new Set(["schedule", "unschedule"]);

const cases: Array<[title: string, raw: string, expected: AgentCommand]> = [
  // help
  ["empty text is help", "", { kind: "help" }],
  ["only whitespace is help", " \t\n ", { kind: "help" }],
  ["help", "help", { kind: "help" }],
  ["HELP in capitals, padded", "  HELP  ", { kind: "help" }],
  ["help ignores what follows it", "help me please", { kind: "help" }],

  // task
  ["task with text", "task summarise yesterday's incidents", { kind: "task", text: "summarise yesterday's incidents" }],
  ["Task in mixed case", "TaSk do it", { kind: "task", text: "do it" }],
  ["task text keeps its inner spacing and loses the outer", "task   a   b\t c   ", { kind: "task", text: "a   b\t c" }],
  ["task text may start on the next line and keep its lines", "task\nfirst line\nsecond line", { kind: "task", text: "first line\nsecond line" }],
  ["task separated by a no-break space", "task\u00a0hello", { kind: "task", text: "hello" }],
  ["task text keeps Slack markup as typed (escaping is the renderer's job)", "task ping <@U123> &amp; <!channel>", { kind: "task", text: "ping <@U123> &amp; <!channel>" }],
  ["task text keeps unicode", "task résumé 😀 日本語", { kind: "task", text: "résumé 😀 日本語" }],
  ["task text keeps a NUL byte", "task a\u0000b", { kind: "task", text: "a\u0000b" }],
  ["task without text", "task", invalid("`/agent task` needs the task, e.g. `/agent task summarise yesterday's incidents`.")],
  ["task followed by blanks only", "task    \t", invalid("`/agent task` needs the task, e.g. `/agent task summarise yesterday's incidents`.")],
  ["a word that merely starts with task is not task", "taskfoo bar", invalid("Unknown subcommand `taskfoo`.")],

  // queue
  ["queue", "queue", { kind: "queue" }],
  ["QUEUE, padded", "\tQUEUE \n", { kind: "queue" }],
  ["queue with an argument", "queue everything", invalid("`/agent queue` takes no arguments.")],

  // status
  ["status alone has no id at all", "status", { kind: "status" }],
  ["status with a short id", "status 3f2a9c1e", { kind: "status", id: "3f2a9c1e" }],
  ["status with a full uuid", `status ${UUID}`, { kind: "status", id: UUID }],
  ["status keeps the id's case", "Status 3F2A9C1E", { kind: "status", id: "3F2A9C1E" }],
  ["status with the shortest id (4 characters)", "status abcd", { kind: "status", id: "abcd" }],
  ["status with a 3-character id", "status abc", notAnId("abc")],
  ["status with a 37-character id", `status ${UUID}0`, notAnId(`${UUID}0`)],
  ["status with an id that starts with a dash", "status -abc", notAnId("-abc")],
  ["status with a path", "status ../../etc", notAnId("../../etc")],
  ["status with a non-hex word", "status zzzzzzzz", notAnId("zzzzzzzz")],
  ["status with a mention", "status <@U123>", notAnId("<@U123>")],
  ["status with two ids", "status 3f2a9c1e 4e5f6a7b", invalid("`/agent status` takes at most one task id.")],

  // cancel
  ["cancel with an id", "cancel 3f2a9c1e", { kind: "cancel", id: "3f2a9c1e" }],
  ["CANCEL with a uuid, padded", `  CANCEL   ${UUID}  `, { kind: "cancel", id: UUID }],
  ["cancel without an id", "cancel", invalid("`/agent cancel` needs the id of the task to cancel (`/agent queue` lists them).")],
  ["cancel with words", "cancel DROP TABLE", notAnId("DROP TABLE")],
  ["cancel with two ids quotes both as given", "cancel 3f2a  9c1e", notAnId("3f2a  9c1e")],
  ["cancel with a non-hex id", "cancel xyz123", notAnId("xyz123")],
  ["cancel with a NUL byte in the id", "cancel 3f2a\u00009c1e", notAnId("3f2a\u00009c1e")],

  // unknown
  ["an unknown word", "deploy prod", invalid("Unknown subcommand `deploy`.")],
  ["an unknown word keeps its case in the message", "Deploy", invalid("Unknown subcommand `Deploy`.")],
  ["help with a NUL byte attached is not help", "help\u0000", invalid("Unknown subcommand `help\u0000`.")],
  ["unicode word", "déployer", invalid("Unknown subcommand `déployer`.")],
  ["a Slack mention as the word", "<@U123> hi", invalid("Unknown subcommand `<@U123>`.")],
  ["a registered word is unknown when nothing is registered", "schedule daily", invalid("Unknown subcommand `schedule`.")],
];

describe("parseAgentCommand", () => {
  for (const [title, raw, expected] of cases) {
    it(title, () => {
      assert.deepEqual(parseAgentCommand(raw), expected);
    });
  }

  it("every refusal names the problem on its first line and the usage on its second", () => {
    for (const [, raw, expected] of cases) {
      if (expected.kind !== "invalid") continue;
      const parsed = parseAgentCommand(raw);
      assert.equal(parsed.kind, "invalid", raw);
      const lines = (parsed as { message: string }).message.split("\n");
      assert.equal(lines.length, 2, raw);
      assert.equal(lines[1], USAGE, raw);
    }
  });

  it("a huge task text is kept whole", () => {
    const text = "x".repeat(1_000_000);
    assert.deepEqual(parseAgentCommand(`task ${text}`), { kind: "task", text });
  });
});

describe("parseAgentCommand with subcommands registered by other parts of the product", () => {
  const extraCases: Array<[title: string, raw: string, expected: AgentCommand]> = [
    ["a registered word gets the rest as it was typed", 'schedule "0 9 * * 1-5" post the  summary', { kind: "extra", name: "schedule", args: '"0 9 * * 1-5" post the  summary' }],
    ["the name is lower-cased", "SCHEDULE list", { kind: "extra", name: "schedule", args: "list" }],
    ["no arguments gives an empty string", "unschedule", { kind: "extra", name: "unschedule", args: "" }],
    ["arguments are trimmed", "unschedule   k3m9x2qa  ", { kind: "extra", name: "unschedule", args: "k3m9x2qa" }],
    ["a word that only starts like a registered one is unknown", "schedules", invalid("Unknown subcommand `schedules`.")],
    ["built-in subcommands still work", "queue", { kind: "queue" }],
  ];
  for (const [title, raw, expected] of extraCases) {
    it(title, () => {
      assert.deepEqual(parseAgentCommand(raw, EXTRA), expected);
    });
  }

  it("a registered name cannot take over a built-in subcommand", () => {
    const shadowing = new Set(["task", "help", "queue", "status", "cancel"]);
    assert.deepEqual(parseAgentCommand("task do it", shadowing), { kind: "task", text: "do it" });
    assert.deepEqual(parseAgentCommand("help", shadowing), { kind: "help" });
    assert.deepEqual(parseAgentCommand("queue", shadowing), { kind: "queue" });
    assert.deepEqual(parseAgentCommand("status", shadowing), { kind: "status" });
    assert.deepEqual(parseAgentCommand("cancel", shadowing).kind, "invalid");
  });
});
