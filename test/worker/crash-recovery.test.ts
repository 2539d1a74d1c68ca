// A worker killed with SIGKILL mid-task loses nothing: once its heartbeat goes quiet another
// worker takes the task, resumes from the last checkpointed turn (the model sees no turn before
// it again), and the result is recorded once.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startMessagesApi, lastToolResults, type MessagesApi, type Reply } from "../doubles/messages-api.ts";
import { eachDatabase, createTarget, type TestTarget } from "../helpers/test-database.ts";
import { workerEnv, startWorker, cli, type WorkerProcess } from "./processes.ts";
import { waitFor } from "../helpers/wait-for.ts";
import { getTask, turnOf, queuedId } from "./scripted-tasks.ts";

eachDatabase((kind) => {
  describe(`crash recovery on ${kind}`, () => {
    let api: MessagesApi;
    let target: TestTarget;
    const workers: WorkerProcess[] = [];
    let slowCalls = 0;

    before(async () => {
      // Turn 1 runs a quick command; turn 2 a long one the first time (the worker dies during
      // it) and a quick one when the task resumes; turn 3 answers.
      api = await startMessagesApi({
        script: (req): Reply => {
          const turn = turnOf(req);
          if (turn === 1) return { toolCalls: [{ name: "execute", input: { command: "echo one" } }] };
          if (turn === 2) {
            const command = slowCalls++ === 0 ? "sleep 20; echo two" : "echo two";
            return { toolCalls: [{ name: "execute", input: { command } }] };
          }
          return { text: `finished after ${lastToolResults(req)[0]?.content.split("\n")[0]}` };
        },
      });
      target = await createTarget(kind, { migrated: true });
    });
    after(async () => {
      for (const w of workers) w.kill("SIGKILL");
      await api?.close();
      await target?.cleanup();
    });

    it("resumes a killed worker's task from its checkpoint and finishes it once", { timeout: 120_000 }, async () => {
      const env = workerEnv(target, api.baseURL, { TASK_RETRY_DELAY_SECONDS: "1" });
      const first = startWorker(env);
      workers.push(first);
      await first.ready;
      const added = await cli(["queue", "add", "survive a crash"], env);
      assert.equal(added.code, 0, added.stderr);
      const id = queuedId(added.stdout);

      await waitFor("the long command to start", () => api.requests.length >= 2 && slowCalls === 1, { timeoutMs: 60_000, detail: first.log });
      await new Promise((r) => setTimeout(r, 300));
      first.kill("SIGKILL");
      await first.exited;

      const second = startWorker(env);
      workers.push(second);
      await second.ready;
      const task = await waitFor(
        "the task to finish",
        async () => {
          const t = await getTask(target, id);
          return t && (t.status === "succeeded" || t.status === "failed") ? t : null;
        },
        { timeoutMs: 90_000, intervalMs: 100, detail: second.log },
      );

      assert.equal(task.status, "succeeded", task.failure?.detail ?? "");
      assert.equal(task.result, "finished after two");
      assert.equal(task.attempt, 2, "the second worker's attempt recorded the result");
      const turns = api.requests.map(turnOf);
      assert.equal(turns.filter((t) => t === 1).length, 1, `turn 1 (before the checkpoint) was not repeated: ${turns}`);
      assert.equal(turns.filter((t) => t === 3).length, 1, "the final turn ran once");

      second.kill("SIGTERM");
      assert.equal((await second.exited).code, 0, second.log());
    });
  });
});
