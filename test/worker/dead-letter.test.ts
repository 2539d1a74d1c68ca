// A task whose model calls keep failing is retried by the queue with backoff, then fails for
// good and lands in the dead-letter queue, with the reason on its record.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startMessagesApi, type MessagesApi } from "../doubles/messages-api.ts";
import { eachDatabase, createTarget, type TestTarget } from "../helpers/test-database.ts";
import { workerEnv, startWorker, cli, type WorkerProcess } from "./processes.ts";
import { waitFor } from "../helpers/wait-for.ts";
import { getTask, queuedId, deadLetterJobs } from "./scripted-tasks.ts";

eachDatabase((kind) => {
  describe(`retry and dead letter on ${kind}`, () => {
    let api: MessagesApi;
    let target: TestTarget;
    const workers: WorkerProcess[] = [];

    before(async () => {
      // Every call fails; retry-after-ms keeps the SDK's own retries quick.
      api = await startMessagesApi({ script: () => ({ status: 500, headers: { "retry-after-ms": "1" } }) });
      target = await createTarget(kind, { migrated: true });
    });
    after(async () => {
      for (const w of workers) w.kill("SIGKILL");
      await api?.close();
      await target?.cleanup();
    });

    it("retries, then records the failure and dead-letters the job", { timeout: 90_000 }, async () => {
      const env = workerEnv(target, api.baseURL, { TASK_RETRY_LIMIT: "1", TASK_RETRY_DELAY_SECONDS: "1" });
      const worker = startWorker(env);
      workers.push(worker);
      await worker.ready;
      const id = queuedId((await cli(["queue", "add", "call a broken model"], env)).stdout);

      const task = await waitFor(
        "the task to fail",
        async () => {
          const t = await getTask(target, id);
          return t?.status === "failed" ? t : null;
        },
        { timeoutMs: 60_000, intervalMs: 100, detail: worker.log },
      );
      assert.equal(task.failure?.code, "model_unavailable");
      assert.match(task.failure?.detail ?? "", /Claude API/);
      assert.equal(task.attempt, 2, "one retry after the first attempt");

      const dead = await waitFor("the dead-letter job", () => deadLetterJobs(target, id), { timeoutMs: 60_000, intervalMs: 100 });
      assert.equal(dead.length, 1);
      worker.kill("SIGTERM");
      assert.equal((await worker.exited).code, 0);
    });
  });
});
