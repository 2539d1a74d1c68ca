// How the owner of an embedded database answers requests (a statement, begin, commit, rollback),
// whoever sends them: other processes over the socket (socket-server.ts) and this process's main
// thread (database-thread.ts). A transaction holds the database until it commits, rolls back or
// its sender goes away (abandon()).
import type { Queryable } from "../database.ts";
import type { WireRequest, WireResponse } from "./wire.ts";

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

export interface Dispatcher {
  handle(request: WireRequest): void;
  /** The sender went away: its open transactions roll back. */
  abandon(): void;
}

export function errorReply(id: number, error: unknown): WireResponse {
  const code = (error as { code?: unknown }).code;
  return { id, ok: false, error: { message: (error as Error).message ?? String(error), ...(typeof code === "string" ? { code } : {}) } };
}

export function createDispatcher(target: EmbeddedTarget, reply: (response: WireResponse) => void): Dispatcher {
  let nextTx = 1;
  const transactions = new Map<number, OpenTransaction>();
  const fail = (id: number, error: unknown) => reply(errorReply(id, error));
  return {
    handle(request) {
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
    },
    abandon() {
      // A sender that went away mid-transaction must not hold the database forever.
      for (const open of transactions.values()) open.finish(false);
    },
  };
}

class RolledBack extends Error {}
