// Checks what a person typed for a new schedule, before anything is stored: the cron expression,
// the time zone, the task text and the channel. Throws a bad_input CodedError with the fix.
import { taskTextProblem } from "../tasks/task-text.ts";
import { normaliseCron, nextRuns } from "./cron-spec.ts";
import { resolveTimeZone } from "./time-zone.ts";
import { CodedError } from "../shared/errors.ts";

export interface ScheduleRequest {
  cron: string;
  text: string;
  timeZone: string;
  channelId?: string | null;
}

export interface CheckedSchedule {
  cron: string;
  text: string;
  timezone: string;
  channelId: string | null;
  /** The next three run times, so the reply can show them. */
  nextRuns: Date[];
}

export function checkScheduleRequest(input: ScheduleRequest, now = new Date()): CheckedSchedule {
  const cron = normaliseCron(input.cron);
  const timezone = resolveTimeZone(input.timeZone);
  const text = input.text.trim();
  const problem = taskTextProblem(text);
  if (problem) throw new CodedError("bad_input", problem.replace("the task text", "the schedule's task text"));
  const channelId = input.channelId?.trim() || null;
  if (channelId !== null && !/^[CGD][A-Z0-9]{2,}$/.test(channelId)) {
    throw new CodedError("bad_input", `"${channelId}" is not a Slack channel id; use the id (like C0123ABCD) from the channel's details, not its name`);
  }
  return { cron, text, timezone, channelId, nextRuns: nextRuns(cron, timezone, now, 3) };
}

/** Schedule ids as typed: lower case, no surrounding space or backticks. */
export function normaliseScheduleId(input: string): string {
  return input
    .trim()
    .replace(/^`+|`+$/g, "")
    .toLowerCase();
}
