// The HTTP server of a running worker: liveness, readiness, and Prometheus metrics that move
// when a task runs.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startMessagesApi, lastToolResults, type MessagesApi } from "../doubles/messages-api.ts";
import { createTarget, type TestTarget } from "../helpers/test-database.ts";
import { workerEnv, startWorker, cli, type WorkerProcess } from "./processes.ts";
import { waitFor } from "../helpers/wait-for.ts";
import { getTask, queuedId } from "./scripted-tasks.ts";

describe("worker HTTP server", () => {
  let api: MessagesApi;
  let target: TestTarget;
  let worker: WorkerProcess | undefined;

  before(async () => {
    api = await startMessagesApi({ script: (req) => (lastToolResults(req).length ? { text: "ok" } : { toolCalls: [{ name: "execute", input: { command: "true" } }] }) });
    target = await createTarget(process.env["TEST_DATABASE_URL"] ? "postgres" : "pglite", { migrated: true });
  });
  after(async () => {
    worker?.kill("SIGKILL");
    await api?.close();
    await target?.cleanup();
  });

  it("answers /healthz, /readyz and /metrics", { timeout: 90_000 }, async () => {
    const env = workerEnv(target, api.baseURL);
    worker = startWorker(env);
    await worker.ready;
    const port = Number(/"port":(\d+),"msg":"http server listening"/.exec(worker.log())?.[1]);
    assert.ok(port > 0, worker.log());
    const base = `http://127.0.0.1:${port}`;

    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { database: { migrated: boolean } }).database.migrated, true);
    assert.equal((await fetch(`${base}/nope`)).status, 404);

    const id = queuedId((await cli(["queue", "add", "measure me"], env)).stdout);
    await waitFor("the task", async () => (await getTask(target, id))?.status === "succeeded", { timeoutMs: 60_000, intervalMs: 100, detail: () => worker!.log() });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /deep_agent_tasks_finished_total\{status="succeeded"\} 1/);
    assert.match(metrics, /deep_agent_task_duration_seconds_count\{status="succeeded"\} 1/);
    assert.match(metrics, /deep_agent_pickup_latency_seconds_count 1/);
    assert.match(metrics, /deep_agent_sandbox_create_seconds_count\{provider="local"\} 1/);
    assert.match(metrics, /deep_agent_model_calls_total 2/);
    assert.match(metrics, /deep_agent_model_tokens_total\{kind="output"\} [1-9]/);
    assert.match(metrics, /deep_agent_tool_calls_total\{tool="execute",outcome="ok"\} 1/);
    assert.match(metrics, /deep_agent_queue_depth\{state="queued"\} 0/);
    worker.kill("SIGTERM");
    assert.equal((await worker.exited).code, 0);
  });
});
