import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startMessagesApi, type Reply } from "../doubles/messages-api.ts";
import { cleanEnv, runCli } from "../helpers/run-cli.ts";

async function withApi(script: Reply[], fn: (env: NodeJS.ProcessEnv, dir: string) => Promise<void>) {
  const api = await startMessagesApi({ script });
  const dir = await mkdtemp(path.join(os.tmpdir(), "deep-agent-cli-"));
  try {
    await fn(cleanEnv({ ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: api.baseURL, DATA_DIR: path.join(dir, "data"), SANDBOX_ISOLATION: "none" }), dir);
  } finally {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test("task --json prints the contract's JSON object and exits 0", async () => {
  await withApi(
    [
      { toolCalls: [{ name: "write_todos", input: { todos: [{ content: "Say hi", status: "completed" }] } }] },
      { toolCalls: [{ name: "execute", input: { command: "echo hi" } }] },
      { text: "Said **hi**." },
    ],
    async (env, cwd) => {
      const r = await runCli(["task", "say hi", "--json"], { env, cwd });
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(Object.keys(out).sort(), ["id", "result", "status", "todos", "usage"]);
      assert.equal(out.status, "succeeded");
      assert.equal(out.result, "Said **hi**.");
      assert.deepEqual(out.todos, [{ content: "Say hi", status: "completed" }]);
      assert.deepEqual(Object.keys(out.usage).sort(), ["cache_creation_input_tokens", "cache_read_input_tokens", "input_tokens", "output_tokens"]);
      assert.ok(out.usage.output_tokens > 0);
      assert.match(out.id, /^[0-9a-f-]{36}$/);
      assert.match(r.stderr, /Say hi/, "the plan is shown on stderr");
      assert.match(r.stderr, /execute: echo hi/, "the running tool is shown on stderr");
    },
  );
});

test("task prints the result on stdout; a failed task exits 1 with the reason", async () => {
  await withApi([{ text: "All done." }], async (env, cwd) => {
    const r = await runCli(["task", "do it"], { env, cwd });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "All done.\n");
  });
  await withApi([{ status: 401, message: "invalid x-api-key" }], async (env, cwd) => {
    const r = await runCli(["task", "do it", "--json"], { env, cwd });
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout);
    assert.equal(out.status, "failed");
    assert.match(out.error, /ANTHROPIC_API_KEY/);
  });
});

test("the model's plan and commands cannot drive the terminal: control characters on stderr are shown, not sent", async () => {
  // An OSC title change and a screen clear, as a hostile plan item and command would carry them.
  const hostile = "\x1b]0;owned\x07\x1b[2J";
  await withApi(
    [
      { toolCalls: [{ name: "write_todos", input: { todos: [{ content: `plan ${hostile}`, status: "in_progress" }] } }] },
      { toolCalls: [{ name: "execute", input: { command: `true # ${hostile}` } }] },
      { text: "Done." },
    ],
    async (env, cwd) => {
      const r = await runCli(["task", "do it"], { env, cwd });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!r.stderr.includes("\x1b") && !r.stderr.includes("\x07"), `raw control characters reached the terminal: ${JSON.stringify(r.stderr)}`);
      assert.match(r.stderr, /plan ␛\]0;owned\\x07␛\[2J/);
      assert.match(r.stderr, /true # ␛\]0;owned/);
    },
  );
});

test("bad input gets one clear line and exit 2", async () => {
  await withApi([], async (env, cwd) => {
    const cases: [string[], RegExp, NodeJS.ProcessEnv?][] = [
      [["frobnicate"], /unknown command "frobnicate"/],
      [["task"], /task text is missing/],
      [["task", "   "], /task text is empty/],
      [["task", "x".repeat(20_001)], /over the limit of 20000/],
      [["task", "hi", "--jsn"], /Unknown option '--jsn'/],
      [["task", "hi"], /ANTHROPIC_API_KEY: is not set/, { ...env, ANTHROPIC_API_KEY: undefined }],
      [["task", "hi"], /WORKER_CONCURRENCY: must be a whole number \(got "many"\)/, { ...env, WORKER_CONCURRENCY: "many" }],
      [["task", "hi"], /SANDBOX_ISOLATION: must be "auto".*or "none"/, { ...env, SANDBOX_ISOLATION: "off" }],
      [["task", "hi"], /DATABASE_URL: must be a postgres/, { ...env, DATABASE_URL: "mysql://x" }],
      [["task", "hi"], /SHUTDOWN_GRACE_SECONDS: must be a whole number \(got "soon"\)/, { ...env, SHUTDOWN_GRACE_SECONDS: "soon" }],
      [["task", "hi"], /TASK_RETRY_DELAY_SECONDS: must be at least 1/, { ...env, TASK_RETRY_DELAY_SECONDS: "0" }],
    ];
    const results = await Promise.all(cases.map(([args, , caseEnv]) => runCli(args, { env: caseEnv ?? env, cwd })));
    results.forEach((r, i) => {
      const [args, pattern] = cases[i]!;
      assert.equal(r.code, 2, `${args.join(" ").slice(0, 40)}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
      assert.equal(r.stdout, "");
    });
  });
});

test("a .env file in the working directory is loaded, and the environment wins over it", async () => {
  await withApi([{ text: "from dotenv" }], async (env, cwd) => {
    await writeFile(path.join(cwd, ".env"), `ANTHROPIC_API_KEY=from-file\nANTHROPIC_BASE_URL=${env["ANTHROPIC_BASE_URL"]}\nWORKER_CONCURRENCY=bad\n`);
    const bad = await runCli(["task", "hi"], { env: { ...env, ANTHROPIC_API_KEY: undefined, ANTHROPIC_BASE_URL: undefined }, cwd });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /WORKER_CONCURRENCY/);
    const ok = await runCli(["task", "hi"], { env: { ...env, ANTHROPIC_API_KEY: undefined, WORKER_CONCURRENCY: "2" }, cwd });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, "from dotenv\n");
  });
});
