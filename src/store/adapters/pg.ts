// Postgres through `pg`: a pool for our queries; pg-boss keeps a pool of its own on the same
// server (that is what gives it a LISTEN connection for NOTIFY pick-up).
import pg from "pg";
import { advisoryLock, storableParams, type Database, type Queryable, type Row } from "../database.ts";
import { CodedError } from "../../shared/errors.ts";
import { PreparingClient } from "./preparing-client.ts";

export interface PgOptions {
  connectionString: string;
  /** Connections of our pool; pg-boss has its own. */
  max?: number;
  applicationName?: string;
  /** Prepare repeated statements on both pools (preparing-client.ts; the default). */
  prepareStatements?: boolean;
}

export async function openPostgres(options: PgOptions): Promise<Database> {
  const applicationName = options.applicationName ?? "deep-agent";
  const prepare = options.prepareStatements ?? true;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: applicationName,
    connectionTimeoutMillis: 10_000,
    ...(prepare ? { Client: PreparingClient } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reports it.
  pool.on("error", () => {});
  const description = describeUrl(options.connectionString);
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    await pool.end().catch(() => {});
    throw new CodedError("database_unavailable", `cannot reach Postgres at ${description}: ${(error as Error).message}; check DATABASE_URL and that the server is running`, { cause: error });
  }

  const run = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T = Row>(sql: string, params?: readonly unknown[]) {
      const result = await client.query(sql, storableParams(params));
      // A multi-statement simple query answers with one result per statement.
      if (Array.isArray(result)) return { rows: (result as pg.QueryResult[]).flatMap((r) => r.rows ?? []) as T[] };
      return { rows: result.rows as T[] };
    },
  });

  const db: Database = {
    kind: "postgres",
    description,
    ...run(pool),
    async transaction(fn, options) {
      const client = await pool.connect();
      try {
        // One simple query: BEGIN and the lock cost one round trip, not two.
        await client.query(options?.lock === undefined ? "BEGIN" : `BEGIN; ${advisoryLock(options.lock)}`);
        const value = await fn(run(client));
        await client.query("COMMIT");
        return value;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    bossOptions() {
      return { connectionString: options.connectionString, max: 4, application_name: `${applicationName}-queue`, useListenNotify: true, ...(prepare ? { Client: PreparingClient } : {}) };
    },
    async close() {
      await pool.end();
    },
  };
  return db;
}

/** host:port/database, without user or password. */
function describeUrl(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `postgres ${url.hostname || "localhost"}:${url.port || 5432}${url.pathname}`;
  } catch {
    return "postgres (unparseable DATABASE_URL)";
  }
}
