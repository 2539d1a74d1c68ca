// `deep-agent schedule add "<cron>" "<text>" [--tz Area/City] [--channel C123]` ·
// `schedule list [--json]` · `schedule remove <id>` · `schedule resume <id>`: recurring tasks that
// every `start` process fires through pg-boss.
import os from "node:os";
import { loadConfig, type Config } from "../../config/env.ts";
import { secretValues } from "../../config/secrets.ts";
import { createLogger } from "../../shared/log.ts";
import { openQueueStack } from "../../queue/open-queue.ts";
import { checkScheduleRequest } from "../../schedule/schedule-input.ts";
import { createScheduleService, type ScheduleService, type ScheduleView } from "../../schedule/schedule-service.ts";
import { schedulePolicy } from "../../schedule/schedule-policy.ts";
import { hasCode } from "../../shared/errors.ts";
import { localTimeZone } from "../../schedule/time-zone.ts";
import { cadence, formatWhen, lastOutcome, shortText } from "../../schedule/schedule-text.ts";
import { describeCron } from "../../schedule/cron-words.ts";
import { parseCommandArgs } from "../parse-args.ts";
import { usageError, exitCodes } from "../usage-error.ts";

const USAGE = 'usage: deep-agent schedule add "<cron>" "<text>" [--tz Area/City] [--channel C123] | schedule list [--json] | schedule remove <id> | schedule resume <id>';

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "add") return add(rest);
  if (sub === "list") return list(rest);
  if (sub === "remove") return byId("remove", rest);
  if (sub === "resume") return byId("resume", rest);
  if (sub === undefined) throw usageError(`schedule: say what to do; ${USAGE}`);
  throw usageError(`schedule: unknown subcommand "${sub}"; ${USAGE}`);
}

async function add(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("schedule add", args, { tz: { type: "string" }, channel: { type: "string" } });
  const usage = 'usage: deep-agent schedule add "<cron>" "<text>" [--tz Area/City] [--channel C123]';
  if (positionals.length === 0) throw usageError(`schedule add: the cron expression and the task text are missing; ${usage}`);
  if (positionals.length === 1) throw usageError(`schedule add: the task text is missing; ${usage}`);
  if (positionals.length > 2) {
    throw usageError(`schedule add: got ${positionals.length} arguments; put the cron expression and the task text each in quotes: ${usage}`);
  }
  const request = { cron: positionals[0]!, text: positionals[1]!, timeZone: values.tz ?? localTimeZone(), channelId: values.channel ?? null };
  // Checked before the database is opened: bad input is answered at once and stores nothing.
  await userInput("schedule add", () => checkScheduleRequest(request));
  return withSchedules(async (schedules, config) => {
    const { schedule, nextRuns } = await userInput("schedule add", () => schedules.add({ ...request, createdBy: localUser(), createdVia: "cli" }));
    console.log(`scheduled ${schedule.id}: ${cadence(schedule.cron, describeCron(schedule.cron))} (${schedule.timezone})`);
    console.log(
      schedule.channelId
        ? `  posts each run in Slack channel ${schedule.channelId}`
        : "  runs without Slack; each run's result is stored (`deep-agent queue list`, `deep-agent schedule list`)",
    );
    console.log("  next runs:");
    for (const when of nextRuns) console.log(`    ${formatWhen(when, schedule.timezone)}`);
    if (schedule.channelId && !config.SLACK_BOT_TOKEN) console.error("deep-agent: note: SLACK_BOT_TOKEN is not set here; runs post in the channel only from a `start` process that has it");
    return exitCodes.ok;
  });
}

async function list(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("schedule list", args, { json: { type: "boolean", default: false } });
  if (positionals.length > 0) throw usageError(`schedule list: takes no arguments (got "${positionals[0]}"); usage: deep-agent schedule list [--json]`);
  return withSchedules(async (schedules) => {
    const all = await schedules.list();
    if (values.json) {
      console.log(JSON.stringify(all.map(toJson)));
      return exitCodes.ok;
    }
    if (all.length === 0) {
      console.log('no schedules; add one with: deep-agent schedule add "<cron>" "<text>"');
      return exitCodes.ok;
    }
    for (const s of all) {
      const next = s.nextRun ? `next ${formatWhen(s.nextRun, s.timezone)}` : `paused: ${s.pausedReason ?? "paused"}`;
      const where = s.channelId ? `#${s.channelId}` : "no channel";
      console.log(`${s.id}  ${cadence(s.cron, s.description)} (${s.timezone})  ${next}  ${where}  by ${s.createdBy ?? "?"}  last: ${lastOutcome(s.lastRun)}`);
      console.log(`          ${shortText(s.text, 100)}`);
    }
    return exitCodes.ok;
  });
}

async function byId(what: "remove" | "resume", args: string[]): Promise<number> {
  const { positionals } = parseCommandArgs(`schedule ${what}`, args, {});
  if (positionals.length !== 1) throw usageError(`schedule ${what}: give one schedule id; usage: deep-agent schedule ${what} <id>`);
  const id = positionals[0]!;
  return withSchedules(async (schedules) => {
    if (what === "remove") {
      const removed = await userInput("schedule remove", () => schedules.remove(id, { kind: "operator" }));
      console.log(`removed ${removed.id} (${shortText(removed.text, 60)})`);
      return exitCodes.ok;
    }
    const { schedule, nextRuns } = await userInput("schedule resume", () => schedules.resume(id, { kind: "operator" }));
    console.log(`resumed ${schedule.id}; next run ${formatWhen(nextRuns[0]!, schedule.timezone)}`);
    return exitCodes.ok;
  });
}

async function withSchedules(fn: (schedules: ScheduleService, config: Config) => Promise<number>): Promise<number> {
  const config = loadConfig();
  const policy = schedulePolicy(config);
  const logger = createLogger({ level: config.logLevelExplicit ? config.LOG_LEVEL : "warn", secrets: secretValues(config) });
  const stack = await openQueueStack(config, logger, { role: "command", supervise: false });
  try {
    return await fn(createScheduleService(stack.db, stack.boss, policy), config);
  } finally {
    await stack.close();
  }
}

/** Bad input found by the schedule code becomes a usage error: one line, exit 2. */
async function userInput<T>(command: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (hasCode(error, "bad_input", "unknown_schedule", "not_allowed")) throw usageError(`${command}: ${error.message}`, { cause: error });
    throw error;
  }
}

function toJson(s: ScheduleView) {
  return {
    id: s.id,
    cron: s.cron,
    description: s.description,
    timezone: s.timezone,
    text: s.text,
    channel: s.channelId,
    team: s.teamId,
    created_by: s.createdBy,
    created_via: s.createdVia,
    status: s.status,
    paused_reason: s.pausedReason,
    next_run: s.nextRun?.toISOString() ?? null,
    last_run: s.lastRun
      ? {
          at: s.lastRun.firedAt.toISOString(),
          outcome: s.lastRun.outcome,
          task_id: s.lastRun.taskId,
          task_status: s.lastRun.taskStatus,
          result: s.lastRun.taskResult,
          error: s.lastRun.taskError ?? s.lastRun.detail,
        }
      : null,
    created_at: s.createdAt.toISOString(),
  };
}

function localUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return "cli";
  }
}
