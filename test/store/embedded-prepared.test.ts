// The embedded database prepares a statement the second time it sees it and runs it with EXECUTE,
// its values written into the statement's text. Every value must come back exactly as query()
// binds it — quotes, backslashes, an attempt to end the literal, JSON, arrays, bytes, dates — and
// a changed table, a transaction or a flood of texts built on the fly must change no answer.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { openDatabase } from "../../src/store/open-database.ts";
import type { Database } from "../../src/store/database.ts";
import { createTarget, type TestTarget } from "../helpers/test-database.ts";

describe("embedded database: prepared statements", () => {
  let target: TestTarget;
  let db: Database;
  /** What this session prepared, as "PREPARE da_<n> AS <statement>". */
  const prepared = async () => (await db.query<{ statement: string }>("SELECT statement FROM pg_prepared_statements ORDER BY statement")).rows.map((r) => r.statement);
  /** The first run goes through query(), the second prepares, the third runs the prepared statement. */
  const thrice = async <T>(sql: string, params: unknown[]) => {
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await db.query<T>(sql, params)).rows);
    return answers;
  };

  before(async () => {
    target = await createTarget("pglite");
    db = await openDatabase(target.config, { role: "command" });
    await db.query("CREATE TABLE hostile (id int PRIMARY KEY, t text, j jsonb, tags text[], ids uuid[], b bytea, yes boolean, at timestamptz, n numeric)");
  });
  after(async () => {
    await db.close();
    await target.cleanup();
  });

  it("answers the same three times for every kind of value, however hostile", async () => {
    const values = [
      ["it's", "a 'quoted' \\ backslash \\' and \\\\ more"],
      ["ends'); DROP TABLE hostile; --", "E'\\x27' || chr(39)"],
      ["$1 $$ dollar $tag$ quoting", "\\x00 is not a NUL; newline\nand tab\t"],
      ["ünïcödé 😀 and \u2028 separators", ""],
    ];
    let id = 0;
    for (const [t, other] of values) {
      id++;
      const row = [
        id,
        t,
        { note: other, nested: { quote: "'", slash: "\\" } },
        [t, other, "with,comma", 'with"dq', "{brace}"],
        ["0b5ec0de-0000-4000-8000-000000000001"],
        Buffer.from(`${t}\u0000bin`),
        id % 2 === 0,
        new Date(Date.UTC(2026, 11, 3, 8, id)),
        "12345678901234567890.5",
      ];
      const insert = await thrice("INSERT INTO hostile VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO UPDATE SET t = EXCLUDED.t RETURNING id", row);
      assert.deepEqual(insert, [[{ id }], [{ id }], [{ id }]]);
      const read = await thrice<Record<string, unknown>>("SELECT * FROM hostile WHERE id = $1 AND t = $2 AND tags = $3", [id, t, row[3]]);
      assert.deepEqual(read[1], read[0], `prepared answer for ${JSON.stringify(t)}`);
      assert.deepEqual(read[2], read[0]);
      const got = read[2]![0]!;
      assert.equal(got["t"], t);
      assert.deepEqual(got["j"], row[2]);
      assert.deepEqual(got["tags"], row[3]);
      assert.deepEqual(Buffer.from(got["b"] as Uint8Array), row[5]);
      assert.equal(got["yes"], row[6]);
      assert.equal((got["at"] as Date).toISOString(), (row[7] as Date).toISOString());
      assert.equal(got["n"], row[8]);
    }
    assert.equal((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM hostile")).rows[0]!.n, values.length, "no value ended its literal");
    assert.ok((await prepared()).some((s) => s.endsWith(" AS SELECT * FROM hostile WHERE id = $1 AND t = $2 AND tags = $3")));
  });

  it("runs a value holding a NUL as query() does, never as the statement's text", async () => {
    // A NUL would end the statement's text early. Top-level strings reach the database with ␀ in its
    // place (storableParams); one inside an array does not, so it must never be written into EXECUTE.
    const sql = "SELECT $1::text[] AS v";
    const outcomes = [];
    for (let i = 0; i < 3; i++)
      outcomes.push(
        await db.query(sql, [["before\u0000'); DROP TABLE hostile; --"]]).then(
          () => "answered",
          (e: Error) => e.message,
        ),
      );
    assert.equal(new Set(outcomes).size, 1, outcomes.join(" | "));
    // It was prepared (the second run): only the value kept it from EXECUTE.
    assert.ok((await prepared()).some((s) => s.endsWith(` AS ${sql}`)));
    assert.equal((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM hostile")).rows[0]!.n, 4);
  });

  it("answers with a table's new shape after it changed under a prepared statement", async () => {
    await db.query("CREATE TABLE shapes (id int PRIMARY KEY, a text)");
    await db.query("INSERT INTO shapes VALUES (1, 'one')");
    const read = () => db.query("SELECT * FROM shapes WHERE id = $1", [1]);
    await read();
    await read();
    await db.query("ALTER TABLE shapes ADD COLUMN b text DEFAULT 'new'");
    assert.deepEqual((await read()).rows, [{ id: 1, a: "one", b: "new" }]);
    assert.deepEqual((await read()).rows, [{ id: 1, a: "one", b: "new" }]);
  });

  it("prepares nothing inside a transaction, uses what was prepared before, and rolls back as ever", async () => {
    const before = await prepared();
    await assert.rejects(
      db.transaction(async (tx) => {
        for (let i = 0; i < 3; i++) await tx.query("INSERT INTO shapes (id, a) VALUES ($1, $2)", [10 + i, "in tx"]);
        assert.deepEqual((await tx.query("SELECT * FROM shapes WHERE id = $1", [10])).rows, [{ id: 10, a: "in tx", b: "new" }]);
        throw new Error("roll it back");
      }),
      /roll it back/,
    );
    assert.deepEqual(await prepared(), before, "nothing prepared inside the transaction");
    assert.deepEqual((await db.query("SELECT * FROM shapes WHERE id >= $1", [10])).rows, []);
  });

  it("prepares at most 256 statements however many texts are built on the fly", async () => {
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 300; i++) assert.equal((await db.query<{ n: number }>(`SELECT $1::int + ${i} AS n`, [round])).rows[0]!.n, round + i);
    }
    assert.equal((await prepared()).length, 256);
  });
});
