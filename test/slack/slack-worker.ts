// The real worker pool for the Slack tests, with the Slack hooks a `deep-agent start` process has.
import type { Config } from "../../src/config/env.ts";
import type { Logger } from "../../src/shared/log.ts";
import type { QueueStack } from "../../src/queue/open-queue.ts";
import type { SlackIntake } from "../../src/slack/intake/slack-app.ts";
import type { SlackClients } from "../../src/slack/api/web-client.ts";
import type { PlanStyleMemo } from "../../src/slack/thread/message-updater.ts";
import { createSlackWorkerHooks } from "../../src/slack/thread/worker-hooks.ts";
import { createTaskRuntime } from "../../src/runtime/task-runtime.ts";
import { WorkerPool } from "../../src/worker/pool.ts";

export interface SlackWorker {
  pool: WorkerPool;
  stop(): Promise<void>;
}

export async function startSlackWorker(o: { config: Config; logger: Logger; stack: QueueStack; clients: SlackClients; planStyles: PlanStyleMemo; intake: SlackIntake }): Promise<SlackWorker> {
  const runtime = await createTaskRuntime(o.config, o.logger);
  // Progress messages may be updated every 100 ms rather than every second, so a task's last
  // update does not wait out the second. (The pacing itself is tested in message-updater.test.ts.)
  const hooks = createSlackWorkerHooks({ config: o.config, logger: o.logger, db: o.stack.db, boss: o.stack.boss, clients: o.clients, planStyles: o.planStyles, minUpdateIntervalMs: 100 });
  const pool = new WorkerPool({
    db: o.stack.db,
    boss: o.stack.boss,
    runtime,
    policy: o.stack.policy,
    concurrency: o.config.WORKER_CONCURRENCY,
    logger: o.logger,
    ...(hooks ? { hooks } : {}),
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
