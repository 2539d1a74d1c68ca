// Slack as `deep-agent start` plugs it in: the hooks the worker and the lifecycle call (progress
// card, thread follow-ups, final state and result), the scheduler's notices (runs posted in their
// channel), and the listeners (Bolt), started once the lifecycle they cancel through exists.
import type { PgBoss } from "pg-boss";
import type { RunNotices } from "../schedule/run-notices.ts";
import type { TaskLifecycle } from "../tasks/lifecycle.ts";
import type { TaskHooks } from "../tasks/task-hooks.ts";
import { createSlackContext, type SlackContext, type SlackContextOptions } from "./slack-context.ts";
import { createSlackTaskHooks } from "./thread/task-hooks.ts";
import { startFromMessages } from "./intake/on-message.ts";
import { createSlackIntake, type SlackIntake } from "./intake/slack-app.ts";
import type { ExtraSubcommand } from "./intake/intake-context.ts";
import { createSlackRunNotices } from "./schedules/run-notices.ts";
import { scheduleSubcommands } from "./schedules/subcommands.ts";
import { registerFeedbackCounts } from "../shared/metrics.ts";

export interface SlackParts {
  context: SlackContext;
  hooks: TaskHooks;
  runNotices: RunNotices;
  /** The Bolt app with its listeners (not yet connected: call start()); `extra` subcommands join the schedule ones. */
  createIntake(lifecycle: TaskLifecycle, extra?: Record<string, ExtraSubcommand>): Promise<SlackIntake>;
}

export interface SlackPartsOptions extends SlackContextOptions {
  /** Shortest gap between two live updates of one progress card (tests shorten it). */
  minUpdateIntervalMs?: number;
  /** How often a working task's status line is set again (tests shorten it). */
  statusRefreshMs?: number;
}

/** Null when Slack is not configured (no SLACK_BOT_TOKEN): tasks then run without a Slack side. */
export function createSlackParts(options: SlackPartsOptions): SlackParts | null {
  const context = createSlackContext(options);
  if (!context) return null;
  const boss: PgBoss = options.boss;
  registerFeedbackCounts(() => context.feedback.counts());
  return {
    context,
    hooks: createSlackTaskHooks(context, {
      continueThread: (messages) => startFromMessages(context, messages),
      ...(options.minUpdateIntervalMs !== undefined ? { minUpdateIntervalMs: options.minUpdateIntervalMs } : {}),
      ...(options.statusRefreshMs !== undefined ? { statusRefreshMs: options.statusRefreshMs } : {}),
    }),
    runNotices: createSlackRunNotices(context.clients.api, context.logger, context.access),
    createIntake: (lifecycle, extra = {}) =>
      createSlackIntake({
        slack: context,
        lifecycle,
        subcommands: { ...scheduleSubcommands({ db: context.db, boss, client: context.clients.api, config: context.config, directory: context.directory }), ...extra },
      }),
  };
}
