// The schedule commands as `/agent` subcommands of the Slack app: `schedule`, `schedules` and
// `unschedule`, registered through createSlackIntake({ subcommands }).
import type { WebClient } from "@slack/web-api";
import type { PgBoss } from "pg-boss";
import type { Database } from "../../store/database.ts";
import type { Config } from "../../config/env.ts";
import type { ExtraSubcommand } from "../intake/intake-context.ts";
import type { SlackDirectory } from "../api/directory.ts";
import { createScheduleService } from "../../schedule/schedule-service.ts";
import { schedulePolicy } from "../../schedule/schedule-policy.ts";
import { handleScheduleCommand, slackUserTimeZone, type ScheduleSubcommand } from "./schedule-command.ts";

const HELP: Record<ScheduleSubcommand, string> = {
  schedule:
    '• `/agent schedule "<cron>" <task> [--tz Area/City]` — run a task on a schedule, posting each run here (your Slack time zone unless --tz); `/agent schedule resume <id>` restarts a paused one',
  schedules: "• `/agent schedules` — this channel's schedules, next runs and last outcomes",
  unschedule: "• `/agent unschedule <id>` — remove a schedule you made (admins: any)",
};

export function scheduleSubcommands(options: {
  db: Database;
  boss: PgBoss;
  client: WebClient;
  config?: Pick<Config, "MAX_SCHEDULES_PER_CHANNEL" | "SCHEDULE_PAUSE_AFTER_FAILURES">;
  /** Asks Slack whether the bot is in a channel before a schedule posts there. */
  directory?: SlackDirectory;
}): Record<ScheduleSubcommand, ExtraSubcommand> {
  const service = createScheduleService(options.db, options.boss, schedulePolicy(options.config));
  const subcommand = (name: ScheduleSubcommand): ExtraSubcommand => ({
    help: HELP[name],
    run: (args, caller) =>
      handleScheduleCommand(name, args, {
        service,
        userId: caller.userId,
        channelId: caller.channelId,
        ...(caller.teamId ? { teamId: caller.teamId } : {}),
        admin: caller.admin,
        userTimeZone: () => slackUserTimeZone(options.client, caller.userId),
        ...(options.directory ? { botInChannel: () => botIn(options.directory!, caller.channelId) } : {}),
      }),
  });
  return { schedule: subcommand("schedule"), schedules: subcommand("schedules"), unschedule: subcommand("unschedule") };
}

/** A direct message with the bot is always its own; elsewhere Slack says whether the bot is a member. */
async function botIn(directory: SlackDirectory, channelId: string): Promise<boolean> {
  if (channelId.startsWith("D")) return true;
  const facts = await directory.channel(channelId, { fresh: true });
  if (!facts) return false;
  return facts.isIm || facts.isMember !== false;
}
