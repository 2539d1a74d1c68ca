// Statements prepared on a Postgres connection the second time they are sent, and what happens
// when that goes wrong: a table changed under a prepared statement, a pooler that loses prepared
// statements, texts built on the fly. Every answer must be the one a plain text query gives.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { PreparingClient } from "../../src/store/adapters/preparing-client.ts";
import { openDatabase } from "../../src/store/open-database.ts";
import { createTarget, type TestTarget } from "../helpers/test-database.ts";

const postgres = process.env["TEST_DATABASE_URL"];

describe("preparing client (Postgres)", { skip: postgres ? false : "needs TEST_DATABASE_URL" }, () => {
  let target: TestTarget;
  let client: PreparingClient;
  // This session's prepared statements (a query without parameters is never prepared itself).
  const prepared = async () => (await client.query("SELECT statement FROM pg_prepared_statements ORDER BY statement")).rows.map((r: { statement: string }) => r.statement);

  before(async () => {
    target = await createTarget("postgres");
  });
  after(() => target.cleanup());

  it("prepares a parameterised statement the second time it is sent, and answers the same", async () => {
    client = new PreparingClient({ connectionString: target.databaseUrl });
    await client.connect();
    try {
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push((await client.query("SELECT $1::int + 1 AS n", [i])).rows[0].n);
      assert.deepEqual(answers, [1, 2, 3]);
      assert.deepEqual(await prepared(), ["SELECT $1::int + 1 AS n"]);
      // Without parameters a text may hold several statements: never prepared.
      await client.query("SELECT 1; SELECT 2");
      await client.query("SELECT 1; SELECT 2");
      assert.deepEqual(await prepared(), ["SELECT $1::int + 1 AS n"]);
    } finally {
      await client.end();
    }
  });

  it("answers with a table's new shape after it changed under a prepared statement", async () => {
    const admin = new pg.Client({ connectionString: target.databaseUrl });
    await admin.connect();
    client = new PreparingClient({ connectionString: target.databaseUrl });
    await client.connect();
    try {
      await admin.query("CREATE TABLE shapes (id int PRIMARY KEY, a text)");
      await admin.query("INSERT INTO shapes VALUES (1, 'one')");
      const read = () => client.query("SELECT * FROM shapes WHERE id = $1", [1]);
      await read();
      assert.deepEqual((await read()).rows, [{ id: 1, a: "one" }]);
      assert.equal((await prepared()).length, 1);
      await admin.query("ALTER TABLE shapes ADD COLUMN b text DEFAULT 'new'");
      assert.deepEqual((await read()).rows, [{ id: 1, a: "one", b: "new" }]);
      assert.deepEqual((await read()).rows, [{ id: 1, a: "one", b: "new" }]);
    } finally {
      await client.end();
      await admin.end();
    }
  });

  it("goes on as text when the connection lost its prepared statements (a pooler in transaction mode)", async () => {
    client = new PreparingClient({ connectionString: target.databaseUrl });
    await client.connect();
    try {
      const read = (i: number) => client.query("SELECT $1::text AS v", [`v${i}`]);
      await read(0);
      await read(1);
      assert.equal((await prepared()).length, 1);
      // Behind the client's back, as a pooler handing it another server connection would.
      await client.query("DEALLOCATE ALL");
      assert.deepEqual((await read(2)).rows, [{ v: "v2" }]);
      for (let i = 3; i < 6; i++) assert.deepEqual((await read(i)).rows, [{ v: `v${i}` }]);
      assert.deepEqual(await prepared(), [], "preparing is off for this connection from then on");
    } finally {
      await client.end();
    }
  });

  it("prepares at most 256 statements on a connection however many texts are built on the fly", async () => {
    client = new PreparingClient({ connectionString: target.databaseUrl });
    await client.connect();
    try {
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 300; i++) assert.equal((await client.query(`SELECT $1::int + ${i} AS n`, [round])).rows[0].n, round + i);
      }
      assert.equal((await prepared()).length, 256);
    } finally {
      await client.end();
    }
  });

  it("serves the store's pool and its transactions, an error still failing only its own statement", async () => {
    const db = await openDatabase({ DATABASE_URL: target.databaseUrl, DATA_DIR: target.dataDir }, { role: "command" });
    try {
      await db.query("CREATE TABLE notes (id int PRIMARY KEY, body text)");
      for (let i = 0; i < 3; i++) await db.query("INSERT INTO notes VALUES ($1, $2)", [i, `note ${i}\u0000`]);
      const bodies = await db.transaction(async (tx) => {
        const out = [];
        for (let i = 0; i < 3; i++) out.push((await tx.query<{ body: string }>("SELECT body FROM notes WHERE id = $1", [i])).rows[0]!.body);
        return out;
      });
      assert.equal(bodies.length, 3);
      assert.match(bodies[2]!, /^note 2/);
      await assert.rejects(db.query("INSERT INTO notes VALUES ($1, $2)", [1, "duplicate"]), /duplicate key/);
      await assert.rejects(db.query("INSERT INTO notes VALUES ($1, $2)", [1, "duplicate"]), /duplicate key/);
      assert.equal((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM notes WHERE id >= $1", [0])).rows[0]!.n, 3);
    } finally {
      await db.close();
    }
  });
});
