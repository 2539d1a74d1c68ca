// SIGTERM drains a worker: it takes no new task, a task that ends within the grace period ends
// normally, and one that does not is stopped at its turn, given back to the queue, and resumed
// by the next worker from its checkpoint.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startMessagesApi, lastToolResults, type MessagesApi, type Reply } from "../doubles/messages-api.ts";
import { eachDatabase, createTarget, type TestTarget } from "../helpers/test-database.ts";
import { workerEnv, startWorker, cli, type WorkerProcess } from "./processes.ts";
import { waitFor } from "../helpers/wait-for.ts";
import { getTask, taskTextOf, turnOf, queuedId } from "./scripted-tasks.ts";

eachDatabase((kind) => {
  describe(`SIGTERM drain on ${kind}`, () => {
    let api: MessagesApi;
    let target: TestTarget;
    const workers: WorkerProcess[] = [];
    const longStarts = new Map<string, number>();

    before(async () => {
      // "short": one 1 s command. "long": turn 1 quick, turn 2 a 30 s command the first time.
      api = await startMessagesApi({
        script: (req): Reply => {
          const text = taskTextOf(req);
          const turn = turnOf(req);
          if (lastToolResults(req).length > 0 && (text === "short" || turn >= 3)) return { text: `${text} done` };
          if (text === "short") return { toolCalls: [{ name: "execute", input: { command: "sleep 1" } }] };
          if (turn === 1) return { toolCalls: [{ name: "execute", input: { command: "echo step one" } }] };
          const n = (longStarts.get(text) ?? 0) + 1;
          longStarts.set(text, n);
          return { toolCalls: [{ name: "execute", input: { command: n === 1 ? "sleep 30" : "echo step two" } }] };
        },
      });
      target = await createTarget(kind, { migrated: true });
    });
    after(async () => {
      for (const w of workers) w.kill("SIGKILL");
      await api?.close();
      await target?.cleanup();
    });

    it("finishes short tasks, releases long ones, and the next worker resumes them", { timeout: 120_000 }, async () => {
      const env = workerEnv(target, api.baseURL, { SHUTDOWN_GRACE_SECONDS: "3" });
      const first = startWorker(env);
      workers.push(first);
      await first.ready;
      const long = queuedId((await cli(["queue", "add", "long"], env)).stdout);
      await waitFor("the long command to start", () => longStarts.get("long") === 1, { timeoutMs: 60_000, detail: first.log });
      const short = queuedId((await cli(["queue", "add", "short"], env)).stdout);
      await waitFor("the short command to start", () => api.requests.some((r) => taskTextOf(r) === "short"), { timeoutMs: 60_000, detail: first.log });

      first.kill("SIGTERM");
      const exit = await first.exited;
      assert.equal(exit.code, 0, first.log());
      assert.match(first.log(), /releasing running tasks/);

      const shortTask = await getTask(target, short);
      assert.equal(shortTask?.status, "succeeded", "the short task finished within the grace period");
      const released = await getTask(target, long);
      assert.equal(released?.status, "queued", "the long task went back to the queue");

      const second = startWorker(env);
      workers.push(second);
      await second.ready;
      const done = await waitFor(
        "the released task to finish",
        async () => {
          const t = await getTask(target, long);
          return t && t.status !== "queued" && t.status !== "running" ? t : null;
        },
        { timeoutMs: 60_000, intervalMs: 100, detail: second.log },
      );
      assert.equal(done.status, "succeeded", done.failure?.detail ?? "");
      assert.equal(done.result, "long done");
      const longTurns = api.requests.filter((r) => taskTextOf(r) === "long").map(turnOf);
      assert.equal(longTurns.filter((t) => t === 1).length, 1, `turn 1 was not repeated: ${longTurns}`);
      second.kill("SIGTERM");
      assert.equal((await second.exited).code, 0);
    });
  });
});
