// The scheduler as `deep-agent start` runs it: on the process's queue stack (opened with
// `schedule: true`, so pg-boss's cron pass runs here too), posting in Slack when SLACK_BOT_TOKEN
// is set. Start calls this once the stack is open and stop() before the stack closes.
import type { WebClient } from "@slack/web-api";
import type { Config } from "../config/env.ts";
import type { Logger } from "../shared/log.ts";
import type { QueueStack } from "../queue/open-queue.ts";
import { createSlackClients } from "../slack/api/web-client.ts";
import { createSlackRunNotices } from "../slack/schedules/run-notices.ts";
import { startScheduler, type Scheduler } from "../schedule/scheduler.ts";
import { schedulePolicy } from "../schedule/schedule-policy.ts";

export async function startSchedulerRole(
  stack: Pick<QueueStack, "db" | "boss">,
  config: Config,
  logger: Logger,
  options: { slackClient?: WebClient } = {},
): Promise<Scheduler> {
  const client = options.slackClient ?? (config.SLACK_BOT_TOKEN ? createSlackClients({ token: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL, logger }).api : null);
  if (!client) logger.info("scheduler: SLACK_BOT_TOKEN is not set; scheduled runs store their results without posting");
  return startScheduler({
    db: stack.db,
    boss: stack.boss,
    maxQueueDepth: config.MAX_QUEUE_DEPTH,
    notices: client ? createSlackRunNotices(client, stack.db, logger) : null,
    logger,
    policy: schedulePolicy(config),
    ...(config.TEST_SCHEDULE_TICK_SECONDS ? { pollingIntervalSeconds: config.TEST_SCHEDULE_TICK_SECONDS } : {}),
  });
}
