// Throughput of trivial tasks (zero-latency scripted model, one `execute true` each) through the
// queue with one and two worker processes, next to bare pg-boss work() doing the same work
// (bench/bare-worker.ts), checking that no task ran twice. Each side runs alone on its own
// database, alternating, RUNS times; time runs from the first start to the last finish.
// Run: npx node bench/queue-throughput.ts [postgres|pglite]   (postgres needs TEST_DATABASE_URL; TASKS=300 RUNS=3 PROCESSES=1,2)
import { taskTextOf } from "../test/worker/scripted-tasks.ts";
import { benchTargets, trivialModel, openProducer, openBareProducer, startWorkers, startBareWorkers, stopWorkers, createTarget, BARE_QUEUE } from "./queue-common.ts";
import { median } from "./stats.ts";

const TASKS = Number(process.env["TASKS"] ?? 300);
const RUNS = Number(process.env["RUNS"] ?? 3);
const CONCURRENCY = Number(process.env["WORKER_CONCURRENCY"] ?? 8);

interface Done {
  done: number;
  seconds: number;
  note: string;
}

async function side(kind: "postgres" | "pglite", which: "bare" | "product", processes: number): Promise<number> {
  const api = await trivialModel();
  const target = await createTarget(kind);
  try {
    if (which === "bare") {
      const producer = await openBareProducer(target);
      for (let i = 0; i < TASKS; i++) await producer.boss.send(BARE_QUEUE, { text: `t${i}` });
      await producer.close();
    } else {
      const producer = await openProducer(target);
      for (let i = 0; i < TASKS; i++) await producer.queue.enqueue({ text: `t${i}`, source: "cli" });
      // The embedded database has one owner: hand it to the workers.
      await producer.close();
    }
    const workers = which === "bare" ? await startBareWorkers(target, api, processes, CONCURRENCY) : await startWorkers(target, api, processes, CONCURRENCY);
    const reader = await openProducer(target);
    let stats: Done;
    for (;;) {
      stats = which === "bare" ? await bareStats(reader.db) : await productStats(reader.db);
      if (stats.done >= TASKS) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await reader.close();
    await stopWorkers(workers);
    const firstTurns = new Map<string, number>();
    for (const req of api.requests) {
      if (req.body.messages.length !== 1) continue;
      const text = taskTextOf(req);
      firstTurns.set(text, (firstTurns.get(text) ?? 0) + 1);
    }
    const twice = [...firstTurns.values()].filter((n) => n > 1).length;
    const rate = TASKS / stats.seconds;
    console.log(`  ${kind}, ${which}, ${processes} process(es) x ${CONCURRENCY}: ${TASKS} tasks in ${stats.seconds.toFixed(2)} s = ${rate.toFixed(1)}/s; ran twice: ${twice}${stats.note}`);
    return rate;
  } finally {
    await api.close();
    await target.cleanup();
  }
}

type Reader = Awaited<ReturnType<typeof openProducer>>["db"];

async function productStats(db: Reader): Promise<Done> {
  const { rows } = await db.query<{ done: number; first: Date; last: Date; max_attempt: number; not_ok: number }>(
    `SELECT count(*) FILTER (WHERE finished_at IS NOT NULL)::int AS done, min(started_at) AS first, max(finished_at) AS last,
            max(attempt)::int AS max_attempt, count(*) FILTER (WHERE status IN ('failed','cancelled'))::int AS not_ok FROM tasks`,
  );
  const r = rows[0]!;
  return { done: r.done, seconds: (new Date(r.last).getTime() - new Date(r.first).getTime()) / 1000, note: `, highest attempt: ${r.max_attempt}, failed: ${r.not_ok}` };
}

async function bareStats(db: Reader): Promise<Done> {
  const { rows } = await db.query<{ done: number; first: Date; last: Date }>(
    `SELECT count(*) FILTER (WHERE state = 'completed')::int AS done, min(started_on) AS first, max(completed_on) AS last FROM pgboss.job WHERE name = $1`,
    [BARE_QUEUE],
  );
  const r = rows[0]!;
  return { done: r.done, seconds: (new Date(r.last).getTime() - new Date(r.first).getTime()) / 1000, note: "" };
}

for (const kind of benchTargets()) {
  for (const processes of (process.env["PROCESSES"] ?? "1,2").split(",").map(Number)) {
    const bare: number[] = [];
    const product: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      bare.push(await side(kind, "bare", processes));
      product.push(await side(kind, "product", processes));
    }
    console.log(
      `throughput on ${kind}, ${processes} worker process${processes > 1 ? "es" : ""} x ${CONCURRENCY}, ${TASKS} trivial tasks (median of ${RUNS}): ` +
        `bare pg-boss ${median(bare).toFixed(1)}/s, deep-agent ${median(product).toFixed(1)}/s, ratio ${(median(product) / median(bare)).toFixed(2)} (target ≥ 0.8)`,
    );
  }
}
