// A task waiting for a decision lives in the database alone: every process can be killed with
// SIGKILL while it waits, and after a new worker starts, `deep-agent queue approve` continues it
// from its checkpoint: the call runs once and the task finishes once. `queue list` shows it
// waiting; `queue deny` gives the model a denial naming who denied it.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { startMessagesApi, lastToolResults, type MessagesApi, type Reply } from "../doubles/messages-api.ts";
import { databaseTargets, createTarget, type TestTarget } from "../helpers/test-database.ts";
import { workerEnv, startWorker, cli, type WorkerProcess } from "./processes.ts";
import { waitFor } from "../helpers/wait-for.ts";
import { getTask, turnOf, queuedId, taskTextOf } from "./scripted-tasks.ts";

for (const kind of databaseTargets()) {
  describe(`waiting through a restart on ${kind}`, () => {
    let api: MessagesApi;
    let target: TestTarget;
    const workers: WorkerProcess[] = [];
    let ranLog: string;

    before(async () => {
      target = await createTarget(kind);
      ranLog = path.join(target.dataDir, "ran.log");
      api = await startMessagesApi({
        script: (req): Reply => {
          const tag = /case-(\w+)/.exec(taskTextOf(req))?.[1] ?? "x";
          if (turnOf(req) === 1) return { toolCalls: [{ name: "execute", input: { command: `touch marker && echo ${tag} >> ${ranLog} && echo ran ${tag}` } }] };
          const result = lastToolResults(req)[0];
          return { text: `${result?.is_error ? "ERROR" : "OK"}: ${result?.content}` };
        },
      });
    });
    after(async () => {
      for (const w of workers) w.kill("SIGKILL");
      await api?.close();
      await target?.cleanup();
    });

    it("survives SIGKILL of every process while it waits; approved from the command line, it finishes once", { timeout: 180_000 }, async () => {
      const env = workerEnv(target, api.baseURL, { REQUIRE_APPROVAL: "execute:touch *", TASK_RETRY_DELAY_SECONDS: "1" });
      const first = startWorker(env);
      workers.push(first);
      await first.ready;
      const second = startWorker(env);
      workers.push(second);
      await second.ready;

      const added = await cli(["queue", "add", "case-restart"], env);
      assert.equal(added.code, 0, added.stderr);
      const id = queuedId(added.stdout);
      await waitFor("the task to wait for a decision", async () => (await getTask(target, id))?.status === "waiting");

      const list = await cli(["queue", "list"], env);
      assert.equal(list.code, 0, list.stderr);
      assert.match(list.stdout, new RegExp(`${id}\\s+waiting .*waiting for approval: execute: touch marker`));
      const json = JSON.parse((await cli(["queue", "list", "--json"], env)).stdout) as Array<{ id: string; status: string; waiting_for?: { kind: string; summary: string } }>;
      const entry = json.find((t) => t.id === id)!;
      assert.equal(entry.status, "waiting");
      assert.equal(entry.waiting_for?.kind, "tool");

      for (const w of [first, second]) w.kill("SIGKILL");
      await Promise.all([first.exited, second.exited]);

      const third = startWorker(env);
      workers.push(third);
      await third.ready;
      assert.equal((await getTask(target, id))!.status, "waiting", "still waiting after the restart");

      const approved = await cli(["queue", "approve", id.slice(0, 8)], env);
      assert.equal(approved.code, 0, approved.stderr);
      assert.match(approved.stdout, /approved: execute: touch marker/);
      const task = await waitFor(
        "the task to finish",
        async () => {
          const t = await getTask(target, id);
          return t && t.status !== "waiting" && t.status !== "queued" && t.status !== "running" ? t : null;
        },
        120_000,
      );
      assert.equal(task.status, "succeeded", task.failure?.detail ?? "");
      assert.match(task.result ?? "", /^OK: ran restart/);
      const mine = api.requests.filter((r) => taskTextOf(r).includes("case-restart"));
      assert.equal(mine.filter((r) => turnOf(r) === 1).length, 1, "turn 1 was not repeated");
      assert.equal(mine.filter((r) => turnOf(r) === 2).length, 1, "the task finished once");
      assert.deepEqual((await readFile(ranLog, "utf8")).trim().split("\n"), ["restart"], "the approved call ran once");

      const again = await cli(["queue", "approve", id], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /not waiting for a decision/);
      const unknown = await cli(["queue", "deny", "0000dead"], env);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /no task with id "0000dead"/);

      // Denied from the command line: the model is told who denied it, and the call never runs.
      const denied = queuedId((await cli(["queue", "add", "case-denied"], env)).stdout);
      await waitFor("the second task to wait", async () => (await getTask(target, denied))?.status === "waiting");
      const deny = await cli(["queue", "deny", denied], env);
      assert.equal(deny.code, 0, deny.stderr);
      const deniedTask = await waitFor(
        "the second task to finish",
        async () => {
          const t = await getTask(target, denied);
          return t?.status === "succeeded" || t?.status === "failed" ? t : null;
        },
        120_000,
      );
      assert.match(deniedTask.result ?? "", /^ERROR: Not run: .* on the command line denied it/);
      assert.deepEqual((await readFile(ranLog, "utf8")).trim().split("\n"), ["restart"], "the denied call never ran");

      third.kill("SIGTERM");
      assert.equal((await third.exited).code, 0, third.log());
    });
  });
}
