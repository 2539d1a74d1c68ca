// The database layer on each target: migrations, the task record's attempt fence (a result is
// recorded once), checkpoints, the Slack event ledger, and enqueueing with its depth limit.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { pino } from "pino";
import { eachDatabase, createTarget, type TestTarget } from "../helpers/test-database.ts";
import { openDatabase } from "../../src/store/open-database.ts";
import { migrate, pendingMigrations, loadMigrations } from "../../src/store/migrate.ts";
import { createTaskRepo, type Task } from "../../src/store/task-repo.ts";
import { createCheckpointStore } from "../../src/store/checkpoint-repo.ts";
import { startBoss } from "../../src/queue/boss.ts";
import { queuePolicy, TASK_QUEUE } from "../../src/queue/queue-policy.ts";
import { createTaskQueue } from "../../src/queue/task-queue.ts";
import { createTaskLifecycle } from "../../src/tasks/lifecycle.ts";
import { cliActor } from "../../src/tasks/actor.ts";
import { emptyUsage } from "../../src/agent/events.ts";
import type { Database } from "../../src/store/database.ts";
import type { PgBoss } from "pg-boss";

const logger = pino({ level: "silent" });
const policy = queuePolicy({ TASK_TIMEOUT_SECONDS: 60, WORKER_CONCURRENCY: 2 });

