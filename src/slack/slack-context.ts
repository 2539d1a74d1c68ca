// What every Slack part shares, built once per process by `deep-agent start` (or a test): the
// Web API clients, the records, the queue, who may use the bot, and the configured secrets that
// must never be posted.
import type { PgBoss } from "pg-boss";
import type { Config } from "../config/env.ts";
import { secretValues } from "../config/secrets.ts";
import { createScrubber, type Scrubber } from "../shared/scrub-secrets.ts";
import type { Logger } from "../shared/log.ts";
import type { Database } from "../store/database.ts";
import { createTaskRepo, type TaskRepo } from "../store/task-repo.ts";
import { createSlackMessageRepo, type SlackMessageRepo } from "../store/slack-message-repo.ts";
import { createTaskQueue, type TaskQueue } from "../queue/task-queue.ts";
import { createSlackClients, type SlackClients } from "./api/web-client.ts";
import { createPlanStyleMemo, type PlanStyleMemo } from "./thread/message-updater.ts";
import { createAccessPolicy, type AccessPolicy } from "./intake/access-policy.ts";
import { createRepositoryRepo, type RepositoryRepo } from "../store/repository-repo.ts";
import { createRepositoryService, type RepositoryService } from "../runtime/github-access.ts";
import { createUpdateBudget, type UpdateBudget, type UpdateBudgetOptions } from "./thread/update-budget.ts";
import { createSlackDirectory, type SlackDirectory } from "./api/directory.ts";
import { createFeedbackRepo, type FeedbackRepo } from "../store/feedback-repo.ts";
import { createTranscriptRepo } from "../store/transcript-repo.ts";
import { createTranscriptLinks, type TranscriptLinks } from "../tasks/transcript-links.ts";

export interface SlackContext {
  config: Config;
  logger: Logger;
  /** The bot token: attachments are downloaded with it. */
  token: string;
  db: Database;
  queue: TaskQueue;
  tasks: TaskRepo;
  messages: SlackMessageRepo;
  clients: SlackClients;
  planStyles: PlanStyleMemo;
  access: AccessPolicy;
  /** Takes configured secrets out of text; the Web API clients apply it to every call. */
  scrubber: Scrubber;
  /** Channel default repositories and tasks' repository records. */
  repos: RepositoryRepo;
  /** GitHub, to check a task's repository can be read before it is queued. */
  repositories: RepositoryService;
  /** The chat.update budget per workspace, shared by every progress card of the process. */
  updateBudget: UpdateBudget;
  /** People's names and channels' facts, cached. */
  directory: SlackDirectory;
  feedback: FeedbackRepo;
  /** Links to tasks' transcript pages. */
  transcripts: TranscriptLinks;
}

export interface SlackContextOptions {
  config: Config;
  logger: Logger;
  db: Database;
  boss: PgBoss;
  /** Given by tests; built from SLACK_BOT_TOKEN and SLACK_API_URL otherwise. */
  clients?: SlackClients;
  /** The chat.update budget's rate and clock (tests give a faster clock). */
  updateBudget?: UpdateBudgetOptions;
}

/** Null when Slack is not configured (no SLACK_BOT_TOKEN). */
export function createSlackContext(options: SlackContextOptions): SlackContext | null {
  const { config, db } = options;
  const token = config.SLACK_BOT_TOKEN;
  if (!token) return null;
  const logger = options.logger.child({ component: "slack" });
  const scrubber = createScrubber(secretValues(config));
  const clients = options.clients ?? createSlackClients({ token, apiUrl: config.SLACK_API_URL, logger, scrubber });
  return {
    config,
    logger,
    token,
    db,
    queue: createTaskQueue(db, options.boss, { maxQueueDepth: config.MAX_QUEUE_DEPTH }),
    tasks: createTaskRepo(db),
    messages: createSlackMessageRepo(db),
    clients,
    planStyles: createPlanStyleMemo(),
    access: createAccessPolicy(config),
    scrubber,
    repos: createRepositoryRepo(db),
    repositories: createRepositoryService(config, logger, scrubber),
    updateBudget: createUpdateBudget(options.updateBudget),
    directory: createSlackDirectory(clients.api, logger),
    feedback: createFeedbackRepo(db),
    transcripts: createTranscriptLinks({ publicUrl: config.PUBLIC_URL, secret: config.TRANSCRIPT_SECRET, repo: createTranscriptRepo(db) }),
  };
}
