// Statements and transactions carried by requests to whoever runs the embedded database: the
// owner's thread (adapters/pglite.ts) and the owning process over its socket (pglite-client.ts).
// A transaction is a begin that answers its number, statements that name it, then commit or rollback.
import { advisoryLock, type Queryable, type Row, type TransactionOptions } from "../database.ts";
import type { WireRequest } from "./wire.ts";

/** A request as its sender writes it; the carrier numbers it. */
export type RequestBody = WireRequest extends infer R ? (R extends unknown ? Omit<R, "id"> : never) : never;
export type Answer = { rows?: unknown[]; tx?: number };

export function remoteQueries(
  send: (request: RequestBody) => Promise<Answer>,
  params: (given: readonly unknown[]) => unknown[] = (given) => [...given],
): { self: Queryable; transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T> } {
  const on = (tx?: number): Queryable => ({
    async query<T = Row>(sql: string, given?: readonly unknown[]) {
      const r = await send({ op: "query", sql, ...(given?.length ? { params: params(given) } : {}), ...(tx !== undefined ? { tx } : {}) });
      return { rows: (r.rows ?? []) as T[] };
    },
  });
  return {
    self: on(),
    async transaction(fn, options) {
      const { tx } = await send({ op: "begin" });
      try {
        if (options?.lock !== undefined) await on(tx).query(advisoryLock(options.lock));
        const value = await fn(on(tx));
        await send({ op: "commit", tx: tx! });
        return value;
      } catch (error) {
        await send({ op: "rollback", tx: tx! }).catch(() => {});
        throw error;
      }
    },
  };
}
