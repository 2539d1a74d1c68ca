// Pick-up latency: from a task being added to the queue to a worker starting it, on an idle
// worker (one task at a time). Times come from the database clock on both ends.
// Run: npx node bench/queue-pickup.ts [postgres|pglite]   (postgres needs TEST_DATABASE_URL)
import { benchTargets, trivialModel, openProducer, startWorkers, stopWorkers, createTarget } from "./queue-common.ts";
import { percentile } from "./stats.ts";
import { createTaskRepo } from "../src/store/task-repo.ts";

const SAMPLES = Number(process.env["SAMPLES"] ?? 100);

for (const kind of benchTargets()) {
  const api = await trivialModel();
  const target = await createTarget(kind);
  try {
    // Create the schema first so the workers start on a migrated database.
    await (await openProducer(target)).close();
    const workers = await startWorkers(target, api, 1, 4);
    const producer = await openProducer(target);
    const tasks = createTaskRepo(producer.db);
    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const { task } = await producer.queue.enqueue({ text: `pickup ${i}`, source: "cli" });
      for (let waited = 0; ; waited += 5) {
        const t = await tasks.get(task.id);
        if (t?.attemptStartedAt) {
          latencies.push(t.attemptStartedAt.getTime() - t.createdAt.getTime());
          break;
        }
        if (waited > 30_000) throw new Error(`task ${task.id} was not picked up in 30 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      // Let the worker go idle again so every sample measures an idle pick-up.
      await new Promise((r) => setTimeout(r, 30));
    }
    await producer.close();
    await stopWorkers(workers);
    latencies.sort((a, b) => a - b);
    console.log(
      `pick-up latency on ${kind} (${SAMPLES} tasks, 1 worker process): median ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`,
    );
  } finally {
    await api.close();
    await target.cleanup();
  }
}
