// The embedded database runs on a thread of its own: while PGlite works on a statement, this
// process's event loop keeps serving (the HTTP intake, Slack, workers). Across the thread, rows,
// errors with their SQL state, transactions and LISTEN/NOTIFY behave as on Postgres.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createTarget, type TestTarget } from "../helpers/test-database.ts";
import { openDatabase } from "../../src/store/open-database.ts";
import type { Database } from "../../src/store/database.ts";
import { waitFor } from "../helpers/wait-for.ts";

describe("embedded database on its own thread", () => {
  let target: TestTarget;
  let db: Database;

  before(async () => {
    target = await createTarget("pglite");
    db = await openDatabase(target.config, { role: "server" });
    await db.query("CREATE TABLE things (id int PRIMARY KEY, at timestamptz, data jsonb, raw bytea)");
  });
  after(async () => {
    await db?.close();
    await target?.cleanup();
  });

  it("keeps this process's event loop turning while a statement runs", async () => {
    let turns = 0;
    let finished = false;
    const statement = db.query("SELECT pg_sleep(0.3)").then(() => (finished = true));
    // Timers fire while the statement is still running: PGlite's work is not on this thread.
    const ticker = (async () => {
      while (!finished && turns < 3) {
        await new Promise((r) => setTimeout(r, 10));
        if (!finished) turns++;
      }
    })();
    await Promise.all([statement, ticker]);
    assert.ok(turns >= 3, `the event loop turned ${turns} times while the statement ran`);
  });

  it("returns dates, json and bytes as they were stored, and errors with their SQL state", async () => {
    const at = new Date("2026-01-02T03:04:05.000Z");
    await db.query("INSERT INTO things VALUES ($1, $2, $3, $4)", [1, at, JSON.stringify({ a: [1, "two"] }), new Uint8Array([0, 1, 255])]);
    const { rows } = await db.query<{ at: Date; data: unknown; raw: Uint8Array }>("SELECT at, data, raw FROM things WHERE id = 1");
    assert.deepEqual(rows[0]?.at, at);
    assert.deepEqual(rows[0]?.data, { a: [1, "two"] });
    assert.deepEqual([...rows[0]!.raw], [0, 1, 255]);
    await assert.rejects(db.query("INSERT INTO things (id) VALUES ($1)", [1]), (error: Error & { code?: string }) => error.code === "23505" && /duplicate key/.test(error.message));
  });

  it("rolls a failed transaction back and commits a good one", async () => {
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO things (id) VALUES ($1)", [2]);
        throw new Error("changed my mind");
      }),
      /changed my mind/,
    );
    await db.transaction(async (tx) => tx.query("INSERT INTO things (id) VALUES ($1)", [3]));
    const { rows } = await db.query<{ id: number }>("SELECT id FROM things WHERE id IN (2, 3) ORDER BY id");
    assert.deepEqual(
      rows.map((r) => r.id),
      [3],
    );
  });

  it("delivers NOTIFY to pg-boss's listener and runs its statements", async () => {
    const boss = db.bossOptions().db!;
    const got: string[] = [];
    let reconnected = false;
    const handle = await boss.listen!(
      "things_changed",
      (payload) => got.push(payload),
      () => (reconnected = true),
    );
    await boss.executeSql("SELECT pg_notify('things_changed', 'hello')");
    await waitFor("the notification", () => got.length > 0);
    await handle.close();
    assert.deepEqual(got, ["hello"]);
    assert.ok(reconnected);
    // A failing block of pg-boss's leaves no aborted transaction behind for the next statement.
    await assert.rejects(boss.executeSql("BEGIN; SELECT 1/0; COMMIT"));
    const { rows } = await boss.executeSql("SELECT 1 AS one");
    assert.equal(rows[0]?.one, 1);
  });

  it("runs this process's statements before pg-boss statements that were already waiting", async () => {
    // A NOTIFY wakes every idle pg-boss worker loop and each sends a fetch: a task's claim sent a
    // moment later must not wait behind all of them.
    const boss = db.bossOptions().db!;
    // Sent last, ours runs first. Up to three tries: on a starved machine the thread can take a
    // pg-boss statement before ours has reached it at all (it then waited behind nothing). First
    // come, first served (without the queue) never puts ours first, so this still fails without it.
    let order: string[] = [];
    for (let attempt = 1; attempt <= 3 && order[0] !== "ours"; attempt++) {
      await db.query("DROP TABLE IF EXISTS turns");
      await db.query("CREATE TABLE turns (seq serial PRIMARY KEY, who text)");
      const busy = boss.executeSql("SELECT pg_sleep(0.2)");
      const waiting = [1, 2, 3].map(() => boss.executeSql("INSERT INTO turns (who) VALUES ('boss')"));
      const ours = db.query("INSERT INTO turns (who) VALUES ('ours')");
      await Promise.all([busy, ...waiting, ours]);
      const { rows } = await db.query<{ who: string }>("SELECT who FROM turns ORDER BY seq");
      order = rows.map((r) => r.who);
    }
    assert.deepEqual(order, ["ours", "boss", "boss", "boss"]);
    await db.query("DROP TABLE turns");
  });

  it("never starves pg-boss: its statement runs while this process's keep coming", async () => {
    const boss = db.bossOptions().db!;
    await db.query("DROP TABLE IF EXISTS turns");
    await db.query("CREATE TABLE turns (seq serial PRIMARY KEY, who text)");
    const busy = db.query("SELECT pg_sleep(0.05)");
    const heartbeat = boss.executeSql("INSERT INTO turns (who) VALUES ('boss')");
    // 40 statements of 5 ms each: far longer than pg-boss's statement may wait.
    const ours = Array.from({ length: 40 }, () => db.query("INSERT INTO turns (who) SELECT 'ours' FROM pg_sleep(0.005)"));
    await Promise.all([busy, heartbeat, ...ours]);
    const { rows } = await db.query<{ who: string }>("SELECT who FROM turns ORDER BY seq");
    const at = rows.findIndex((r) => r.who === "boss");
    assert.ok(at >= 0 && at < rows.length - 1, `pg-boss's statement ran at turn ${at + 1} of ${rows.length}: it waited for all of ours`);
    await db.query("DROP TABLE turns");
  });
});
