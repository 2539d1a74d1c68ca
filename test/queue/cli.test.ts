// The queue commands as a user runs them: add/list/cancel, the depth limit, bad input (exit 2,
// nothing changed), health, and two `migrate` processes racing on a fresh database.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { eachDatabase, createTarget, type TestTarget } from "../helpers/test-database.ts";
import { cleanEnv } from "../helpers/run-cli.ts";
import { cli } from "../worker/processes.ts";
import { withDb } from "../worker/scripted-tasks.ts";
import { loadMigrations } from "../../src/store/migrate.ts";

eachDatabase((kind) => {
  // The migration race has a database of its own and runs beside the queue's tests.
  describe(`queue commands on ${kind}`, { concurrency: true }, () => {
    it("migrates once when two processes race on a fresh database", { timeout: 120_000 }, async (t) => {
      // Empty DATA_DIR: the first process also initialises the embedded database.
      const target = await createTarget(kind, { fresh: true });
      t.after(() => target.cleanup());
      const env = cleanEnv({ ...target.env, LOG_LEVEL: "warn" });
      const [a, b] = await Promise.all([cli(["migrate"], env), cli(["migrate"], env)]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      const applied = [a.stdout, b.stdout].filter((out) => out.includes("applied"));
      assert.equal(applied.length, 1, `exactly one process applied the migrations:\n${a.stdout}\n${b.stdout}`);
      const rows = await withDb(target, async (db) => (await db.query<{ version: number }>("SELECT version FROM deep_agent_migrations")).rows);
      assert.equal(rows.length, loadMigrations().length);
    });

    describe("one queue, command after command", { concurrency: 1 }, () => {
      let target: TestTarget;
      let env: NodeJS.ProcessEnv;
      before(async () => {
        target = await createTarget(kind);
        env = cleanEnv({ ...target.env, MAX_QUEUE_DEPTH: "2", LOG_LEVEL: "warn" });
      });
      after(() => target?.cleanup());

      it("adds, lists with positions, enforces MAX_QUEUE_DEPTH and cancels", { timeout: 120_000 }, async () => {
        const first = await cli(["queue", "add", "first task"], env);
        assert.equal(first.code, 0, first.stderr);
        assert.match(first.stdout, /^queued [0-9a-f-]{36} \(position 1\)$/m);
        const second = await cli(["queue", "add", "second task"], env);
        assert.match(second.stdout, /\(position 2\)/);

        const full = await cli(["queue", "add", "one too many"], env);
        assert.equal(full.code, 1);
        assert.match(full.stderr, /queue is full .*MAX_QUEUE_DEPTH=2/);

        const list = await cli(["queue", "list", "--json"], env);
        assert.equal(list.code, 0, list.stderr);
        const tasks = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
        assert.deepEqual(
          tasks.map((t) => [t["text"], t["status"], t["position"]]),
          [
            ["first task", "queued", 1],
            ["second task", "queued", 2],
          ],
        );
        for (const t of tasks) {
          assert.ok(!Number.isNaN(Date.parse(String(t["created_at"]))));
          assert.equal(t["started_at"], null);
          assert.equal(t["finished_at"], null);
        }

        const cancel = await cli(["queue", "cancel", String(tasks[0]!["id"])], env);
        assert.equal(cancel.code, 0, cancel.stderr);
        const after = JSON.parse((await cli(["queue", "list", "--json"], env)).stdout) as Array<Record<string, unknown>>;
        assert.deepEqual(
          after.map((t) => [t["text"], t["position"]]),
          [["second task", 1]],
        );
      });

      it("answers bad input with one line and exit 2, changing nothing", { timeout: 120_000 }, async () => {
        const before = (await cli(["queue", "list", "--json"], env)).stdout;
        const cases = [
          ["queue", "add", "   "],
          ["queue", "add", "x".repeat(20_001)],
          ["queue", "add"],
          ["queue", "cancel", "not-a-task"],
          ["queue", "frobnicate"],
          ["queue", "list", "--yaml"],
        ];
        const results = await Promise.all(cases.map((args) => cli(args, env)));
        results.forEach((result, i) => {
          assert.equal(result.code, 2, `${cases[i]!.join(" ").slice(0, 40)}: ${result.stderr}`);
          assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
          assert.match(result.stderr, /^deep-agent: /);
        });
        assert.equal((await cli(["queue", "list", "--json"], env)).stdout, before);
      });

      it("reports health as JSON", { timeout: 60_000 }, async () => {
        const health = await cli(["health"], env);
        assert.equal(health.code, 0, health.stderr);
        const report = JSON.parse(health.stdout);
        assert.equal(report.ok, true);
        assert.equal(report.database.migrated, true);
        assert.equal(report.queue.queued, 1);
      });
    });
  });
});
