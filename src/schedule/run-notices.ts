// What a firing tells people, as a port: the Slack adapter posts in the schedule's channel;
// without Slack (a command-line schedule, or no SLACK_BOT_TOKEN) runs only store their results.
import type { Failure } from "../shared/errors.ts";
import type { Schedule, ScheduleRun } from "./schedule-repo.ts";

export type ChannelSchedule = Schedule & { channelId: string };

export interface RunCard {
  /** The task the run will queue, named before it exists (the card's Cancel button). */
  taskId: string;
  /** Its place in the queue once queued. */
  position: number;
}

export interface RunNotices {
  /** Why this run may not start now (its creator or channel is no longer allowed), or null when it may. Checked before anything is posted. */
  refusal(schedule: ChannelSchedule): Promise<string | null>;
  /** Posts the run's parent message ("Scheduled: <text> (<when>)"); returns its ts, the run's thread. */
  runStarting(schedule: ChannelSchedule, occurrence: Date): Promise<string>;
  /** Posts the task's progress card in the run's thread before the task is queued; null when it could not. */
  runCard(schedule: ChannelSchedule, threadTs: string, card: RunCard): Promise<string | null>;
  /** The intake's part of the task's record (where it posts, which card shows it), opaque to the scheduler. */
  taskMeta(schedule: ChannelSchedule, threadTs: string, progressTs: string | null): Record<string, unknown>;
  /** Says, in the still-running previous run's thread, that this occurrence was skipped. */
  runSkipped(schedule: ChannelSchedule, occurrence: Date, previous: ScheduleRun & { threadTs: string }): Promise<void>;
  /** Says, in the run's thread, that no task could be started (and takes its card away). */
  runNotStarted(schedule: ChannelSchedule, threadTs: string, failure: Failure, progressTs: string | null): Promise<void>;
  /** Says, in the channel, that the schedule paused itself. */
  paused(schedule: ChannelSchedule, failures: number): Promise<void>;
}
