// The real worker pool for the Slack tests, with the Slack hooks and the lifecycle a
// `deep-agent start` process has.
import type { Config } from "../../src/config/env.ts";
import type { Logger } from "../../src/shared/log.ts";
import type { QueueStack } from "../../src/queue/open-queue.ts";
import type { TaskHooks } from "../../src/tasks/task-hooks.ts";
import type { TaskLifecycle } from "../../src/tasks/lifecycle.ts";
import { createTaskRuntime } from "../../src/runtime/task-runtime.ts";
import { WorkerPool } from "../../src/worker/pool.ts";

export interface SlackWorker {
  pool: WorkerPool;
  stop(): Promise<void>;
}

export async function startSlackWorker(o: { config: Config; logger: Logger; stack: QueueStack; hooks: TaskHooks; lifecycle: TaskLifecycle }): Promise<SlackWorker> {
  const runtime = await createTaskRuntime(o.config, o.logger);
  const pool = new WorkerPool({
    db: o.stack.db,
    boss: o.stack.boss,
    runtime,
    policy: o.stack.policy,
    concurrency: o.config.WORKER_CONCURRENCY,
    logger: o.logger,
    lifecycle: o.lifecycle,
    hooks: o.hooks,
  });
  await pool.start();
  return {
    pool,
    async stop() {
      await pool.drain(2_000);
      await runtime.dispose();
    },
  };
}
