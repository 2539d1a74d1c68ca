// `queue cancel` from another process stops a task running in a worker within seconds and
// kills its command.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startMessagesApi, type MessagesApi } from "../doubles/messages-api.ts";
import { eachDatabase, createTarget, type TestTarget } from "../helpers/test-database.ts";
import { workerEnv, startWorker, cli, type WorkerProcess } from "./processes.ts";
import { waitFor } from "../helpers/wait-for.ts";
import { getTask, queuedId } from "./scripted-tasks.ts";
import { isAlive } from "../../src/store/embedded/owner-lock.ts";

eachDatabase((kind) => {
  describe(`cancel across processes on ${kind}`, () => {
    let api: MessagesApi;
    let target: TestTarget;
    let scratch: string;
    const workers: WorkerProcess[] = [];

    before(async () => {
      scratch = await mkdtemp(path.join(os.tmpdir(), "da-cancel-"));
      // The command records its pid, then runs far longer than the test.
      api = await startMessagesApi({
        script: [{ toolCalls: [{ name: "execute", input: { command: `echo $$ > ${scratch}/pid; exec sleep 120` } }] }, { text: "should not get here" }],
      });
      target = await createTarget(kind, { migrated: true });
    });
    after(async () => {
      for (const w of workers) w.kill("SIGKILL");
      await api?.close();
      await target?.cleanup();
      await rm(scratch, { recursive: true, force: true });
    });

    it("stops the running task and kills its command", { timeout: 90_000 }, async () => {
      const env = workerEnv(target, api.baseURL);
      const worker = startWorker(env);
      workers.push(worker);
      await worker.ready;
      const id = queuedId((await cli(["queue", "add", "run forever"], env)).stdout);
      const pid = await waitFor("the command to start", async () => Number((await readFile(`${scratch}/pid`, "utf8").catch(() => "")).trim()) || null, {
        timeoutMs: 60_000,
        detail: worker.log,
      });
      assert.equal(isAlive(pid), true);

      const cancelled = await cli(["queue", "cancel", id], env);
      assert.equal(cancelled.code, 0, cancelled.stderr);
      assert.match(cancelled.stdout, /cancelled/);
      const task = await getTask(target, id);
      assert.equal(task?.status, "cancelled");
      await waitFor("the command to be killed", () => !isAlive(pid), { timeoutMs: 15_000, detail: worker.log });
      assert.match(worker.log(), /"status":"cancelled"/, "the worker itself saw the cancel and recorded it");
      assert.equal(api.requests.length, 1, "the model was not called again after the cancel");

      const again = await cli(["queue", "cancel", id], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already cancelled/);
      worker.kill("SIGTERM");
      assert.equal((await worker.exited).code, 0);
    });
  });
});
