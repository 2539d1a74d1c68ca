// `/agent schedule "<cron>" <text> [--tz Area/City]`, `/agent schedule resume <id>`,
// `/agent schedules` and `/agent unschedule <id>`: what the Slack command router calls, and the
// replies. Times are in the schedule's zone, which is the creator's (from their Slack profile)
// unless --tz says otherwise.
import type { WebClient } from "@slack/web-api";
import { escapeMrkdwn } from "../render/mrkdwn.ts";
import { notInChannel } from "../render/replies.ts";
import { CodedError, hasCode } from "../../shared/errors.ts";
import type { ScheduleService, ScheduleView } from "../../schedule/schedule-service.ts";
import { cadence, formatWhen, lastOutcome, shortText } from "../../schedule/schedule-text.ts";
import { describeCron } from "../../schedule/cron-words.ts";

const SCHEDULE_USAGE = 'Usage: `/agent schedule "<cron>" <task> [--tz Area/City]` · `/agent schedules` · `/agent unschedule <id>` · `/agent schedule resume <id>`';

export interface SlackScheduleContext {
  service: ScheduleService;
  userId: string;
  channelId: string;
  teamId?: string;
  /** In SLACK_ADMIN_USERS: may remove or resume anyone's schedule. */
  admin: boolean;
  /** The caller's zone from their Slack profile (users.info → user.tz); null when unknown. */
  userTimeZone: () => Promise<string | null>;
  /** Whether the bot is in the channel, so its runs can post there (unchecked when absent). */
  botInChannel?: () => Promise<boolean>;
}

export interface SlackScheduleReply {
  text: string;
  /** Confirmations go to the channel (its schedules post there); lists and problems to the caller only. */
  visibility: "in_channel" | "ephemeral";
}

export type ScheduleSubcommand = "schedule" | "schedules" | "unschedule";

export async function handleScheduleCommand(sub: ScheduleSubcommand, args: string, ctx: SlackScheduleContext): Promise<SlackScheduleReply> {
  try {
    if (sub === "schedules") return await list(ctx);
    if (sub === "unschedule") return await remove(args, ctx);
    const resume = /^resume\s+(\S+)\s*$/i.exec(args.trim());
    if (resume) return await resumeSchedule(resume[1]!, ctx);
    return await add(args, ctx);
  } catch (error) {
    if (hasCode(error, "bad_input", "unknown_schedule", "not_allowed")) return { text: `${error.message}.\n${SCHEDULE_USAGE}`, visibility: "ephemeral" };
    throw error;
  }
}

export interface ParsedScheduleArgs {
  cron: string;
  text: string;
  timeZone: string | null;
}

/** `"<cron>" <text>` with an optional `--tz Area/City` before the cron or at the very end. */
export function parseScheduleArgs(raw: string): ParsedScheduleArgs {
  // Slack clients turn straight quotes into curly ones.
  let rest = raw.replace(/[\u201C\u201D\u201E\u201F\u2033]/g, '"').trim();
  let timeZone: string | null = null;
  const leading = /^--tz(?:=|\s+)(\S+)\s+/.exec(rest);
  if (leading) {
    timeZone = leading[1]!;
    rest = rest.slice(leading[0].length);
  }
  const quoted = /^"([^"]*)"\s*([\s\S]*)$/.exec(rest);
  if (!quoted) {
    throw new CodedError("bad_input", 'put the cron expression in double quotes first, like `/agent schedule "0 9 * * 1-5" post the daily summary`');
  }
  let text = quoted[2]!;
  const trailing = /\s--tz(?:=|\s+)(\S+)\s*$/.exec(` ${text}`);
  if (trailing && timeZone === null) {
    timeZone = trailing[1]!;
    text = ` ${text}`.slice(0, trailing.index).trim();
  }
  if (text.trim() === "") throw new CodedError("bad_input", "the task text is missing after the cron expression; say what the agent should do at each run");
  return { cron: quoted[1]!, text: text.trim(), timeZone };
}

