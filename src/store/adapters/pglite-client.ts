// A process that shares DATA_DIR with a running deep-agent that owns the embedded database:
// every statement goes to the owner over DATA_DIR/db.sock.
import net from "node:net";
import type { Database } from "../database.ts";
import { asBossDb } from "../database.ts";
import { CodedError } from "../../shared/errors.ts";
import { decode, encode, lineReader, type WireResponse } from "../embedded/wire.ts";
import { remoteQueries, type Answer, type RequestBody } from "../embedded/remote-queries.ts";

type Pending = { resolve: (r: Answer) => void; reject: (e: Error) => void };

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

  const send = (request: RequestBody) =>
    new Promise<Answer>((resolve, reject) => {
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

  const { self, transaction } = remoteQueries(send);
  const db: Database = {
    kind: "pglite-client",
    description: `embedded PGlite in ${dataDir} (through the owning process)`,
    ...self,
    transaction,
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
