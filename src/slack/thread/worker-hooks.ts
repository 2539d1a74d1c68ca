// The Slack side of running tasks, for any process with a worker pool (with or without the
// Slack listeners): progress messages, thread follow-ups, results. Follow-ups that arrive as a
// task finishes start the next task in the thread, as the intake would.
import type { PgBoss } from "pg-boss";
import { secretValues, type Config } from "../../config/env.ts";
import type { Logger } from "../../shared/log.ts";
import type { Database } from "../../store/database.ts";
import { createTaskQueue } from "../../queue/task-queue.ts";
import { createSlackMessageRepo } from "../../store/slack-message-repo.ts";
import type { TaskHooks } from "../../tasks/task-hooks.ts";
import { createSlackTaskHooks } from "./task-session.ts";
import { createSlackClients, type SlackClients } from "../api/web-client.ts";
import { createPlanStyleMemo, type PlanStyleMemo } from "./message-updater.ts";
import { createAccessPolicy } from "../intake/access-policy.ts";
import type { TaskStartContext } from "../intake/intake-context.ts";
import { startFromMessages } from "../intake/on-message.ts";

/** What both Slack roles (the listeners and the worker side) are built from. */
export interface SlackDeps {
  config: Config;
  logger: Logger;
  db: Database;
  boss: PgBoss;
  clients?: SlackClients;
  planStyles?: PlanStyleMemo;
}

export interface SlackWorkerHooksOptions extends SlackDeps {
  minUpdateIntervalMs?: number;
}

/** Null when Slack is not configured (no SLACK_BOT_TOKEN): tasks then run without a Slack side. */
export function createSlackWorkerHooks(options: SlackWorkerHooksOptions): TaskHooks | null {
  const { config, db } = options;
  const token = config.SLACK_BOT_TOKEN;
  if (!token) return null;
  const logger = options.logger.child({ component: "slack" });
  const clients = options.clients ?? createSlackClients({ token, apiUrl: config.SLACK_API_URL, logger });
  const planStyles = options.planStyles ?? createPlanStyleMemo();
  const starter: TaskStartContext = {
    config,
    logger,
    queue: createTaskQueue(db, options.boss, { maxQueueDepth: config.MAX_QUEUE_DEPTH }),
    messages: createSlackMessageRepo(db),
    clients,
    access: createAccessPolicy(config),
  };
  return createSlackTaskHooks({
    db,
    clients,
    token,
    model: config.AGENT_MODEL,
    secrets: secretValues(config),
    planStyles,
    logger,
    continueThread: (_task, messages) => startFromMessages(starter, messages),
    ...(options.minUpdateIntervalMs !== undefined ? { minUpdateIntervalMs: options.minUpdateIntervalMs } : {}),
  });
}
