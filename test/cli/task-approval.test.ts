// `deep-agent task` asks on the terminal before a call a REQUIRE_APPROVAL rule names (y/N, showing
// the call), through a real pseudo-terminal (util-linux `script`); `--yes` approves everything;
// with no terminal and no `--yes` the call is denied with a note on stderr. The spending limit
// asks the same way.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startMessagesApi, lastToolResults, type MessagesApi, type RecordedRequest, type Reply } from "../doubles/messages-api.ts";
import { binPath, cleanEnv, runCli } from "../helpers/run-cli.ts";
import { taskTextOf, turnOf } from "../worker/scripted-tasks.ts";

const SECRET = "ghp_terminalSecretToken0123456789abcdef";

function script(req: RecordedRequest): Reply {
  const tag = /case-(\w+)/.exec(taskTextOf(req))?.[1] ?? "x";
  if (tag.startsWith("budget")) {
    return turnOf(req) < 3 ? { toolCalls: [{ name: "execute", input: { command: `echo step ${turnOf(req)}` } }] } : { text: "budget done" };
  }
  if (turnOf(req) === 1) return { toolCalls: [{ name: "execute", input: { command: `touch ran-${tag} && echo ran ${tag} ${tag === "secret" ? SECRET : ""}` } }] };
  const result = lastToolResults(req)[0];
  return { text: `${result?.is_error ? "ERROR" : "OK"}: ${result?.content}` };
}

interface PtyResult {
  code: number | null;
  /** Everything the terminal showed (stdout and stderr share it). */
  screen: string;
}

/** Runs `deep-agent <args>` on a pseudo-terminal; `answer` is typed once `prompt` appears. */
function onTerminal(args: string[], env: NodeJS.ProcessEnv, cwd: string, answers: Array<[RegExp, string]>): Promise<PtyResult> {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, binPath, ...args].map(quote).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-qfec", command, "/dev/null"], { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
    let screen = "";
    const pending = [...answers];
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const watch = (chunk: string) => {
      screen += chunk;
      const next = pending[0];
      if (next?.[0].test(screen)) {
        pending.shift();
        child.stdin.write(next[1]);
      }
    };
    child.stdout.setEncoding("utf8").on("data", watch);
    child.stderr.setEncoding("utf8").on("data", watch);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}

