// Everything the Slack listeners share: the queue and records, the Web API clients, who the
// bot is, the policies from configuration.
import type { Config } from "../../config/env.ts";
import type { Logger } from "../../shared/log.ts";
import type { Database } from "../../store/database.ts";
import type { TaskQueue } from "../../queue/task-queue.ts";
import { createTaskRepo, type TaskRepo } from "../../store/task-repo.ts";
import { createSlackMessageRepo, type SlackMessageRepo } from "../../store/slack-message-repo.ts";
import type { SlackClients } from "../api/web-client.ts";
import type { PlanStyleMemo } from "../thread/message-updater.ts";
import { createAccessPolicy, type AccessPolicy } from "./access-policy.ts";
import type { BotIdentity } from "./incoming-message.ts";

/** A `/agent` subcommand registered by another part of the product (e.g. schedules). */
export interface ExtraSubcommand {
  /** A line for the help text. */
  help: string;
  run(args: string, caller: { userId: string; channelId: string; teamId?: string; admin: boolean }): Promise<{ text: string; visibility: "in_channel" | "ephemeral" }>;
}

export interface IntakeContext {
  config: Config;
  logger: Logger;
  db: Database;
  queue: TaskQueue;
  tasks: TaskRepo;
  messages: SlackMessageRepo;
  clients: SlackClients;
  bot: BotIdentity & { teamId?: string };
  access: AccessPolicy;
  planStyles: PlanStyleMemo;
  secrets: readonly string[];
  /** Work started after an ack, awaited at shutdown. */
  background: Set<Promise<unknown>>;
  subcommands: Readonly<Record<string, ExtraSubcommand>>;
}

export function createIntakeContext(input: Omit<IntakeContext, "tasks" | "messages" | "access" | "background" | "subcommands"> & { subcommands?: Record<string, ExtraSubcommand> }): IntakeContext {
  return {
    ...input,
    subcommands: input.subcommands ?? {},
    tasks: createTaskRepo(input.db),
    messages: createSlackMessageRepo(input.db),
    access: createAccessPolicy(input.config),
    background: new Set(),
  };
}

/** What starting a task needs (a worker that continues a thread has this much, without the listeners). */
export type TaskStartContext = Pick<IntakeContext, "config" | "logger" | "queue" | "messages" | "clients" | "access">;

/** Runs work after the request was acknowledged, keeping track of it for shutdown. */
export function inBackground(ctx: IntakeContext, what: string, work: () => Promise<unknown>): void {
  const job = work()
    .catch((error: unknown) => ctx.logger.warn({ err: error }, "slack: %s failed", what))
    .finally(() => ctx.background.delete(job));
  ctx.background.add(job);
}
