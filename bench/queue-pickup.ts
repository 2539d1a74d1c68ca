// Pick-up latency: from a task's commit (enqueue resolved) to the worker's first model request,
// on an idle worker process (one task at a time), next to bare pg-boss work() doing the same
// (bench/bare-worker.ts). Both sides alternate, RUNS times, each alone on its own database.
// Run: npx node bench/queue-pickup.ts [postgres|pglite]   (postgres needs TEST_DATABASE_URL; SAMPLES=30 RUNS=3)
import { startMessagesApi, lastToolResults } from "../test/doubles/messages-api.ts";
import { taskTextOf } from "../test/worker/scripted-tasks.ts";
import { benchTargets, openProducer, openBareProducer, startWorkers, startBareWorkers, stopWorkers, createTarget, BARE_QUEUE } from "./queue-common.ts";
import { median, percentile } from "./stats.ts";

const SAMPLES = Number(process.env["SAMPLES"] ?? 30);
const RUNS = Number(process.env["RUNS"] ?? 3);

async function side(kind: "postgres" | "pglite", which: "bare" | "product"): Promise<number[]> {
  const firstRequest = new Map<string, number>();
  const api = await startMessagesApi({
    script: (req) => {
      // When the request had arrived, before the double's own checks (whose cost grows with its size).
      if (req.body.messages.length === 1) firstRequest.set(taskTextOf(req), req.receivedAt);
      return lastToolResults(req).length ? { text: "done" } : { toolCalls: [{ name: "execute", input: { command: "true" } }] };
    },
  });
  const target = await createTarget(kind);
  try {
    // The schema first, so the workers start on a migrated database with the queue in place.
    await (which === "bare" ? openBareProducer(target) : openProducer(target)).then((p) => p.close());
    const workers = which === "bare" ? await startBareWorkers(target, api, 1, 4) : await startWorkers(target, api, 1, 4);
    const product = which === "product" ? await openProducer(target) : null;
    const bare = which === "bare" ? await openBareProducer(target) : null;
    const latencies: number[] = [];
    for (let i = 0; i <= SAMPLES; i++) {
      const text = `pickup ${i}`;
      if (product) await product.queue.enqueue({ text, source: "cli" });
      else await bare!.boss.send(BARE_QUEUE, { text });
      const committed = performance.now();
      for (let waited = 0; !firstRequest.has(text); waited++) {
        if (waited > 30_000) throw new Error(`${which}: task "${text}" was not picked up in 30 s`);
        await new Promise((r) => setTimeout(r, 1));
      }
      // The first one warms the worker (connections, code paths).
      if (i > 0) latencies.push(firstRequest.get(text)! - committed);
      // Let the worker finish and go idle again so every sample measures an idle pick-up.
      await new Promise((r) => setTimeout(r, 50));
    }
    await (product ?? bare)!.close();
    await stopWorkers(workers);
    return latencies;
  } finally {
    await api.close();
    await target.cleanup();
  }
}

for (const kind of benchTargets()) {
  const bare: number[] = [];
  const product: number[] = [];
  const all: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const b = await side(kind, "bare");
    const p = await side(kind, "product");
    bare.push(median(b));
    product.push(median(p));
    all.push(...p);
    console.log(`  ${kind} run ${run}: bare pg-boss ${median(b).toFixed(1)} ms, deep-agent ${median(p).toFixed(1)} ms (p99 ${percentile(p, 99).toFixed(1)} ms)`);
  }
  console.log(
    `pick-up on ${kind}, commit → first model request (median of ${RUNS} runs × ${SAMPLES} tasks, 1 worker process): ` +
      `bare pg-boss work() ${median(bare).toFixed(1)} ms, deep-agent ${median(product).toFixed(1)} ms, ratio ${(median(product) / median(bare)).toFixed(2)}× (target ≤ 1.5×); ` +
      `deep-agent p99 ${percentile(all, 99).toFixed(1)} ms`,
  );
}
