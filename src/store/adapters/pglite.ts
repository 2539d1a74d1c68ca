// Embedded PGlite under DATA_DIR. PGlite runs inside one process, so the first process to open
// the data directory owns it and serves it to the others over DATA_DIR/db.sock; a process that
// finds an owner becomes a client (see pglite-client.ts). The owner runs PGlite on a thread of its
// own (embedded/database-thread.ts), so its WebAssembly never stalls the HTTP intake or a worker.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Db } from "pg-boss";
import { storableParams, type Database } from "../database.ts";
import { CodedError } from "../../shared/errors.ts";
import { readLock, socketPath, tryAcquireLock, isAlive, type OwnerRole } from "../embedded/owner-lock.ts";
import { serveEmbedded } from "../embedded/socket-server.ts";
import { connectEmbedded } from "./pglite-client.ts";
import { startDatabaseThread, type DatabaseThread } from "../embedded/thread-client.ts";
import { remoteQueries } from "../embedded/remote-queries.ts";

export interface EmbeddedOptions {
  dataDir: string;
  /** Prepare repeated statements when this process owns the database (the default). */
  prepareStatements?: boolean;
  /**
   * "server" for long-running processes (start, worker), "command" for short ones. Anyone finding
   * a live server owner becomes its client; a command owner is waited for (it is about to exit).
   */
  role: OwnerRole;
  /** How long to wait for the owner to answer or for its lock to be released. */
  waitMs?: number;
}

export async function openEmbedded(options: EmbeddedOptions): Promise<Database> {
  mkdirSync(options.dataDir, { recursive: true });
  const sock = socketPath(options.dataDir);
  const deadline = Date.now() + (options.waitMs ?? 60_000);
  for (;;) {
    const holder = readLock(options.dataDir);
    const ownerLive = holder !== null && isAlive(holder.pid);
    if (ownerLive && holder.role === "server") {
      const client = await connectEmbedded(sock, options.dataDir).catch(() => null);
      if (client) return client;
    }
    if (!ownerLive) {
      const lock = tryAcquireLock(options.dataDir, options.role);
      if (lock) {
        try {
          return await openOwner(options.dataDir, sock, lock, options.prepareStatements ?? true);
        } catch (error) {
          lock.release();
          throw error;
        }
      }
    }
    if (Date.now() > deadline) {
      throw new CodedError(
        "database_unavailable",
        `the embedded database in ${options.dataDir} is held by process ${holder?.pid ?? "?"} and does not answer on ${sock}; stop that process, or set DATABASE_URL to share a Postgres server`,
      );
    }
    // The owner is starting up (socket not listening yet) or a short command is finishing.
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function openOwner(dataDir: string, sock: string, lock: { release(): void }, prepare: boolean): Promise<Database> {
  const pgdata = path.join(dataDir, "pgdata");
  let thread: DatabaseThread;
  try {
    thread = await startDatabaseThread(pgdata, { prepare });
  } catch (error) {
    throw new CodedError("database_unavailable", `cannot open the embedded database in ${pgdata}: ${(error as Error).message}; move the directory aside to start afresh`, { cause: error });
  }
  const { self, transaction } = remoteQueries(
    (request) => thread.request(request),
    (params) => storableParams(params) ?? [],
  );
  const bossDb: Db = {
    executeSql: async (sql, values) => {
      const r = await thread.request({ op: "boss", sql, ...(values?.length ? { params: values } : {}) });
      return { rows: r.rows ?? [] };
    },
    // LISTEN/NOTIFY works inside PGlite, so pg-boss's notify pick-up works here too.
    listen: async (channel, onNotification, onReconnect) => {
      const unlisten = await thread.listen(channel, onNotification);
      onReconnect();
      return { close: unlisten };
    },
  };
  let server: { close(): Promise<void> } | null = null;
  try {
    server = await serveEmbedded({ ...self, transaction }, sock);
  } catch (error) {
    await thread.close().catch(() => {});
    throw new CodedError("database_unavailable", `cannot listen on ${sock} for other deep-agent processes: ${(error as Error).message}; use a shorter DATA_DIR path`, { cause: error });
  }
  let closed = false;
  return {
    kind: "pglite",
    description: `embedded PGlite in ${pgdata}`,
    ...self,
    transaction,
    bossOptions() {
      return { db: bossDb, backend: "pglite", useListenNotify: true };
    },
    async close() {
      if (closed) return;
      closed = true;
      await server?.close();
      await thread.close();
      lock.release();
    },
  };
}
