// `deep-agent start [--no-slack] [--no-worker]`: the long-running process. Database migrated,
// pg-boss supervising, the HTTP server, the worker pool and (when configured) Slack intake.
// SIGTERM/SIGINT drain: no new work, running tasks get SHUTDOWN_GRACE_SECONDS, then are
// checkpointed and given back to the queue.
import { loadConfig, requireModelAccess, secretValues, type Config } from "../../config/env.ts";
import { createLogger, type Logger } from "../../shared/log.ts";
import { openQueueStack } from "../../queue/open-queue.ts";
import { createTaskRepo } from "../../store/task-repo.ts";
import { checkDatabase } from "../../store/readiness.ts";
import { startHttpServer } from "../../http/server.ts";
import { registerQueueDepth } from "../../shared/metrics.ts";
import { WorkerPool } from "../../worker/pool.ts";
import { createTaskRuntime, type TaskRuntime } from "../../runtime/task-runtime.ts";
import { parseCommandArgs } from "../parse-args.ts";
import { UsageError, exitCodes } from "../usage-error.ts";
import { createSlackIntake, type SlackIntake } from "../../slack/intake/slack-app.ts";
import { createSlackWorkerHooks } from "../../slack/thread/worker-hooks.ts";
import { createSlackClients } from "../../slack/api/web-client.ts";
import { createPlanStyleMemo } from "../../slack/thread/message-updater.ts";
import { startSchedulerRole } from "../scheduler-role.ts";
import { scheduleSubcommands } from "../../slack/schedules/subcommands.ts";

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("start", args, {
    "no-slack": { type: "boolean", default: false },
    "no-worker": { type: "boolean", default: false },
  });
  if (positionals.length > 0) throw new UsageError(`start: takes no arguments (got "${positionals[0]}"); usage: deep-agent start [--no-slack] [--no-worker]`);
  const config = loadConfig();
  const graceMs = config.SHUTDOWN_GRACE_SECONDS * 1000;
  const host = config.HOST;
  if (!values["no-worker"]) requireModelAccess(config);
  const logger = createLogger({ level: config.LOG_LEVEL, secrets: secretValues(config) });
  return serve(config, logger, { worker: !values["no-worker"], slack: !values["no-slack"], graceMs, host });
}

async function serve(config: Config, logger: Logger, roles: { worker: boolean; slack: boolean; graceMs: number; host: string }): Promise<number> {
  const stack = await openQueueStack(config, logger, { role: "server", supervise: true, schedule: true });
  logger.info({ database: stack.db.description }, "database ready");
  const tasks = createTaskRepo(stack.db);
  registerQueueDepth(() => tasks.openCounts());
  const cleanup: Array<() => Promise<void>> = [() => stack.close()];
  let pool: WorkerPool | null = null;
  let runtime: TaskRuntime | null = null;
  try {
    // One set of Slack clients for the intake and the workers' progress messages.
    const slack = config.SLACK_BOT_TOKEN
      ? { clients: createSlackClients({ token: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL, logger }), planStyles: createPlanStyleMemo() }
      : null;
    const intake: SlackIntake | null =
      roles.slack && slack
        ? await createSlackIntake({ config, logger, db: stack.db, boss: stack.boss, ...slack, subcommands: scheduleSubcommands({ db: stack.db, boss: stack.boss, client: slack.clients.api, config }) })
        : null;
    const http = await startHttpServer({
      port: config.PORT,
      host: roles.host,
      logger,
      readiness: async () => {
        const database = await checkDatabase(stack.db);
        return { ready: database.reachable && database.migrated, detail: { database, worker: pool ? { running: pool.active } : null } };
      },
      ...(intake?.httpHandler ? { slackHandler: intake.httpHandler } : {}),
    });
    cleanup.unshift(() => http.close());
    if (intake) cleanup.unshift(() => intake.stop());

    if (roles.worker) {
      runtime = await createTaskRuntime(config, logger);
      const rt = runtime;
      cleanup.splice(1, 0, () => rt.dispose());
      const hooks = slack ? createSlackWorkerHooks({ config, logger, db: stack.db, boss: stack.boss, ...slack }) : null;
      pool = new WorkerPool({ db: stack.db, boss: stack.boss, runtime, policy: stack.policy, concurrency: config.WORKER_CONCURRENCY, logger, ...(hooks ? { hooks } : {}) });
      await pool.start();
    } else logger.info("worker pool off (--no-worker)");

    // Every start process runs pg-boss's cron pass (schedule: true above) and handles firings; each occurrence runs once.
    const scheduler = await startSchedulerRole(stack, config, logger, slack ? { slackClient: slack.clients.api } : {});
    cleanup.splice(cleanup.length - 1, 0, () => scheduler.stop());

    if (!roles.slack) logger.info("Slack intake off (--no-slack)");
    else if (!config.SLACK_BOT_TOKEN) logger.info("Slack intake off: SLACK_BOT_TOKEN is not set");
    else await intake!.start();

    const signal = await waitForShutdown();
    logger.info({ signal }, "shutting down");
    // No new Slack work while running tasks drain.
    await intake?.stop();
    if (pool) await pool.drain(roles.graceMs);
    return exitCodes.ok;
  } finally {
    for (const step of cleanup) await step().catch((error: unknown) => logger.warn({ err: error }, "shutdown step failed"));
    logger.info("stopped");
  }
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
