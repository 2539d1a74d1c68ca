// What a firing tells people, as a port: the Slack adapter posts in the schedule's channel;
// without Slack (a command-line schedule, or no SLACK_BOT_TOKEN) runs only store their results.
import type { Schedule, ScheduleRun } from "./schedule-repo.ts";
import type { Task } from "../store/task-repo.ts";
import type { SlackTaskMeta } from "../slack/slack-meta.ts";

export interface RunNotices {
  /** Posts the run's parent message ("Scheduled: <text> (<when>)"); returns its ts, the run's thread. */
  runStarting(schedule: Schedule & { channelId: string }, occurrence: Date): Promise<string>;
  /** Shows the queued task's progress message in the run's thread at once (a worker takes it over). */
  runQueued(task: Task, meta: SlackTaskMeta, position: number): Promise<void>;
  /** Says, in the still-running previous run's thread, that this occurrence was skipped. */
  runSkipped(schedule: Schedule & { channelId: string }, occurrence: Date, previous: ScheduleRun & { threadTs: string }): Promise<void>;
  /** Says, in the run's thread, that no task could be started. */
  runNotStarted(schedule: Schedule & { channelId: string }, threadTs: string, reason: string): Promise<void>;
  /** Says, in the channel, that the schedule paused itself. */
  paused(schedule: Schedule & { channelId: string }, failures: number): Promise<void>;
}
