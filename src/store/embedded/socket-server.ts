// Serves the owner's embedded database to other processes in the same DATA_DIR over a Unix
// socket (file permissions keep it to this user). A client transaction holds the database
// until it commits, rolls back or the client goes away.
import net from "node:net";
import type { Queryable } from "../database.ts";
import { decode, encode, lineReader, requestSchema, type WireRequest, type WireResponse } from "./wire.ts";
import { unlinkQuietly } from "./owner-lock.ts";

export interface EmbeddedTarget extends Queryable {
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

interface OpenTransaction {
  tx: Queryable | null;
  finish: (commit: boolean) => void;
  ready: Promise<void>;
  /** Settles once the transaction committed or rolled back. */
  done: Promise<void>;
}

export async function serveEmbedded(target: EmbeddedTarget, file: string): Promise<{ close(): Promise<void> }> {
  unlinkQuietly(file);
  const sockets = new Set<net.Socket>();
  let nextTx = 1;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const transactions = new Map<number, OpenTransaction>();
    const reply = (response: WireResponse) => {
      if (!socket.destroyed) socket.write(encode(response));
    };
    const fail = (id: number, error: unknown) =>
      reply({ id, ok: false, error: { message: (error as Error).message ?? String(error), ...((error as { code?: string }).code ? { code: (error as { code: string }).code } : {}) } });

    socket.on(
      "data",
      lineReader((line) => {
        let request: WireRequest;
        try {
          request = requestSchema.parse(decode(line));
        } catch (error) {
          fail(-1, error);
          return;
        }
        const { id } = request;
        if (request.op === "query") {
          const open = request.tx === undefined ? undefined : transactions.get(request.tx);
          if (request.tx !== undefined && !open) return fail(id, new Error(`no open transaction ${request.tx}`));
          const run = (q: Queryable) =>
            q.query(request.sql, request.params).then(
              (r) => reply({ id, ok: true, rows: r.rows }),
              (e) => fail(id, e),
            );
          if (!open) void run(target);
          else void open.ready.then(() => run(open.tx!));
          return;
        }
        if (request.op === "begin") {
          const txId = nextTx++;
          let started!: () => void;
          const open: OpenTransaction = { tx: null, finish: () => {}, ready: new Promise((r) => (started = r)), done: Promise.resolve() };
          transactions.set(txId, open);
          open.done = target
            .transaction(async (tx) => {
              open.tx = tx;
              const decided = new Promise<boolean>((resolve) => (open.finish = resolve));
              started();
              reply({ id, ok: true, tx: txId });
              if (!(await decided)) throw new RolledBack();
            })
            .then(
              () => {},
              (error) => {
                if (!(error instanceof RolledBack)) throw error;
              },
            )
            .finally(() => transactions.delete(txId));
          // A failure before the callback ran (BEGIN refused) is the begin's answer.
          open.done.catch((error) => {
            if (!open.tx) fail(id, error);
          });
          return;
        }
        const open = transactions.get(request.tx);
        if (!open) return fail(id, new Error(`no open transaction ${request.tx}`));
        void open.ready.then(() => {
          open.finish(request.op === "commit");
          open.done.then(
            () => reply({ id, ok: true }),
            (e) => fail(id, e),
          );
        });
      }),
    );
    const abandon = () => {
      sockets.delete(socket);
      // A client that went away mid-transaction must not hold the database forever.
      for (const open of transactions.values()) open.finish(false);
    };
    socket.on("close", abandon);
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(file, () => resolve());
  });
  return {
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      unlinkQuietly(file);
    },
  };
}

class RolledBack extends Error {}
