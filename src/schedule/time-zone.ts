// IANA time zones, validated with Intl and stored in their canonical spelling.
import { CronExpressionParser } from "cron-parser";
import { CodedError } from "../shared/errors.ts";

/** "europe/paris" → "Europe/Paris"; throws a bad_input CodedError for anything that is not an IANA zone. */
export function resolveTimeZone(input: string): string {
  const name = input.trim();
  const problem = `unknown time zone "${name}"; use an IANA name such as Europe/Paris, America/New_York or UTC`;
  // Offsets ("+02:00", "GMT+2") are refused: they ignore daylight saving, which a recurring job must follow.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name) || /^(Etc\/)?(GMT|UTC)[+-]/i.test(name)) {
    throw new CodedError("bad_input", problem);
  }
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch (error) {
    throw new CodedError("bad_input", problem, { cause: error });
  }
  try {
    // pg-boss evaluates the schedule with cron-parser; it must know the zone too.
    CronExpressionParser.parse("* * * * *", { tz: canonical, strict: false, currentDate: new Date() }).next();
  } catch (error) {
    throw new CodedError("bad_input", problem, { cause: error });
  }
  // Intl answers with ICU's legacy spelling for some zones (Asia/Kolkata → Asia/Calcutta); keep
  // what the person wrote unless only the letter case differs.
  return canonical.toLowerCase() === name.toLowerCase() ? canonical : name;
}

/** This machine's zone, for schedules made on the command line without --tz. */
export function localTimeZone(): string {
  try {
    return resolveTimeZone(Intl.DateTimeFormat().resolvedOptions().timeZone);
  } catch {
    return "UTC";
  }
}
