// Waiting for a decision, in the database: the `waiting` state (fenced by attempt, never claimed
// by a stale job, open everywhere "open" matters: lists, counts, the sweep), the approval desk's
// first-decision-wins, the continuation job it queues in the same transaction, the armed timeout,
// and a request withdrawn when its task ended.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import type { PgBoss } from "pg-boss";
import { databaseTargets, createTarget, type TestTarget } from "../helpers/test-database.ts";
import { openDatabase } from "../../src/store/open-database.ts";
import { migrate } from "../../src/store/migrate.ts";
import { createTaskRepo, type Task } from "../../src/store/task-repo.ts";
import { createApprovalRepo } from "../../src/store/approval-repo.ts";
import { startBoss } from "../../src/queue/boss.ts";
import { APPROVAL_TIMEOUT_QUEUE, queuePolicy, TASK_QUEUE, type TaskJob } from "../../src/queue/queue-policy.ts";
import { createApprovalDesk, type ApprovalDesk } from "../../src/tasks/approvals.ts";
import { createApprovalPolicy } from "../../src/tasks/approval-policy.ts";
import { createTaskLifecycle } from "../../src/tasks/lifecycle.ts";
import { cliActor, slackActor } from "../../src/tasks/actor.ts";
import { loadConfig } from "../../src/config/env.ts";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";
import type { Database } from "../../src/store/database.ts";

const logger = pino({ level: "silent" });
const policy = queuePolicy({ TASK_TIMEOUT_SECONDS: 60, WORKER_CONCURRENCY: 2 });

