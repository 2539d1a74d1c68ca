// Throughput of trivial tasks (zero-latency scripted model, one `execute true` each) through the
// queue with one and two worker processes, next to bare pg-boss work() doing the same work
// (bench/bare-worker.ts), checking that no task ran twice. Two bares: one sending the product's
// own request (its system prompt, tool schemas and max_tokens, streamed, copied from the
// product's first request in the run), the target's baseline; and one sending a minimal request,
// for comparison: the model double runs on the same two cores and its CPU grows with the
// request. Each side runs alone on its own database, in turn, RUNS times. Two rates: from the
// first start to the last finish, and the steady rate, after the first fifth of the tasks finished. A worker that starts on a backlog
// fetches once a second until pg-boss's queue cache sees the backlog (its ready count comes from
// the monitor, every 2 s here): for the first seconds both sides run at that pace, which pulls
// the whole-run ratio towards 1.
// Run: npx node bench/queue-throughput.ts [postgres|pglite]   (postgres needs TEST_DATABASE_URL; TASKS=300 RUNS=3 PROCESSES=1,2)
import { taskTextOf } from "../test/worker/scripted-tasks.ts";
import {
  benchTargets,
  trivialModel,
  openProducer,
  openBareProducer,
  startWorkers,
  startBareWorkers,
  stopWorkers,
  createTarget,
  productRequest,
  BARE_QUEUE,
  type BareRequest,
} from "./queue-common.ts";
import { median } from "./stats.ts";

const TASKS = Number(process.env["TASKS"] ?? 300);
const RUNS = Number(process.env["RUNS"] ?? 3);
const CONCURRENCY = Number(process.env["WORKER_CONCURRENCY"] ?? 8);

interface Done {
  done: number;
  seconds: number;
  /** From the finish of the task at WARM to the last finish. */
  steadySeconds: number;
  note: string;
}

/** Finishes before this one are the ramp; the steady rate counts from here. */
const WARM = Math.ceil(TASKS / 5);

interface Rates {
  whole: number;
  steady: number;
}

type Which = "bare, same request" | "bare, minimal request" | "product";

/** Set by each product side: what the same-request bare sends. */
let sameRequest: BareRequest | undefined;

async function side(kind: "postgres" | "pglite", which: Which, processes: number): Promise<Rates> {
  const api = await trivialModel();
  const target = await createTarget(kind);
  try {
    const bare = which !== "product";
    if (bare) {
      const producer = await openBareProducer(target);
      for (let i = 0; i < TASKS; i++) await producer.boss.send(BARE_QUEUE, { text: `t${i}` });
      await producer.close();
    } else {
      const producer = await openProducer(target);
      for (let i = 0; i < TASKS; i++) await producer.queue.enqueue({ text: `t${i}`, source: "cli" });
      // The embedded database has one owner: hand it to the workers.
      await producer.close();
    }
    const request = which === "bare, same request" ? sameRequest : undefined;
    const workers = bare ? await startBareWorkers(target, api, processes, CONCURRENCY, request) : await startWorkers(target, api, processes, CONCURRENCY);
    const reader = await openProducer(target);
    let stats: Done;
    for (;;) {
      stats = bare ? await bareStats(reader.db) : await productStats(reader.db);
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
    if (!bare) sameRequest = productRequest(api);
    const rates = { whole: TASKS / stats.seconds, steady: (TASKS - WARM) / stats.steadySeconds };
    console.log(
      `  ${kind}, ${which}, ${processes} process(es) x ${CONCURRENCY}: ${TASKS} tasks in ${stats.seconds.toFixed(2)} s = ${rates.whole.toFixed(1)}/s, steady ${rates.steady.toFixed(1)}/s; ran twice: ${twice}${stats.note}`,
    );
    return rates;
  } finally {
    await api.close();
    await target.cleanup();
  }
}

type Reader = Awaited<ReturnType<typeof openProducer>>["db"];

async function productStats(db: Reader): Promise<Done> {
  const { rows } = await db.query<{ done: number; first: Date; warm: Date; last: Date; max_attempt: number; not_ok: number }>(
    `SELECT count(*) FILTER (WHERE finished_at IS NOT NULL)::int AS done, min(started_at) AS first, max(finished_at) AS last,
            (SELECT finished_at FROM tasks WHERE finished_at IS NOT NULL ORDER BY finished_at OFFSET $1 - 1 LIMIT 1) AS warm,
            max(attempt)::int AS max_attempt, count(*) FILTER (WHERE status IN ('failed','cancelled'))::int AS not_ok FROM tasks`,
    [WARM],
  );
  const r = rows[0]!;
  return { done: r.done, ...spans(r), note: `, highest attempt: ${r.max_attempt}, failed: ${r.not_ok}` };
}

function spans(r: { first: Date; warm: Date; last: Date }): Pick<Done, "seconds" | "steadySeconds"> {
  const last = new Date(r.last).getTime();
  return { seconds: (last - new Date(r.first).getTime()) / 1000, steadySeconds: (last - new Date(r.warm).getTime()) / 1000 };
}

async function bareStats(db: Reader): Promise<Done> {
  const { rows } = await db.query<{ done: number; first: Date; warm: Date; last: Date }>(
    `SELECT count(*) FILTER (WHERE state = 'completed')::int AS done, min(started_on) AS first, max(completed_on) AS last,
            (SELECT completed_on FROM pgboss.job WHERE name = $1 AND state = 'completed' ORDER BY completed_on OFFSET $2 - 1 LIMIT 1) AS warm
     FROM pgboss.job WHERE name = $1`,
    [BARE_QUEUE, WARM],
  );
  const r = rows[0]!;
  return { done: r.done, ...spans(r), note: "" };
}

for (const kind of benchTargets()) {
  for (const processes of (process.env["PROCESSES"] ?? "1,2").split(",").map(Number)) {
    const same: Rates[] = [];
    const minimal: Rates[] = [];
    const product: Rates[] = [];
    // The product first: the same-request bare copies its request.
    for (let run = 1; run <= RUNS; run++) {
      product.push(await side(kind, "product", processes));
      same.push(await side(kind, "bare, same request", processes));
      minimal.push(await side(kind, "bare, minimal request", processes));
    }
    const line = (rate: keyof Rates) => {
      const [s, m, p] = [same, minimal, product].map((rates) => median(rates.map((r) => r[rate])));
      return `deep-agent ${p!.toFixed(1)}/s; bare pg-boss, same request ${s!.toFixed(1)}/s, ratio ${(p! / s!).toFixed(2)}; minimal request ${m!.toFixed(1)}/s, ratio ${(p! / m!).toFixed(2)}`;
    };
    console.log(
      `throughput on ${kind}, ${processes} worker process${processes > 1 ? "es" : ""} x ${CONCURRENCY}, ${TASKS} trivial tasks (median of ${RUNS}), target ≥ 0.8 to the same request:\n` +
        `  whole run: ${line("whole")}\n  steady (after the first ${WARM} finished): ${line("steady")}`,
    );
  }
}