async function add(args: string, ctx: SlackScheduleContext): Promise<SlackScheduleReply> {
  const parsed = parseScheduleArgs(args);
  // Its runs post here: a channel the bot is not in would refuse every one of them.
  if (ctx.botInChannel && !(await ctx.botInChannel())) return { text: notInChannel(), visibility: "ephemeral" };
  const profileZone = parsed.timeZone === null ? await ctx.userTimeZone().catch(() => null) : null;
  const timeZone = parsed.timeZone ?? profileZone ?? "UTC";
  const { schedule, nextRuns } = await ctx.service.add({
    cron: parsed.cron,
    text: parsed.text,
    timeZone,
    channelId: ctx.channelId,
    teamId: ctx.teamId ?? null,
    createdBy: ctx.userId,
    createdVia: "slack",
  });
  const zoneNote = parsed.timeZone === null && profileZone === null ? " — your Slack profile has no time zone, so UTC; add `--tz Area/City` to choose" : "";
  const lines = [
    `<@${ctx.userId}> scheduled \`${schedule.id}\`: ${cadence(schedule.cron, describeCron(schedule.cron))} (${schedule.timezone}${zoneNote})`,
    `> ${escapeMrkdwn(shortText(schedule.text, 500))}`,
    `Next runs: ${nextRuns.map((d) => formatWhen(d, schedule.timezone)).join(" · ")}`,
    `Each run starts a thread here. Remove it with \`/agent unschedule ${schedule.id}\`.`,
  ];
  return { text: lines.join("\n"), visibility: "in_channel" };
}

async function list(ctx: SlackScheduleContext): Promise<SlackScheduleReply> {
  const schedules = await ctx.service.list(ctx.channelId);
  if (schedules.length === 0) {
    return { text: 'No schedules in this channel. Add one with `/agent schedule "0 9 * * 1-5" <task>`.', visibility: "ephemeral" };
  }
  return { text: [`*Schedules in this channel (${schedules.length})*`, ...schedules.map(listLine)].join("\n"), visibility: "ephemeral" };
}

function listLine(s: ScheduleView): string {
  const next = s.nextRun ? `next ${formatWhen(s.nextRun, s.timezone)}` : `*paused*: ${escapeMrkdwn(s.pausedReason ?? "paused")} (\`/agent schedule resume ${s.id}\`)`;
  const by = s.createdBy ? (s.createdVia === "slack" ? `<@${s.createdBy}>` : `${escapeMrkdwn(s.createdBy)} (command line)`) : "?";
  return `• \`${s.id}\` ${cadence(s.cron, s.description)} (${s.timezone}) — ${next} — by ${by} — last: ${lastOutcome(s.lastRun)}\n      ${escapeMrkdwn(shortText(s.text, 150))}`;
}

async function remove(args: string, ctx: SlackScheduleContext): Promise<SlackScheduleReply> {
  const id = args.trim();
  if (id === "" || /\s/.test(id)) throw new CodedError("unknown_schedule", "give one schedule id, like `/agent unschedule k3m9x2qa`; `/agent schedules` shows them");
  const removed = await ctx.service.remove(id, { kind: "slack", userId: ctx.userId, admin: ctx.admin });
  return { text: `<@${ctx.userId}> removed schedule \`${removed.id}\` (${escapeMrkdwn(shortText(removed.text, 120))}).`, visibility: "in_channel" };
}

async function resumeSchedule(id: string, ctx: SlackScheduleContext): Promise<SlackScheduleReply> {
  const { schedule, nextRuns } = await ctx.service.resume(id, { kind: "slack", userId: ctx.userId, admin: ctx.admin });
  return { text: `<@${ctx.userId}> resumed schedule \`${schedule.id}\`; next run ${formatWhen(nextRuns[0]!, schedule.timezone)}.`, visibility: "in_channel" };
}

/** The zone on a person's Slack profile (needs the users:read scope); null when Slack has none. */
export async function slackUserTimeZone(client: WebClient, userId: string): Promise<string | null> {
  const res = await client.users.info({ user: userId });
  const tz = (res.user as { tz?: string } | undefined)?.tz;
  return typeof tz === "string" && tz !== "" ? tz : null;
}
