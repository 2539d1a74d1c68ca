// The embedded database's own thread: PGlite's Postgres is WebAssembly that runs to completion on
// whichever thread calls it, so it runs here, and the main thread (HTTP intake, Slack, workers)
// never waits behind a statement. Started by adapters/pglite.ts; answers ThreadRequests.
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import type { Queryable, Row } from "../database.ts";
import { createDispatcher, errorReply } from "./dispatch.ts";
import { createStatementQueue } from "./statement-queue.ts";
import { createStatementCache } from "./prepared-statements.ts";
import type { ThreadData, ThreadMessage, ThreadRequest } from "./thread-messages.ts";

const port = parentPort!;
const post = (message: ThreadMessage) => port.postMessage(message);
const { pgdata, prepare } = workerData as ThreadData;

let pglite: PGlite | null = null;
try {
  pglite = await PGlite.create({ dataDir: pgdata });
} catch (error) {
  post({ failed: (error as Error).message });
}

if (pglite) serve(pglite);

function serve(db: PGlite): void {
  const statements = prepare ? createStatementCache(db) : null;
  const on = (q: Pick<PGlite, "query" | "exec">, inTransaction: boolean): Queryable => ({
    async query<T = Row>(sql: string, params?: readonly unknown[]) {
      if (params && params.length > 0) {
        const prepared = statements ? await statements.run<T>(q, sql, params, inTransaction) : null;
        return { rows: prepared ?? (await q.query<T>(sql, params as unknown[])).rows };
      }
      // PGlite's query() takes one statement; exec() takes several and answers per statement.
      const results = await q.exec(sql);
      return { rows: results.flatMap((r) => r.rows as T[]) };
    },
  });
  const self = on(db, false);
  // Statements inside a transaction go straight to it: the transaction already holds its turn.
  const queue = createStatementQueue({
    collect: () => {
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) handle(m.message as ThreadRequest);
    },
  });
  const dispatcher = createDispatcher(
    {
      query: (sql, params) => queue.run("ours", () => self.query(sql, params)),
      transaction: (fn) => queue.run("ours", () => db.transaction((tx) => fn(on(tx, true)))),
    },
    post,
  );
  const listeners = new Map<number, () => Promise<void>>();

  port.on("message", handle);
  post({ opened: true });

  function handle(request: ThreadRequest): void {
    const { id } = request;
    const answer = (work: Promise<Omit<Extract<ThreadMessage, { ok: true }>, "id" | "ok">>) =>
      work.then(
        (r) => post({ id, ok: true, ...r }),
        (e) => post(errorReply(id, e)),
      );
    switch (request.op) {
      case "boss":
        // As pg-boss's own PGlite adapter does: one connection, so an aborted block must not poison the next statement.
        return void answer(
          queue.run("boss", () =>
            self.query(request.sql, request.params).catch(async (error: unknown) => {
              await db.query("ROLLBACK").catch(() => {});
              throw error;
            }),
          ),
        );
      case "listen":
        return void answer(
          db
            .listen(request.channel, (payload) => post({ notify: request.sub, payload }))
            .then((unlisten) => {
              listeners.set(request.sub, unlisten);
              return {};
            }),
        );
      case "unlisten": {
        const unlisten = listeners.get(request.sub);
        listeners.delete(request.sub);
        return void answer((unlisten?.() ?? Promise.resolve()).then(() => ({})));
      }
      case "close":
        dispatcher.abandon();
        return void db.close().then(
          () => {
            post({ id, ok: true });
            port.close();
          },
          (e: unknown) => post(errorReply(id, e)),
        );
      default:
        dispatcher.handle(request);
    }
  }
}
