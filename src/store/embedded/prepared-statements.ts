// Prepared statements for the embedded database. PGlite's query() parses, describes and plans its
// statement every time, in WebAssembly (pg-boss's fetch with the per-team cap: 2.2 ms; EXECUTE of
// the same statement prepared: 0.5 ms). So, as the Postgres adapter's client does, a statement
// with parameters is prepared the second time its text is seen, and run with EXECUTE.
//
// EXECUTE takes its values in the statement's text. Each is written as PGlite's query() would
// bind it — its serializer for the parameter's type — and quoted as an escaped string literal
// (E'…', backslashes and quotes doubled), which Postgres turns into the parameter's type by the
// same input function a bound value goes through. A value whose text holds a NUL (which would end
// the statement's text early) or is not a string runs through query() instead.
//
// A statement is prepared only outside a transaction (a failing PREPARE would abort it). One that
// cannot be prepared, or whose plan a changed table invalidated, runs through query() from then on.
// Which texts are prepared, and how many: repeated-statements.ts.
import type { PGlite } from "@electric-sql/pglite";
import { PLAN_INVALID, RepeatedStatements } from "../repeated-statements.ts";

type Serialize = (value: unknown) => unknown;
interface Prepared {
  name: string;
  serializers: Array<Serialize | undefined>;
}

export interface StatementCache {
  /** The statement's rows by EXECUTE, or null when it is to run through query(). */
  run<T>(q: Pick<PGlite, "query">, sql: string, params: readonly unknown[], inTransaction: boolean): Promise<T[] | null>;
}

export function createStatementCache(db: PGlite): StatementCache {
  const prepared = new Map<string, Prepared | null>();
  const repeated = new RepeatedStatements();
  let named = 0;

  async function prepare(sql: string): Promise<Prepared | null> {
    const name = `da_${named}`;
    try {
      const { queryParams } = await db.describeQuery(sql);
      await db.query(`PREPARE ${name} AS ${sql}`);
      named++;
      return { name, serializers: queryParams.map((p) => p.serializer as Serialize | undefined) };
    } catch {
      repeated.unchoose();
      return null;
    }
  }

  return {
    async run<T>(q: Pick<PGlite, "query">, sql: string, params: readonly unknown[], inTransaction: boolean) {
      let entry = prepared.get(sql);
      if (entry === undefined) {
        if (!repeated.choose(sql, !inTransaction)) return null;
        entry = await prepare(sql);
        prepared.set(sql, entry);
      }
      if (!entry) return null;
      const values = literals(entry, params);
      if (values === null) return null;
      try {
        return (await q.query<T>(`EXECUTE ${entry.name}${values}`)).rows;
      } catch (error) {
        if ((error as { code?: unknown }).code !== PLAN_INVALID) throw error;
        prepared.set(sql, null);
        return null;
      }
    },
  };
}

/** `(E'…', NULL, …)`, or null when a value cannot be written safely. */
function literals(entry: Prepared, params: readonly unknown[]): string | null {
  if (params.length !== entry.serializers.length) return null;
  const out: string[] = [];
  for (let i = 0; i < params.length; i++) {
    const value = params[i];
    if (value === null || value === undefined) {
      out.push("NULL");
      continue;
    }
    const serialize = entry.serializers[i];
    const text = serialize ? serialize(value) : (value as { toString(): string }).toString();
    if (typeof text !== "string" || text.includes("\u0000")) return null;
    out.push(`E'${text.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`);
  }
  return `(${out.join(", ")})`;
}
