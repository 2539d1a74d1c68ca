// The one database interface everything that stores state uses. Adapters: Postgres through
// `pg` (DATABASE_URL), embedded PGlite under DATA_DIR, and a client of another process's
// embedded database (PGlite has one owner process; others reach it through a local socket).
import type { ConstructorOptions, Db } from "pg-boss";
import { NUL_SYMBOL } from "../shared/visible-text.ts";

export type Row = Record<string, unknown>;

export interface Queryable {
  /**
   * With params: one statement, `$1` placeholders. Without: may be several statements
   * (simple protocol); rows of all of them are returned in order.
   */
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<{ rows: T[] }>;
}

export interface TransactionOptions {
  /** A transaction-level advisory lock taken before fn runs (on Postgres in the same round trip as BEGIN). */
  lock?: number;
}

/** The statement that takes a transaction's advisory lock; the key must be a safe integer. */
export function advisoryLock(key: number): string {
  if (!Number.isSafeInteger(key)) throw new Error(`an advisory lock key must be a safe integer, not ${key}`);
  return `SELECT pg_advisory_xact_lock(${key})`;
}

export type DatabaseKind = "postgres" | "pglite" | "pglite-client";

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** For logs and health reports; never includes a password. */
  readonly description: string;
  /** Runs fn in one transaction; a throw rolls it back. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** How pg-boss reaches this database (its own pool on Postgres, an adapter otherwise). */
  bossOptions(): Pick<ConstructorOptions, "connectionString" | "db" | "backend" | "max" | "application_name" | "useListenNotify"> & {
    /** pg-boss hands its options to `pg`'s pool, which makes its connections with this class. */
    Client?: new (
      config: object,
    ) => object;
  };
  close(): Promise<void>;
}

/**
 * Postgres refuses a NUL character in text (and its escape in jsonb). Text that holds one — a
 * command's output, a message someone typed — is stored with each NUL shown as ␀ instead of
 * failing the write (and the task with it).
 */
export function storableParams(params: readonly unknown[] | undefined): unknown[] | undefined {
  return params?.map((p) => (typeof p === "string" && p.includes("\0") ? p.replaceAll("\0", NUL_SYMBOL) : p));
}

/** pg-boss's view of a Queryable, so a `send()` joins our transaction. */
export function asBossDb(q: Queryable): Db {
  return {
    executeSql: (text, values) => (values && values.length > 0 ? q.query(text, values) : q.query(text)),
  };
}
