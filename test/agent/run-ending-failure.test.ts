// A sandbox that cannot run any command (its isolation cannot start, or its directories cannot be
// made) ends the run as a failed
// outcome with that failure: the model is not told and asked again, as it is of a failing tool.
// Real parts throughout: a child process whose bubblewrap may not create namespaces, the real
// engine and SDK, the scripted Messages API on loopback.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { pathWithForbiddenBwrap } from "../doubles/forbidden-bwrap.ts";
import { startMessagesApi, type Reply } from "../doubles/messages-api.ts";
import { moduleUrl, runModule } from "../helpers/run-module.ts";

interface RunReport {
  status: string;
  failure?: { code: string; detail: string };
  /** tool_finished events as [name, ok], and the run's own "finished" event as ["(run)", false], in order. */
  finished: [string, boolean][];
}

/** Runs one task in a child process on PATH `dir`, against the double at `baseURL`. */
async function runTask(dir: string, baseURL: string, dataDir: string): Promise<RunReport> {
  const code = `
    import { runAgent } from ${moduleUrl("../../src/agent/engine.ts", import.meta.url)};
    import { createModelSettings } from ${moduleUrl("../../src/runtime/model-client.ts", import.meta.url)};
    import { LocalSandboxProvider } from ${moduleUrl("../../src/sandbox/local/local-provider.ts", import.meta.url)};
    import pino from ${JSON.stringify(import.meta.resolve("pino"))};
    const provider = new LocalSandboxProvider({ dataDir: ${JSON.stringify(dataDir)}, isolation: "auto", allowedDomains: [], logger: pino({ level: "silent" }) });
    const sandbox = await provider.create({ taskId: "t1" });
    const model = createModelSettings(
      { ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: ${JSON.stringify(baseURL)}, AGENT_MODEL: "claude-test" },
      { sdkRetries: 0, streamRetries: 0, retryBaseMs: 10 },
    );
    const finished = [];
    const sink = { emit: (e) => {
      if (e.type === "tool_finished") finished.push([e.name, e.ok]);
      if (e.type === "finished" && e.agent === "main") finished.push(["(run)", false]);
    } };
    const limits = { maxTurns: 10, timeoutMs: 60000, maxToolResultChars: 30000, contextWindowTokens: 200000, maxOutputTokens: 4096 };
    const outcome = await runAgent({ taskId: "t1", prompt: "count the files", sandbox, model, sink, limits });
    await sandbox.close();
    await provider.close();
    console.log(JSON.stringify({ status: outcome.status, failure: outcome.failure, finished }));
  `;
  const r = await runModule(code, { PATH: dir, HOME: os.tmpdir() });
  // An unhandled rejection would end the child with a non-zero code.
  assert.equal(r.code, 0, r.stderr);
  return r.out as RunReport;
}

async function withTask(script: Reply[], check: (report: RunReport, modelCalls: number) => void, prepare?: (dataDir: string) => Promise<void>): Promise<void> {
  const fake = await pathWithForbiddenBwrap();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "run-ending-"));
  await prepare?.(dataDir);
  const api = await startMessagesApi({ script: [...script, { text: "I could not run anything." }] });
  try {
    check(await runTask(fake.dir, api.baseURL, dataDir), api.requests.length);
  } finally {
    await api.close();
    await fake.remove();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

function assertIsolationFailure(report: RunReport): void {
  assert.equal(report.status, "failed", JSON.stringify(report));
  assert.equal(report.failure?.code, "isolation_unavailable", JSON.stringify(report));
  assert.match(report.failure!.detail, /kernel\.unprivileged_userns_clone=1/);
  assert.match(report.failure!.detail, /SANDBOX_ISOLATION=none/);
}

test("a command that cannot be isolated ends the run as failed with isolation_unavailable; the model is not asked again", async () => {
  await withTask([{ toolCalls: [{ name: "execute", input: { command: "ls | wc -l" } }] }], (report, modelCalls) => {
    assertIsolationFailure(report);
    assert.equal(modelCalls, 1, "the failure was sent back to the model");
    assert.deepEqual(report.finished, [
      ["execute", false],
      ["(run)", false],
    ]);
  });
});

test("the other calls of that turn end before the run does, and nothing is left to fail unhandled", async () => {
  const calls = [
    { name: "execute", input: { command: "ls" } },
    { name: "write_file", input: { file_path: "notes.txt", content: "x" } },
    { name: "grep", input: { pattern: "x" } },
    { name: "execute", input: { command: "pwd" } },
  ];
  await withTask([{ toolCalls: calls }], (report, modelCalls) => {
    assertIsolationFailure(report);
    assert.equal(modelCalls, 1);
    assert.deepEqual(report.finished.at(-1), ["(run)", false], "the run finished last");
    assert.deepEqual(
      report.finished
        .slice(0, -1)
        .map(([name]) => name)
        .sort(),
      ["execute", "execute", "grep", "write_file"],
    );
    assert.ok(
      report.finished.some(([name, ok]) => name === "write_file" && ok),
      "a call that needs no command still ran",
    );
  });
});

test("a sub-agent's command that cannot be isolated ends the whole run, not just the sub-agent", async () => {
  const script: Reply[] = [{ toolCalls: [{ name: "task", input: { description: "count the files" } }] }, { toolCalls: [{ name: "execute", input: { command: "ls | wc -l" } }] }];
  await withTask(script, (report, modelCalls) => {
    assertIsolationFailure(report);
    assert.equal(modelCalls, 2, "one call of the main agent, one of the sub-agent");
  });
});

test("a sandbox whose directories cannot be made ends the run as failed with sandbox_unavailable at its first command", async () => {
  await withTask(
    [{ toolCalls: [{ name: "execute", input: { command: "ls" } }] }],
    (report, modelCalls) => {
      assert.equal(report.status, "failed", JSON.stringify(report));
      assert.equal(report.failure?.code, "sandbox_unavailable", JSON.stringify(report));
      assert.match(report.failure!.detail, /Could not create the sandbox directories/);
      assert.equal(modelCalls, 1, "the failure was sent back to the model");
    },
    // A file where the sandboxes' directory should be.
    (dataDir) => fs.writeFile(path.join(dataDir, "sandboxes"), "not a directory"),
  );
});