eachDatabase((kind) => {
  describe(`store on ${kind}`, () => {
    let target: TestTarget;
    let db: Database;
    let boss: PgBoss;

    before(async () => {
      target = await createTarget(kind);
      db = await openDatabase(target.config, { role: "server" });
      await migrate(db);
      boss = await startBoss(db, policy, { supervise: false, logger });
    });
    after(async () => {
      await boss?.stop({ graceful: false, close: true });
      await db?.close();
      await target?.cleanup();
    });

    it("applies each migration once and then reports nothing pending", async () => {
      assert.deepEqual(await migrate(db), []);
      assert.deepEqual(await pendingMigrations(db), []);
      const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM deep_agent_migrations");
      assert.equal(rows[0]!.n, loadMigrations().length);
    });

    it("records a task's outcome only for the attempt that holds it, and only once", async () => {
      const tasks = createTaskRepo(db);
      const { task } = await tasks.insert({ text: "fence me", source: "cli" });
      assert.ok(await tasks.claim(task.id, 1, "w1"));
      // Attempt 1 is presumed dead and attempt 2 takes over.
      assert.ok(await tasks.claim(task.id, 2, "w2"));
      assert.equal(await tasks.claim(task.id, 1, "w1"), null, "an older attempt cannot reclaim");
      const finish = { status: "succeeded" as const, result: "r", todos: [], usage: emptyUsage(), turns: 1 };
      assert.equal(await tasks.finish(task.id, 1, finish), null, "the stale attempt's result is refused");
      const done = await tasks.finish(task.id, 2, finish);
      assert.equal(done?.status, "succeeded");
      assert.equal(await tasks.finish(task.id, 2, { ...finish, result: "again" }), null, "a second result is refused");
      assert.equal((await tasks.get(task.id))?.result, "r");
      assert.equal(await tasks.claim(task.id, 3, "w3"), null, "a finished task is not run again");
    });

    it("keeps the last checkpoint and refuses saves from an attempt that lost the task", async () => {
      const tasks = createTaskRepo(db);
      const { task } = await tasks.insert({ text: "checkpoint me", source: "cli" });
      await tasks.claim(task.id, 1, "w1");
      const first = createCheckpointStore(db, task.id, 1);
      assert.equal(await first.load(), null);
      await first.save({ turn: 1, messages: [{ role: "user", content: "hi" }], todos: [], usage: emptyUsage() });
      await tasks.claim(task.id, 2, "w2");
      await assert.rejects(first.save({ turn: 2, messages: [], todos: [], usage: emptyUsage() }), { code: "claim_lost" });
      const second = createCheckpointStore(db, task.id, 2);
      const loaded = await second.load();
      assert.equal(loaded?.turn, 1);
      assert.deepEqual(loaded?.messages, [{ role: "user", content: "hi" }]);
      await second.save({
        turn: 2,
        messages: [
          { role: "user", content: "hi" },
          { role: "assistant", content: "yo" },
        ],
        todos: [{ content: "a", status: "completed" }],
        usage: emptyUsage(),
      });
      assert.equal((await second.load())?.turn, 2);
    });

    it("makes one task and one job per dedupe key", async () => {
      const queue = createTaskQueue(db, boss, { maxQueueDepth: 100 });
      const a = await queue.enqueue({ text: "once", source: "slack", dedupeKey: "slack:Ev1", teamId: "T1" });
      const b = await queue.enqueue({ text: "once", source: "slack", dedupeKey: "slack:Ev1", teamId: "T1" });
      assert.equal(a.created, true);
      assert.equal(b.created, false);
      assert.equal(a.task.id, b.task.id);
      const jobs = await boss.findJobs(TASK_QUEUE, { id: a.task.id });
      assert.equal(jobs.length, 1);
      assert.deepEqual(jobs[0]!.data, { taskId: a.task.id });
    });

    it("refuses to enqueue past the depth limit and leaves the queue as it was", async () => {
      const tasks = createTaskRepo(db);
      const depth = await tasks.queuedCount();
      const queue = createTaskQueue(db, boss, { maxQueueDepth: depth + 1 });
      const ok = await queue.enqueue({ text: "fits", source: "cli" });
      assert.equal(ok.position, depth + 1);
      await assert.rejects(queue.enqueue({ text: "too many", source: "cli" }), { code: "queue_full" });
      assert.equal(await tasks.queuedCount(), depth + 1);
      const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM tasks WHERE text = 'too many'");
      assert.equal(rows[0]!.n, 0);
    });

    it("holds one person to MAX_TASKS_PER_USER when their requests arrive at the same moment; others and the unlimited are not held", async () => {
      const queue = createTaskQueue(db, boss, { maxQueueDepth: 1000 });
      // Six requests from one person at once: the check and the insert are one step under the lock.
      const settled = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => queue.enqueue({ text: `burst ${i}`, source: "slack", userId: "U-burst", dedupeKey: `slack:C1:burst-${i}` }, { maxOpenOfAsker: 2 })),
      );
      assert.equal(settled.filter((r) => r.status === "fulfilled").length, 2);
      for (const r of settled.filter((r) => r.status === "rejected")) {
        assert.equal((r.reason as { code?: string }).code, "too_many_tasks");
        assert.match(String((r.reason as Error).message), /2 open tasks \(MAX_TASKS_PER_USER=2\)/);
      }
      const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM tasks WHERE user_id = 'U-burst'");
      assert.equal(rows[0]!.n, 2, "only the two that passed were stored");
      // Another person is not counted against this one; without a limit (an admin) nobody is held.
      await queue.enqueue({ text: "colleague", source: "slack", userId: "U-other", dedupeKey: "slack:C1:other" }, { maxOpenOfAsker: 2 });
      await queue.enqueue({ text: "admin", source: "slack", userId: "U-burst", dedupeKey: "slack:C1:admin" });
      // A redelivered request is still answered with its task.
      const first = settled.find((r) => r.status === "fulfilled")!;
      assert.equal(first.status, "fulfilled");
      const again = await queue.enqueue({ text: first.value.task.text, source: "slack", userId: "U-burst", dedupeKey: first.value.task.dedupeKey! }, { maxOpenOfAsker: 2 });
      assert.equal(again.created, false);
      assert.equal(again.task.id, first.value.task.id);
    });

    it("answers a redelivered request with its task even when the queue is full", async () => {
      const tasks = createTaskRepo(db);
      const depth = await tasks.queuedCount();
      const queue = createTaskQueue(db, boss, { maxQueueDepth: depth + 1 });
      const first = await queue.enqueue({ text: "asked once", source: "slack", dedupeKey: "slack:C1:full-1" });
      await assert.rejects(queue.enqueue({ text: "another", source: "slack", dedupeKey: "slack:C1:full-2" }), { code: "queue_full" });
      const again = await queue.enqueue({ text: "asked once", source: "slack", dedupeKey: "slack:C1:full-1" });
      assert.equal(again.created, false);
      assert.equal(again.task.id, first.task.id);
      assert.equal(again.position, first.position);
      assert.equal(await tasks.queuedCount(), depth + 1);
    });

    it("answers with the task another writer made under the same dedupe key while the enqueue waited on it", {
      skip: kind === "pglite" ? "the embedded database runs one transaction at a time: no other writer can hold the key" : false,
    }, async () => {
      const queue = createTaskQueue(db, boss, { maxQueueDepth: 1000 });
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      let inserted = () => {};
      const isInserted = new Promise<void>((resolve) => (inserted = resolve));
      // A schedule's run is recorded outside the enqueue lock: its uncommitted row holds the key.
      const other = db.transaction(async (tx) => {
        const made = await createTaskRepo(tx).insert({ text: "made elsewhere", source: "schedule", dedupeKey: "schedule:race" });
        inserted();
        await released;
        return made.task;
      });
      await isInserted;
      const enqueued = queue.enqueue({ text: "asked here", source: "schedule", dedupeKey: "schedule:race" });
      await new Promise((resolve) => setTimeout(resolve, 100));
      release();
      const [task, answer] = await Promise.all([other, enqueued]);
      assert.equal(answer.created, false);
      assert.equal(answer.task.id, task.id);
      assert.equal(answer.task.text, "made elsewhere");
      assert.equal((await boss.findJobs(TASK_QUEUE, { id: task.id })).length, 0, "no job for a task this enqueue did not make");
    });

    it("cancels a queued task so it never starts, and announces it exactly once", async () => {
      const queue = createTaskQueue(db, boss, { maxQueueDepth: 100 });
      const announced: string[] = [];
      const hooks = { open: async () => null, finished: async (t: Task) => void announced.push(`${t.id}:${t.status}`) };
      const lifecycle = createTaskLifecycle({ db, boss, hooks, logger: pino({ level: "silent" }) });
      const { task } = await queue.enqueue({ text: "never mind", source: "cli" });
      const result = await lifecycle.cancel(task.id.slice(0, 8), cliActor("tester"));
      assert.equal(result.outcome, "cancelled");
      assert.equal(result.task.status, "cancelled");
      assert.equal(result.task.cancelledBy, "cli:tester");
      assert.deepEqual(result.task.failure, { code: "cancelled", detail: "cancelled by tester on the command line", transient: false });
      assert.equal((await lifecycle.cancel(task.id, cliActor("again"))).outcome, "already_finished");
      assert.deepEqual(announced, [`${task.id}:cancelled`]);
      const [job] = await boss.findJobs(TASK_QUEUE, { id: task.id });
      assert.equal(job?.state, "cancelled");
      assert.equal(
        (await queue.list()).some((t) => t.id === task.id),
        false,
      );
    });
  });
});
