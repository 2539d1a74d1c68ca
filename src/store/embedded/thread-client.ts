// The main thread's end of the embedded database's thread (database-thread.ts): requests out,
// answers and notifications back. Only outstanding requests keep the process alive, as an
// in-process PGlite never did either.
import { Worker } from "node:worker_threads";
import { CodedError } from "../../shared/errors.ts";
import type { ThreadData, ThreadMessage, ThreadRequest } from "./thread-messages.ts";
import type { Answer } from "./remote-queries.ts";

type Pending = { resolve: (r: Answer) => void; reject: (e: Error) => void };
type Request = ThreadRequest extends infer R ? (R extends unknown ? Omit<R, "id"> : never) : never;

export interface DatabaseThread {
  request(request: Request): Promise<Answer>;
  /** LISTEN on the database's thread; resolves with the way to stop. */
  listen(channel: string, onNotification: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export async function startDatabaseThread(pgdata: string, options: { prepare: boolean }): Promise<DatabaseThread> {
  const worker = new Worker(new URL("./database-thread.ts", import.meta.url), { workerData: { pgdata, prepare: options.prepare } satisfies ThreadData });
  const pending = new Map<number, Pending>();
  const listeners = new Map<number, (payload: string) => void>();
  let nextId = 1;
  let lost: Error | null = null;

  const opened = new Promise<void>((resolve, reject) => {
    worker.on("message", (message: ThreadMessage) => {
      if ("opened" in message) return resolve();
      if ("failed" in message) return reject(new Error(message.failed));
      if ("notify" in message) return listeners.get(message.notify)?.(message.payload);
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (pending.size === 0) worker.unref();
      if (message.ok) waiter.resolve(message);
      else waiter.reject(Object.assign(new Error(message.error.message), message.error.code ? { code: message.error.code } : {}));
    });
    const gone = (why: string) => {
      lost ??= new CodedError("database_unavailable", `the embedded database's thread ${why}`);
      reject(lost);
      for (const waiter of pending.values()) waiter.reject(lost);
      pending.clear();
    };
    worker.on("error", (error) => gone(`failed: ${error.message}`));
    worker.on("exit", (code) => gone(`exited (${code})`));
  });
  try {
    await opened;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  worker.unref();

  const request = (message: Request) =>
    new Promise<Answer>((resolve, reject) => {
      if (lost) return reject(lost);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...message, id });
    });
  let nextSub = 1;
  let closing: Promise<void> | undefined;
  return {
    request,
    async listen(channel, onNotification) {
      const sub = nextSub++;
      listeners.set(sub, onNotification);
      await request({ op: "listen", channel, sub });
      return async () => {
        listeners.delete(sub);
        await request({ op: "unlisten", sub }).catch(() => {});
      };
    },
    close() {
      closing ??= (async () => {
        await request({ op: "close" }).catch(() => {});
        await worker.terminate();
      })();
      return closing;
    },
  };
}
