// The one database interface everything that stores state uses. Adapters: Postgres through
// `pg` (DATABASE_URL), embedded PGlite under DATA_DIR, and a client of another process's
// embedded database (PGlite has one owner process; others reach it through a local socket).
import type { ConstructorOptions, Db } from "pg-boss";

export type Row = Record<string, unknown>;

export interface Queryable {
  /**
   * With params: one statement, `$1` placeholders. Without: may be several statements
   * (simple protocol); rows of all of them are returned in order.
   */
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<{ rows: T[] }>;
}

export type DatabaseKind = "postgres" | "pglite" | "pglite-client";

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** For logs and health reports; never includes a password. */
  readonly description: string;
  /** Runs fn in one transaction; a throw rolls it back. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** How pg-boss reaches this database (its own pool on Postgres, an adapter otherwise). */
  bossOptions(): Pick<ConstructorOptions, "connectionString" | "db" | "backend" | "max" | "application_name" | "useListenNotify">;
  close(): Promise<void>;
}

/** pg-boss's view of a Queryable, so a `send()` joins our transaction. */
export function asBossDb(q: Queryable): Db {
  return {
    executeSql: (text, values) => (values && values.length > 0 ? q.query(text, values) : q.query(text)),
  };
}
