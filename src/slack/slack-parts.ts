// Slack as `deep-agent start` plugs it in: the hooks the worker and the lifecycle call (progress
// card, thread follow-ups, final state and result), the scheduler's notices (runs posted in their
// channel), and the listeners (Bolt), started once the lifecycle they cancel through exists.
import type { PgBoss } from "pg-boss";
import type { RunNotices } from "../schedule/run-notices.ts";
import type { TaskLifecycle } from "../tasks/lifecycle.ts";
import type { TaskHooks } from "../tasks/task-hooks.ts";
import { createApprovalDesk, type ApprovalDesk } from "../tasks/approvals.ts";
import { createApprovalPolicy } from "../tasks/approval-policy.ts";
import { createSlackContext, type SlackContext, type SlackContextOptions } from "./slack-context.ts";
import { createSlackTaskHooks } from "./thread/task-hooks.ts";
import { startFromMessages } from "./intake/on-message.ts";
import type { SlackIntake } from "./intake/slack-app.ts";
import type { ExtraSubcommand } from "./intake/intake-context.ts";
import { createSlackRunNotices } from "./schedules/run-notices.ts";
import { registerFeedbackCounts } from "../shared/metrics.ts";

export interface SlackParts {
  context: SlackContext;
  hooks: TaskHooks;
  runNotices: RunNotices;
  /** Approval requests: decided from their buttons here, and waited on by the worker pool. */
  approvals: ApprovalDesk;
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
  const hooks = createSlackTaskHooks(context, {
    continueThread: (messages) => startFromMessages(context, messages),
    ...(options.minUpdateIntervalMs !== undefined ? { minUpdateIntervalMs: options.minUpdateIntervalMs } : {}),
    ...(options.statusRefreshMs !== undefined ? { statusRefreshMs: options.statusRefreshMs } : {}),
  });
  const approvals = createApprovalDesk({ db: context.db, boss, hooks, logger: context.logger, policy: createApprovalPolicy(context.config) });
  return {
    context,
    hooks,
    runNotices: createSlackRunNotices(context.clients.api, context.logger, context.access),
    approvals,
    async createIntake(lifecycle, extra = {}) {
      // Bolt and the listeners are loaded only by a process that listens (not by `queue`, nor a worker-only start).
      const [{ createSlackIntake }, { scheduleSubcommands }, { usageSubcommand }, { repoSubcommand }] = await Promise.all([
        import("./intake/slack-app.ts"),
        import("./schedules/subcommands.ts"),
        import("./intake/usage-command.ts"),
        import("./intake/repo-command.ts"),
      ]);
      return createSlackIntake({
        slack: context,
        lifecycle,
        approvals,
        subcommands: {
          ...scheduleSubcommands({ db: context.db, boss, client: context.clients.api, config: context.config, directory: context.directory }),
          usage: usageSubcommand({ db: context.db, model: context.config.AGENT_MODEL }),
          repo: repoSubcommand(context),
          ...extra,
        },
      });
    },
  };
}
