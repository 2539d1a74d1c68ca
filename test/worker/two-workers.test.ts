// Two real worker processes drain one queue: every task runs exactly once and its result is
// recorded. (On the embedded database the second worker reaches it through the first.)
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startMessagesApi, lastToolResults, type MessagesApi } from "../doubles/messages-api.ts";
import { eachDatabase, createTarget, type TestTarget } from "../helpers/test-database.ts";
import { workerEnv, startWorker, cli, type WorkerProcess } from "./processes.ts";
import { waitFor } from "../helpers/wait-for.ts";
import { withDb, taskTextOf, turnOf, queuedId } from "./scripted-tasks.ts";
import { createTaskRepo } from "../../src/store/task-repo.ts";

const TASKS = 24;
/** `queue add` processes running at once. */
const ADDERS = 4;

eachDatabase((kind) => {
  describe(`two workers on ${kind}`, () => {
    let api: MessagesApi;
    let target: TestTarget;
    const workers: WorkerProcess[] = [];

    before(async () => {
      // Each task runs one command that names its task, then answers.
      api = await startMessagesApi({
        script: (req) =>
          lastToolResults(req).length > 0
            ? { text: `done: ${lastToolResults(req)[0]!.content.split("\n")[0]}` }
            : { toolCalls: [{ name: "execute", input: { command: `echo ran ${taskTextOf(req)}` } }] },
      });
      target = await createTarget(kind, { migrated: true });
    });
    after(async () => {
      for (const w of workers) w.kill("SIGKILL");
      await api?.close();
      await target?.cleanup();
    });

    it("runs each of many tasks exactly once", { timeout: 180_000 }, async () => {
      const env = workerEnv(target, api.baseURL);
      workers.push(startWorker(env));
      await workers[0]!.ready;
      workers.push(startWorker(env));
      await workers[1]!.ready;

      // Added by several `queue add` processes at a time, as several producers would.
      const ids = new Map<string, string>();
      const texts = Array.from({ length: TASKS }, (_, i) => `task-${i}`);
      await Promise.all(
        Array.from({ length: ADDERS }, async () => {
          for (let text = texts.shift(); text !== undefined; text = texts.shift()) {
            const added = await cli(["queue", "add", text], env);
            assert.equal(added.code, 0, added.stderr);
            ids.set(queuedId(added.stdout), text);
          }
        }),
      );
      assert.equal(ids.size, TASKS);

      const finished = await waitFor(
        "all tasks to finish",
        () =>
          withDb(target, async (db) => {
            const tasks = await Promise.all([...ids.keys()].map((id) => createTaskRepo(db).get(id)));
            return tasks.every((t) => t && t.status !== "queued" && t.status !== "running") ? tasks : null;
          }),
        { timeoutMs: 150_000, intervalMs: 100, detail: () => workers.map((w) => w.log()).join("\n---\n") },
      );
      for (const task of finished) {
        assert.equal(task!.status, "succeeded", `${task!.text}: ${task!.failure?.detail}`);
        assert.equal(task!.result, `done: ran ${task!.text}`);
        assert.equal(task!.attempt, 1);
      }
      // Exactly once: one first turn and one second turn per task, nothing more.
      for (const text of ids.values()) {
        const mine = api.requests.filter((r) => taskTextOf(r) === text);
        assert.deepEqual(mine.map(turnOf).sort(), [1, 2], `${text} made ${mine.length} model calls`);
      }
      const list = await cli(["queue", "list", "--json"], env);
      assert.deepEqual(JSON.parse(list.stdout), []);

      for (const w of workers) w.kill("SIGTERM");
      for (const w of workers) assert.equal((await w.exited).code, 0, w.log());
    });
  });
});
