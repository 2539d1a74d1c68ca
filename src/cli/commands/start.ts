// `deep-agent start [--no-slack] [--no-worker]`: the long-running process. Database migrated,
// pg-boss supervising, the HTTP server, the worker pool and (when configured) Slack intake.
// SIGTERM/SIGINT drain: no new work, running tasks get SHUTDOWN_GRACE_SECONDS, then are
// checkpointed and given back to the queue.
import { loadConfig, requireModelAccess, type Config } from "../../config/env.ts";
import { secretValues } from "../../config/secrets.ts";
import { createLogger, type Logger } from "../../shared/log.ts";
import { openQueueStack } from "../../queue/open-queue.ts";
import { createTaskRepo } from "../../store/task-repo.ts";
import { checkDatabase } from "../../store/readiness.ts";
import { startLiveness } from "../../shared/liveness.ts";
import type { WorkerPool } from "../../worker/pool.ts";
import { parseCommandArgs } from "../parse-args.ts";
import { usageError, exitCodes } from "../usage-error.ts";
import { createTaskLifecycle } from "../../tasks/lifecycle.ts";
import { startScheduler } from "../../schedule/scheduler.ts";
import { schedulePolicy } from "../../schedule/schedule-policy.ts";
import { createTranscripts } from "../../tasks/transcripts.ts";

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("start", args, {
    "no-slack": { type: "boolean", default: false },
    "no-worker": { type: "boolean", default: false },
  });
  if (positionals.length > 0) throw usageError(`start: takes no arguments (got "${positionals[0]}"); usage: deep-agent start [--no-slack] [--no-worker]`);
  const config = loadConfig();
  const graceMs = config.SHUTDOWN_GRACE_SECONDS * 1000;
  const host = config.HOST;
  if (!values["no-worker"]) requireModelAccess(config);
  const logger = createLogger({ level: config.LOG_LEVEL, secrets: secretValues(config) });
  return serve(config, logger, { worker: !values["no-worker"], slack: !values["no-slack"], graceMs, host });
}

async function serve(config: Config, logger: Logger, roles: { worker: boolean; slack: boolean; graceMs: number; host: string }): Promise<number> {
  // What was opened, closed in reverse order however start-up or shutdown goes.
  const closers: Array<() => Promise<void>> = [];
  // Each role's modules load only when it runs: Slack's with a bot token, the worker's with workers.
  // They load while the database connects: one waits on the CPU, the other on the network.
  const slackModule = config.SLACK_BOT_TOKEN ? import("../../slack/slack-parts.ts") : null;
  // The HTTP server and metrics (Hono, prom-client) too: needed only once the database is up.
  const httpModules = Promise.all([import("../../http/server.ts"), import("../../shared/metrics.ts")]);
  const workerRole = roles.worker ? loadWorkerRole(config, logger) : null;
  // Handled where they are awaited; until then a failure must not count as unhandled.
  slackModule?.catch(() => {});
  httpModules.catch(() => {});
  workerRole?.catch(() => {});
  closers.push(async () => (await workerRole?.catch(() => null))?.runtime.dispose());
  try {
    const stack = await openQueueStack(config, logger, { role: "server", supervise: true, schedule: true });
    closers.push(() => stack.close());
    logger.info({ database: stack.db.description }, "database ready");
    const [{ startHttpServer }, { registerQueueDepth }] = await httpModules;
    const tasks = createTaskRepo(stack.db);
    registerQueueDepth(() => tasks.openCounts());

    // Data flows one way: Slack → queue → worker → agent → the Slack thread. The Slack parts plug
    // into the lifecycle and the worker through their hooks, and the lifecycle into the listeners.
    const slack = slackModule ? (await slackModule).createSlackParts({ config, logger, db: stack.db, boss: stack.boss }) : null;
    const lifecycle = createTaskLifecycle({ db: stack.db, boss: stack.boss, hooks: slack?.hooks ?? null, logger });
    closers.push(async () => lifecycle.close());

    // Every start process runs pg-boss's cron pass (schedule: true above) and handles firings; each occurrence runs once.
    if (!slack) logger.info("scheduler: SLACK_BOT_TOKEN is not set; scheduled runs store their results without posting");
    const scheduler = await startScheduler({
      db: stack.db,
      boss: stack.boss,
      maxQueueDepth: config.MAX_QUEUE_DEPTH,
      notices: slack?.runNotices ?? null,
      logger,
      policy: schedulePolicy(config),
      ...(config.TEST_SCHEDULE_TICK_SECONDS ? { pollingIntervalSeconds: config.TEST_SCHEDULE_TICK_SECONDS } : {}),
    });
    closers.push(() => scheduler.stop());

    let pool: WorkerPool | null = null;
    if (workerRole) {
      const { runtime, WorkerPool } = await workerRole;
      pool = new WorkerPool({
        db: stack.db,
        boss: stack.boss,
        runtime,
        policy: stack.policy,
        concurrency: config.WORKER_CONCURRENCY,
        logger,
        lifecycle,
        hooks: slack?.hooks ?? null,
        ...(slack ? { approvals: slack.approvals } : {}),
      });
      await pool.start();
    } else logger.info("worker pool off (--no-worker)");

    const intake = roles.slack && slack ? await slack.createIntake(lifecycle) : null;
    const workers = pool;
    const liveness = startLiveness({ path: config.DATA_DIR });
    closers.push(async () => liveness.stop());
    const http = await startHttpServer({
      port: config.PORT,
      host: roles.host,
      logger,
      liveness: () => liveness.check(),
      readiness: async () => {
        const database = await checkDatabase(stack.db);
        return { ready: database.reachable && database.migrated, detail: { database, worker: workers ? { running: workers.active } : null } };
      },
      ...(intake?.httpHandler ? { slackHandler: intake.httpHandler } : {}),
      transcripts: createTranscripts(stack.db, config),
    });
    closers.push(() => http.close());

    if (!roles.slack) logger.info("Slack intake off (--no-slack)");
    else if (!intake) logger.info("Slack intake off: SLACK_BOT_TOKEN is not set");
    else {
      await intake.start();
      closers.push(() => intake.stop());
    }

    const signal = await waitForShutdown();
    logger.info({ signal }, "shutting down");
    // Whatever hangs (a blocked file pool, a stuck close), the process is gone soon after the grace period.
    setTimeout(() => {
      logger.error("shutdown did not finish in time; exiting");
      process.exit(1);
    }, roles.graceMs + 60_000).unref();
    // No new Slack work while running tasks drain.
    await intake?.stop();
    if (pool) await pool.drain(roles.graceMs);
    return exitCodes.ok;
  } finally {
    for (const close of closers.reverse()) await close().catch((error: unknown) => logger.warn({ err: error }, "shutdown step failed"));
    logger.info("stopped");
  }
}

/** The worker pool's modules and the task runtime (model client, sandbox provider, MCP configuration). */
async function loadWorkerRole(config: Config, logger: Logger) {
  const [{ createTaskRuntime }, { WorkerPool }] = await Promise.all([import("../../runtime/task-runtime.ts"), import("../../worker/pool.ts")]);
  return { runtime: await createTaskRuntime(config, logger), WorkerPool };
}

function waitForShutdown(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", on);
      process.off("SIGINT", on);
      // A second signal while draining ends the process at once.
      const hard = () => process.exit(130);
      process.once("SIGTERM", hard);
      process.once("SIGINT", hard);
      resolve(signal);
    };
    process.on("SIGTERM", on);
    process.on("SIGINT", on);
  });
}
