// Cron expressions as people write them: five fields (minute hour day-of-month month
// day-of-week), or one of the usual @aliases. Evaluated with cron-parser, the parser pg-boss's
// own cron pass uses, so what we accept is exactly what fires.
import { CronExpressionParser } from "cron-parser";
import { CodedError } from "../shared/errors.ts";

const ALIASES: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
  "@weekdays": "0 0 * * 1-5",
};

const FIELD_NAMES = ["minute", "hour", "day of month", "month", "day of week"] as const;
const MONTHS = /JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC/g;
const DAYS = /SUN|MON|TUE|WED|THU|FRI|SAT/g;

const EXAMPLES = 'for example "0 9 * * 1-5" (weekdays at 09:00) or "*/15 * * * *" (every 15 minutes)';

/** The expression as stored: five fields separated by single spaces. Throws a bad_input CodedError. */
export function normaliseCron(input: string): string {
  const trimmed = input.trim().replace(/\s+/g, " ");
  if (trimmed === "") throw new CodedError("bad_input", `the cron expression is empty; give five fields: minute hour day-of-month month day-of-week, ${EXAMPLES}`);
  const alias = ALIASES[trimmed.toLowerCase()];
  const cron = alias ?? trimmed;
  const fields = cron.split(" ");
  if (fields.length !== 5) {
    throw new CodedError(
      "bad_input",
      `"${trimmed}" has ${fields.length} field${fields.length === 1 ? "" : "s"}; a cron expression has five: minute hour day-of-month month day-of-week, ${EXAMPLES}`,
    );
  }
  fields.forEach((field, i) => {
    // Month and weekday names are fine in their own fields; anything else beyond digits and
    // */,- (and cron-parser's L, # and ?) is refused, notably H, which would fire at a random time.
    let rest = field.toUpperCase();
    if (i === 3) rest = rest.replace(MONTHS, "");
    if (i === 4) rest = rest.replace(DAYS, "");
    const allowed = i === 2 ? /^[\d*,\-/L?]*$/ : i === 4 ? /^[\d*,\-/L#?]*$/ : /^[\d*,\-/]*$/;
    if (!allowed.test(rest)) throw new CodedError("bad_input", `"${trimmed}": the ${FIELD_NAMES[i]} field "${field}" is not valid cron; ${EXAMPLES}`);
  });
  try {
    CronExpressionParser.parse(cron, { tz: "UTC", strict: false, currentDate: new Date() }).next();
  } catch (error) {
    throw new CodedError("bad_input", `"${trimmed}" is not a valid cron expression (${reason(error)}); ${EXAMPLES}`, { cause: error });
  }
  return cron;
}

/** The next `count` run times strictly after `from`, in the schedule's time zone. */
export function nextRuns(cron: string, timeZone: string, from: Date, count = 3): Date[] {
  const interval = CronExpressionParser.parse(cron, { tz: timeZone, strict: false, currentDate: from });
  const runs: Date[] = [];
  for (let i = 0; i < count; i++) runs.push(interval.next().toDate());
  return runs;
}

/** The latest occurrence at or before `at`: which run a job fired at that moment is for. */
export function occurrenceAtOrBefore(cron: string, timeZone: string, at: Date): Date {
  const interval = CronExpressionParser.parse(cron, { tz: timeZone, strict: false, currentDate: new Date(at.getTime() + 1) });
  return interval.prev().toDate();
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // cron-parser's "Invalid explicit day of month definition" for 31 February and the like.
  if (/loop limit|day of month|out of the time span/i.test(message)) return "it never matches a real date";
  return message.replace(/\.$/, "").toLowerCase();
}
