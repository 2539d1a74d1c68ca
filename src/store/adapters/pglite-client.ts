// A process that shares DATA_DIR with a running deep-agent that owns the embedded database:
// every statement goes to the owner over DATA_DIR/db.sock.
import net from "node:net";
import type { Database, Queryable, Row } from "../database.ts";
import { asBossDb } from "../database.ts";
import { CodedError } from "../../shared/errors.ts";
import { decode, encode, lineReader, type WireRequest, type WireResponse } from "../embedded/wire.ts";

type Pending = { resolve: (r: { rows?: unknown[]; tx?: number }) => void; reject: (e: Error) => void };

export async function connectEmbedded(file: string, dataDir: string): Promise<Database> {
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.createConnection(file);
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let lost: Error | null = null;
  socket.on(
    "data",
    lineReader((line) => {
      const response = decode(line) as WireResponse;
      const waiter = pending.get(response.id);
      if (!waiter) return;
      pending.delete(response.id);
      if (response.ok) waiter.resolve(response);
      else waiter.reject(Object.assign(new Error(response.error.message), response.error.code ? { code: response.error.code } : {}));
    }),
  );
  const onGone = () => {
    lost = new CodedError("database_unavailable", `the deep-agent process that owns the embedded database in ${dataDir} went away; run the command again`);
    for (const waiter of pending.values()) waiter.reject(lost);
    pending.clear();
  };
  socket.on("close", onGone);
  socket.on("error", () => socket.destroy());
  // Only outstanding requests keep this process alive; an idle connection does not.
  socket.unref();

  const send = (request: WireRequest extends infer R ? (R extends unknown ? Omit<R, "id"> : never) : never) =>
    new Promise<{ rows?: unknown[]; tx?: number }>((resolve, reject) => {
      if (lost) return reject(lost);
      const id = nextId++;
      pending.set(id, {
        resolve: (r) => {
          if (pending.size === 0) socket.unref();
          resolve(r);
        },
        reject,
      });
      socket.ref();
      socket.write(encode({ ...request, id }));
    });

  const on = (tx?: number): Queryable => ({
    async query<T = Row>(sql: string, params?: readonly unknown[]) {
      const r = await send({ op: "query", sql, ...(params?.length ? { params: [...params] } : {}), ...(tx !== undefined ? { tx } : {}) });
      return { rows: (r.rows ?? []) as T[] };
    },
  });
  const self = on();
  const db: Database = {
    kind: "pglite-client",
    description: `embedded PGlite in ${dataDir} (through the owning process)`,
    ...self,
    async transaction(fn) {
      const { tx } = await send({ op: "begin" });
      try {
        const value = await fn(on(tx));
        await send({ op: "commit", tx: tx! });
        return value;
      } catch (error) {
        await send({ op: "rollback", tx: tx! }).catch(() => {});
        throw error;
      }
    },
    bossOptions() {
      // No LISTEN across the socket: pg-boss polls.
      return { db: asBossDb(self), backend: "pglite", useListenNotify: false };
    },
    async close() {
      socket.off("close", onGone);
      socket.destroy();
    },
  };
  return db;
}
