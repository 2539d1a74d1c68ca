// Throughput of trivial tasks (zero-latency scripted model, one `execute true` each) through the
// queue with one and two worker processes, checking that no task ran twice.
// Run: npx node bench/queue-throughput.ts [postgres|pglite]   (postgres needs TEST_DATABASE_URL)
import { taskTextOf } from "../test/worker/scripted-tasks.ts";
import { benchTargets, trivialModel, openProducer, startWorkers, stopWorkers, createTarget } from "./queue-common.ts";

const TASKS = Number(process.env["TASKS"] ?? 600);
const CONCURRENCY = Number(process.env["WORKER_CONCURRENCY"] ?? 8);

for (const kind of benchTargets()) {
  for (const processes of [1, 2]) {
    const api = await trivialModel();
    const target = await createTarget(kind);
    try {
      const producer = await openProducer(target);
      const ids: string[] = [];
      for (let i = 0; i < TASKS; i++) ids.push((await producer.queue.enqueue({ text: `t${i}`, source: "cli" })).task.id);
      // The embedded database has one owner: hand it to the workers.
      await producer.close();
      const workers = await startWorkers(target, api, processes, CONCURRENCY);
      const reader = await openProducer(target);
      let stats: { done: number; first: Date; last: Date; maxAttempt: number; notOk: number };
      for (;;) {
        const { rows } = await reader.db.query<{ done: number; first: Date; last: Date; max_attempt: number; not_ok: number }>(
          `SELECT count(*) FILTER (WHERE finished_at IS NOT NULL)::int AS done, min(started_at) AS first, max(finished_at) AS last,
                  max(attempt)::int AS max_attempt, count(*) FILTER (WHERE status IN ('failed','cancelled'))::int AS not_ok FROM tasks`,
        );
        const r = rows[0]!;
        stats = { done: r.done, first: new Date(r.first), last: new Date(r.last), maxAttempt: r.max_attempt, notOk: r.not_ok };
        if (stats.done >= TASKS) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      await reader.close();
      await stopWorkers(workers);
      const seconds = (stats.last.getTime() - stats.first.getTime()) / 1000;
      const firstTurns = new Map<string, number>();
      for (const req of api.requests) {
        if (req.body.messages.length !== 1) continue;
        const text = taskTextOf(req);
        firstTurns.set(text, (firstTurns.get(text) ?? 0) + 1);
      }
      const twice = [...firstTurns.values()].filter((n) => n > 1).length;
      console.log(
        `throughput on ${kind}, ${processes} worker process${processes > 1 ? "es" : ""} x ${CONCURRENCY}: ${TASKS} tasks in ${seconds.toFixed(2)} s = ${(TASKS / seconds).toFixed(1)} tasks/s; ` +
          `ran twice: ${twice}, highest attempt: ${stats.maxAttempt}, failed: ${stats.notOk}`,
      );
    } finally {
      await api.close();
      await target.cleanup();
    }
  }
}
