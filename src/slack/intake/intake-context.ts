// What the Slack listeners share beyond the Slack context: who the bot is, the task lifecycle
// (cancels), the `/agent` subcommands of other parts (schedules), and the work started after an
// acknowledgement, which shutdown waits for.
import type { TaskLifecycle } from "../../tasks/lifecycle.ts";
import type { ApprovalDesk } from "../../tasks/approvals.ts";
import type { SlackContext } from "../slack-context.ts";
import type { BotIdentity } from "./incoming-message.ts";

/** A `/agent` subcommand registered by another part of the product (e.g. schedules). */
export interface ExtraSubcommand {
  /** A line for the help text. */
  help: string;
  run(args: string, caller: { userId: string; channelId: string; teamId?: string; admin: boolean }): Promise<{ text: string; visibility: "in_channel" | "ephemeral" }>;
}

export interface IntakeContext extends SlackContext {
  bot: BotIdentity & { teamId?: string };
  lifecycle: TaskLifecycle;
  /** Decides approval requests (the Approve / Deny buttons). */
  approvals?: ApprovalDesk;
  /** Work started after an ack, awaited at shutdown. */
  background: Set<Promise<unknown>>;
  subcommands: Readonly<Record<string, ExtraSubcommand>>;
}