describe("deep-agent task with REQUIRE_APPROVAL", () => {
  let api: MessagesApi;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    api = await startMessagesApi({ script });
    dir = await mkdtemp(path.join(os.tmpdir(), "deep-agent-approve-"));
    env = cleanEnv({
      ANTHROPIC_API_KEY: "test-key",
      ANTHROPIC_BASE_URL: api.baseURL,
      DATA_DIR: path.join(dir, "data"),
      SANDBOX_ISOLATION: "none",
      REQUIRE_APPROVAL: "execute:touch *",
      GITHUB_TOKEN: SECRET,
      TERM: "xterm",
    });
  });
  after(async () => {
    await api?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const lastResultOf = (tag: string) => lastToolResults(api.requests.filter((r) => taskTextOf(r).includes(`case-${tag}`)).at(-1)!)[0]!;

  it("asks on the terminal, showing the call; y runs it", { timeout: 90_000 }, async () => {
    const r = await onTerminal(["task", "case-yes"], env, dir, [[/Allow it\? \[y\/N\]/, "y\n"]]);
    assert.equal(r.code, 0, r.screen);
    assert.match(r.screen, /deep-agent wants to run execute \(rule execute:touch \*\):\s+touch ran-yes && echo ran yes/);
    assert.match(r.screen, /OK: ran yes/);
    assert.equal(lastResultOf("yes").is_error, false);
  });

  it("anything but y denies it: the model is told, and goes on", { timeout: 90_000 }, async () => {
    const r = await onTerminal(["task", "case-no"], env, dir, [[/Allow it\? \[y\/N\]/, "nope\n"]]);
    assert.equal(r.code, 0, r.screen);
    assert.match(r.screen, /ERROR: Not run: the person at the terminal denied this call/);
    assert.equal(lastResultOf("no").is_error, true);
  });

  it("the call shown on the terminal has configured secrets taken out", { timeout: 90_000 }, async () => {
    const r = await onTerminal(["task", "case-secret"], env, dir, [[/Allow it\? \[y\/N\]/, "n\n"]]);
    assert.equal(r.code, 0, r.screen);
    assert.match(r.screen, /touch ran-secret/);
    assert.doesNotMatch(r.screen, new RegExp(SECRET));
  });

  it("--yes approves without asking, and says so", { timeout: 90_000 }, async () => {
    const r = await runCli(["task", "case-flag", "--yes"], { env, cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /approved \(--yes\): execute: touch ran-flag/);
    assert.match(r.stdout, /^OK: ran flag/);
  });

  it("with no terminal and no --yes the call is denied, with a note on stderr", { timeout: 90_000 }, async () => {
    const r = await runCli(["task", "case-pipe"], { env, cwd: dir, input: "y\n" });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /not run, it needs approval \(rule execute:touch \*\) and there is no terminal to ask on; run with --yes/);
    assert.match(r.stdout, /^ERROR: Not run: this call needs a person's approval, and there was no one to ask/);
    assert.equal(existsSync(path.join(dir, "data", "sandboxes")) && lastResultOf("pipe").is_error, true);
  });

  it("the spending limit: asked on the terminal; with no terminal the task stops there", { timeout: 120_000 }, async () => {
    const budgetEnv = { ...env, TASK_BUDGET_USD: "0.005" };
    const asked = await onTerminal(["task", "case-budgetyes"], budgetEnv, dir, [[/Continue \(another \$0\.005\)\? \[y\/N\]/, "y\n"]]);
    assert.equal(asked.code, 0, asked.screen);
    assert.match(asked.screen, /deep-agent has spent ≈\$0\.00\d+ on this task \(limit \$0\.005, estimated\)/);
    assert.match(asked.screen, /budget done/);

    const piped = await runCli(["task", "case-budgetpipe", "--json"], { env: budgetEnv, cwd: dir });
    assert.equal(piped.code, 1, piped.stderr);
    const out = JSON.parse(piped.stdout);
    assert.equal(out.status, "failed");
    assert.match(out.error, /stopped at its spending limit .*no terminal.*; raise TASK_BUDGET_USD/);
    assert.match(piped.stderr, /reached its spending limit .* no terminal to ask/);

    const flagged = await runCli(["task", "case-budgetflag", "--yes"], { env: budgetEnv, cwd: dir });
    assert.equal(flagged.code, 0, flagged.stderr);
    assert.match(flagged.stderr, /spending limit reached .*going on \(--yes\)/);
    assert.equal(flagged.stdout, "budget done\n");
  });

  it("chat asks at its prompt too", { timeout: 90_000 }, async () => {
    const r = await onTerminal(["chat"], env, dir, [
      [/you › /, "please case-chat\n"],
      [/Allow it\? \[y\/N\]/, "y\n"],
      [/OK: ran chat/, "/exit\n"],
    ]);
    assert.equal(r.code, 0, r.screen);
    assert.match(r.screen, /deep-agent wants to run execute \(rule execute:touch \*\):\s+touch ran-chat/);
    assert.equal(lastResultOf("chat").is_error, false);
  });

  it("a bad rule stops the program with one line (exit 2)", async () => {
    for (const [rule, pattern] of [
      ["execute git push", /REQUIRE_APPROVAL: rule "execute git push": a tool glob has only/],
      ["mcp__github__*:main", /MCP tools match on the name alone/],
      ["execute:git push{", /"\{" is never closed/],
    ] as const) {
      const r = await runCli(["task", "hi"], { env: { ...env, REQUIRE_APPROVAL: rule }, cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
    const budget = await runCli(["task", "hi"], { env: { ...env, TASK_BUDGET_USD: "lots" }, cwd: dir });
    assert.equal(budget.code, 2);
    assert.match(budget.stderr, /TASK_BUDGET_USD: must be an amount in US dollars/);
  });
});
