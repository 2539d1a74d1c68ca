// Tasks that used to burn every retry, run by a real worker process:
//   - a command that prints a NUL byte (Postgres refuses it in text and jsonb): now stored as ␀,
//     and the task succeeds on its first attempt;
//   - a task that fails the same internal way on every attempt (here: the database refuses its
//     checkpoints): dead-lettered after the second attempt instead of after all of them.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startMessagesApi, lastToolResults, type MessagesApi, type RecordedRequest, type Reply } from "../doubles/messages-api.ts";
import { eachDatabase, createTarget, type TestTarget } from "../helpers/test-database.ts";
import { workerEnv, startWorker, cli, type WorkerProcess } from "./processes.ts";
import { waitFor } from "../helpers/wait-for.ts";
import { getTask, withDb, queuedId, taskTextOf, deadLetterJobs } from "./scripted-tasks.ts";

function script(req: RecordedRequest): Reply {
  const text = taskTextOf(req);
  const results = lastToolResults(req);
  if (text.includes("print a NUL")) {
    if (results.length === 0) return { toolCalls: [{ name: "execute", input: { command: "printf 'before\\0after'" } }] };
    return { text: `the command printed: ${results[0]!.content}` };
  }
  if (results.length === 0) return { toolCalls: [{ name: "execute", input: { command: "true" } }] };
  return { text: "done" };
}

eachDatabase((kind) => {
  describe(`hostile tasks on ${kind}`, () => {
    let api: MessagesApi;
    let target: TestTarget;
    let worker: WorkerProcess;
    let env: NodeJS.ProcessEnv;

    before(async () => {
      api = await startMessagesApi({ script });
      target = await createTarget(kind, { migrated: true });
      env = workerEnv(target, api.baseURL, { TASK_RETRY_LIMIT: "4", TASK_RETRY_DELAY_SECONDS: "1" });
      worker = startWorker(env);
      await worker.ready;
    });
    after(async () => {
      worker?.kill("SIGKILL");
      await api?.close();
      await target?.cleanup();
    });

    it("a command printing a NUL byte succeeds at once, the NUL shown as ␀", { timeout: 60_000 }, async () => {
      const id = queuedId((await cli(["queue", "add", "print a NUL"], env)).stdout);
      const task = await waitFor("the task to finish", async () => {
        const t = await getTask(target, id);
        return t && t.status !== "queued" && t.status !== "running" ? t : null;
      });
      assert.equal(task.status, "succeeded", task.failure?.detail);
      assert.equal(task.attempt, 1);
      assert.match(task.result ?? "", /the command printed: before␀after/);
      assert.match(task.result ?? "", /1 NUL byte shown as ␀/);
    });

    it("a task failing the same internal way twice is dead-lettered, not retried four times", { timeout: 90_000 }, async () => {
      await withDb(target, (db) =>
        db.query(`
          CREATE FUNCTION refuse_poison_checkpoints() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF (SELECT text FROM tasks WHERE id = NEW.task_id) = 'poison me' THEN RAISE EXCEPTION 'no space left on device'; END IF;
            RETURN NEW;
          END $$;
          CREATE TRIGGER refuse_poison_checkpoints BEFORE INSERT OR UPDATE ON task_checkpoints
            FOR EACH ROW EXECUTE FUNCTION refuse_poison_checkpoints();`),
      );
      const id = queuedId((await cli(["queue", "add", "poison me"], env)).stdout);
      const task = await waitFor("the task to fail", async () => {
        const t = await getTask(target, id);
        return t?.status === "failed" ? t : null;
      });
      assert.equal(task.failure?.code, "internal");
      assert.match(task.failure?.detail ?? "", /no space left on device/);
      assert.equal(task.attempt, 2, "the second identical failure ends it");
      const dead = await waitFor("the dead-letter job", () => deadLetterJobs(target, id));
      assert.equal(dead.length, 1);
    });
  });
});
