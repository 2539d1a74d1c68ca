// What a schedule's runs post in Slack: the parent message a run's thread hangs from, and the
// notes for a skipped run, a run that could not start and a schedule that paused itself.
import type { Schedule } from "../../schedule/schedule-repo.ts";
import { formatWhen, shortText } from "../../schedule/schedule-text.ts";
import { escapeMrkdwn } from "./mrkdwn.ts";

/** The channel message a run's thread hangs from. */
export function runParentText(schedule: Schedule, occurrence: Date): string {
  return `Scheduled: ${escapeMrkdwn(shortText(schedule.text))} (${formatWhen(occurrence, schedule.timezone)})`;
}

export function runSkippedText(schedule: Schedule, occurrence: Date): string {
  return `Skipped the run of ${formatWhen(occurrence, schedule.timezone)}: this run is still going. Schedule \`${schedule.id}\` tries again at its next time.`;
}

export function runNotStartedText(why: string): string {
  return `Could not start this scheduled run. ${why}`;
}

export function pausedText(schedule: Schedule, failures: number): string {
  return (
    `Paused schedule \`${schedule.id}\` (${escapeMrkdwn(shortText(schedule.text, 120))}): its last ${failures} runs failed in a row. ` +
    `Fix the cause, then resume it with \`/agent schedule resume ${schedule.id}\`, or remove it with \`/agent unschedule ${schedule.id}\`.`
  );
}
