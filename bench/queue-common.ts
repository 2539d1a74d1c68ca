// Shared by the queue benches: a zero-latency scripted model (one `execute true`, then an
// answer), real worker processes, and the test database helpers.
import { pino } from "pino";
import { startMessagesApi, lastToolResults, type MessagesApi } from "../test/doubles/messages-api.ts";
import { createTarget, type TargetKind, type TestTarget } from "../test/helpers/test-database.ts";
import { workerEnv, startWorker, type WorkerProcess } from "../test/worker/processes.ts";
import { openDatabase } from "../src/store/open-database.ts";
import { migrate } from "../src/store/migrate.ts";
import { startBoss } from "../src/queue/boss.ts";
import { queuePolicy } from "../src/queue/queue-policy.ts";
import { createTaskQueue, type TaskQueue } from "../src/queue/task-queue.ts";
import type { Database } from "../src/store/database.ts";
import { PgBoss } from "pg-boss";
import { fileURLToPath } from "node:url";
import { BARE_QUEUE, type BareRequest } from "./bare-worker.ts";

const barePath = fileURLToPath(new URL("./bare-worker.ts", import.meta.url));
export { BARE_QUEUE, type BareRequest };

export function benchTargets(): TargetKind[] {
  const only = process.argv[2];
  if (only === "pglite" || only === "postgres") return [only];
  return process.env["TEST_DATABASE_URL"] ? ["postgres", "pglite"] : ["pglite"];
}

export async function trivialModel(): Promise<MessagesApi> {
  return startMessagesApi({
    script: (req) => (lastToolResults(req).length ? { text: "done" } : { toolCalls: [{ name: "execute", input: { command: "true" } }] }),
  });
}

export interface Producer {
  db: Database;
  boss: PgBoss;
  queue: TaskQueue;
  close(): Promise<void>;
}

/** This process as a producer (`queue add` without spawning a process per task). */
export async function openProducer(target: TestTarget): Promise<Producer> {
  const db = await openDatabase(target.config, { role: "command" });
  await migrate(db);
  const boss = await startBoss(db, queuePolicy({ TASK_TIMEOUT_SECONDS: 600, WORKER_CONCURRENCY: 4 }), { supervise: false, logger: pino({ level: "silent" }) });
  return {
    db,
    boss,
    queue: createTaskQueue(db, boss, { maxQueueDepth: 100_000 }),
    async close() {
      await boss.stop({ graceful: false, close: true });
      await db.close();
    },
  };
}

export async function startWorkers(target: TestTarget, api: MessagesApi, count: number, concurrency: number): Promise<WorkerProcess[]> {
  const env = workerEnv(target, api.baseURL, { WORKER_CONCURRENCY: String(concurrency), LOG_LEVEL: "warn" });
  const workers: WorkerProcess[] = [];
  for (let i = 0; i < count; i++) {
    // "warn" hides the ready line; the pool logs it at info, so wait on the HTTP port instead.
    const w = startWorker({ ...env, LOG_LEVEL: "info" });
    await w.ready;
    workers.push(w);
  }
  return workers;
}

export async function stopWorkers(workers: WorkerProcess[]): Promise<void> {
  for (const w of workers) w.kill("SIGTERM");
  await Promise.all(workers.map((w) => w.exited));
}

export { createTarget };

/** The bare baseline's producer: pg-boss alone on the target, its queue created (with NOTIFY, as ours). */
export async function openBareProducer(target: TestTarget): Promise<{ boss: PgBoss; db: Database; close(): Promise<void> }> {
  const db = await openDatabase(target.config, { role: "command", prepareStatements: false });
  const boss = new PgBoss({ ...db.bossOptions(), supervise: false, schedule: false });
  boss.on("error", () => {});
  await boss.start();
  await boss.createQueue(BARE_QUEUE, { notify: true, retryLimit: 2 });
  return {
    boss,
    db,
    async close() {
      await boss.stop({ graceful: false, close: true });
      await db.close();
    },
  };
}

/** The product's first request of a task as the double received it, but for its model and messages: what a bare sending the same request sends. */
export function productRequest(api: MessagesApi): BareRequest {
  const first = api.requests.find((r) => r.body.messages.length === 1);
  if (!first) throw new Error("the product sent no first turn to copy");
  const { model: _model, messages: _messages, ...rest } = first.body;
  return rest as BareRequest;
}

/** Bare workers; with `request`, each call sends it (see bare-worker.ts), else a minimal one. */
export async function startBareWorkers(target: TestTarget, api: MessagesApi, count: number, concurrency: number, request?: BareRequest): Promise<WorkerProcess[]> {
  const env = workerEnv(target, api.baseURL, { WORKER_CONCURRENCY: String(concurrency), ...(request ? { BARE_REQUEST: JSON.stringify(request) } : {}) });
  const workers: WorkerProcess[] = [];
  for (let i = 0; i < count; i++) {
    const w = startWorker(env, [], barePath);
    await w.ready;
    workers.push(w);
  }
  return workers;
}