for (const kind of databaseTargets()) {
  describe(`waiting for decisions on ${kind}`, () => {
    let target: TestTarget;
    let db: Database;
    let boss: PgBoss;
    let desk: ApprovalDesk;

    before(async () => {
      target = await createTarget(kind);
      db = await openDatabase(target.config, { role: "server" });
      await migrate(db);
      boss = await startBoss(db, policy, { supervise: false, logger });
      desk = createApprovalDesk({ db, boss, hooks: null, logger, policy: createApprovalPolicy(loadConfig({ APPROVAL_TIMEOUT_SECONDS: "3600" })) });
    });
    after(async () => {
      await boss?.stop({ graceful: false, close: true });
      await db?.close();
      await target?.cleanup();
    });

    /** A task running under attempt 1, as a worker holds it. */
    async function runningTask(extra: { channelId?: string; threadTs?: string; userId?: string } = {}): Promise<Task> {
      const repo = createTaskRepo(db);
      const { task } = await repo.insert({ text: "wait for me", source: "slack", userId: "U1", ...extra });
      return (await repo.claim(task.id, 1, "w1"))!;
    }

    const ask = (id: string) => ({
      id,
      kind: "tool" as const,
      summary: "execute: git push",
      input: { command: "git push" },
      tool: "execute",
      toolUseId: "toolu_1",
      rule: "execute:git push*",
    });

    it("waiting: fenced by attempt, never claimed, open for lists, counts and the sweep", async () => {
      const repo = createTaskRepo(db);
      const task = await runningTask({ channelId: "C1", threadTs: "1.1" });
      assert.equal(await repo.markWaiting(task.id, 2), null, "another attempt cannot make it wait");
      const waiting = (await repo.markWaiting(task.id, 1))!;
      assert.equal(waiting.status, "waiting");
      assert.equal(waiting.worker, null);
      assert.equal(await repo.claim(task.id, 2, "w2"), null, "a stale job cannot take a waiting task");
      assert.ok((await repo.listOpen()).some((t) => t.id === task.id && t.status === "waiting" && t.position === null));
      assert.equal((await repo.openCounts()).waiting >= 1, true);
      assert.equal(await repo.isOpen(task.id), true);
      assert.equal(await repo.threadHasOpenTask("C1", "1.1"), true);
      assert.equal(await repo.resumeWaiting(task.id, "job-x").then((t) => t?.status), "queued");
      assert.equal(await repo.resumeWaiting(task.id, "job-y"), null, "only a waiting task resumes");
    });

    it("the sweep keeps the sandbox a waiting task continues in, named after an earlier task", async () => {
      const repo = createTaskRepo(db);
      const dataDir = await mkdtemp(path.join(os.tmpdir(), "deep-agent-wait-sweep-"));
      const provider = new LocalSandboxProvider({ dataDir, isolation: "none", allowedDomains: [], logger });
      try {
        // An earlier task of the thread made the sandbox and finished; the follow-up continues in it and waits.
        const earlier = await runningTask({ channelId: "C2", threadTs: "2.2" });
        await repo.setSandbox(earlier.id, 1, earlier.id);
        await repo.finish(earlier.id, 1, {
          status: "succeeded",
          result: "",
          todos: [],
          usage: { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
          turns: 1,
        });
        const follow = await runningTask({ channelId: "C2", threadTs: "2.2" });
        await repo.setSandbox(follow.id, 1, earlier.id);
        await repo.markWaiting(follow.id, 1);
        const gone = await runningTask();
        await repo.settleUnowned(gone.id, "cancelled", { code: "cancelled", detail: "x", transient: false });
        for (const id of [earlier.id, gone.id]) {
          const box = await provider.create({ taskId: id });
          await box.close({ keep: true });
          const old = new Date(Date.now() - 48 * 3600_000);
          await utimes(path.join(dataDir, "sandboxes", id), old, old);
        }
        const removed = await provider.sweep({ isTaskActive: (id) => repo.isOpen(id), isConversationActive: async () => false });
        assert.equal(removed, 1);
        assert.deepEqual(await readdir(path.join(dataDir, "sandboxes")), [earlier.id]);
      } finally {
        await provider.dispose();
        await rm(dataDir, { recursive: true, force: true });
      }
    });

    it("wait records the request and arms its timeout; the first decision wins and queues one continuation", async () => {
      const task = await runningTask();
      const id = crypto.randomUUID();
      const approval = (await desk.wait(task, 1, ask(id)))!;
      assert.equal(approval.status, "pending");
      assert.equal(approval.asker, slackActor("U1"));
      assert.equal((await createTaskRepo(db).get(task.id))!.status, "waiting");
      const timeouts = await db.query<{ start_after: Date; data: { approvalId: string } }>(`SELECT start_after, data FROM pgboss.job WHERE name = $1`, [APPROVAL_TIMEOUT_QUEUE]);
      const armed = timeouts.rows.find((r) => (typeof r.data === "string" ? JSON.parse(r.data) : r.data).approvalId === id)!;
      const due = new Date(armed.start_after).getTime() - Date.now();
      assert.ok(due > 3500_000 && due <= 3600_000, `due in about an hour: ${due} ms`);
      assert.equal(await desk.wait(task, 1, ask(crypto.randomUUID())), null, "a task that no longer runs cannot wait again");

      const results = await Promise.all([desk.decide(id, "approved", cliActor("ann")), desk.decide(id, "denied", cliActor("bob")), desk.expire(id)]);
      assert.deepEqual(results.map((r) => r.outcome).sort(), ["already", "already", "decided"]);
      const stored = (await createApprovalRepo(db).get(id))!;
      const winner = results.find((r) => r.outcome === "decided")!;
      assert.equal(winner.outcome === "decided" && winner.approval.status, stored.status);
      const now = (await createTaskRepo(db).get(task.id))!;
      assert.equal(now.status, "queued");
      assert.ok(now.jobId);
      const jobs = await db.query<{ id: string; data: TaskJob | string }>(`SELECT id, data FROM pgboss.job WHERE name = $1`, [TASK_QUEUE]);
      const continuations = jobs.rows.map((r) => ({ id: r.id, data: typeof r.data === "string" ? (JSON.parse(r.data) as TaskJob) : r.data })).filter((j) => j.data.taskId === task.id);
      assert.deepEqual(continuations, [{ id: now.jobId, data: { taskId: task.id, attemptBase: 1, continued: true } }], "one continuation job, counting on from attempt 1");
    });

    it("a cancelled waiting task is settled at once and its request withdrawn", async () => {
      const task = await runningTask();
      const id = crypto.randomUUID();
      await desk.wait(task, 1, ask(id));
      const lifecycle = createTaskLifecycle({ db, boss, hooks: null, logger });
      try {
        const result = await lifecycle.cancel(task.id, cliActor("ann"));
        assert.equal(result.outcome, "cancelled");
        assert.equal((await createApprovalRepo(db).get(id))!.status, "withdrawn");
        const late = await desk.decide(id, "approved", cliActor("ann"));
        assert.equal(late.outcome, "already");
        assert.equal((await createTaskRepo(db).get(task.id))!.status, "cancelled", "a late decision changes nothing");
      } finally {
        lifecycle.close();
      }
      assert.deepEqual(await desk.decide("not-a-uuid'; DROP TABLE tasks; --", "approved", cliActor("x")), { outcome: "unknown" });
      assert.deepEqual(await desk.decide(crypto.randomUUID(), "approved", cliActor("x")), { outcome: "unknown" });
    });
  });
}
