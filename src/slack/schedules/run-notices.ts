// The Slack side of a firing, on the Web API: the run's parent message in the schedule's channel,
// the task's progress card in its thread (before the task is queued), and the notes for a skipped
// run, a run that could not start and a schedule that paused itself.
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../shared/log.ts";
import type { RunNotices } from "../../schedule/run-notices.ts";
import { failureWords } from "../render/failure-words.ts";
import { pausedText, runNotStartedText, runParentText, runSkippedText } from "../render/schedule-posts.ts";
import { postQueuedCard } from "../thread/progress-message.ts";
import type { SlackTaskMeta } from "../slack-meta.ts";
import type { AccessPolicy } from "../intake/access-policy.ts";

/** `access`: the allow-lists each run is checked against (every run allowed without it). */
export function createSlackRunNotices(client: WebClient, logger: Logger, access?: AccessPolicy): RunNotices {
  const post = async (channel: string, text: string, threadTs?: string): Promise<string> => {
    const res = await client.chat.postMessage({ channel, text, ...(threadTs ? { thread_ts: threadTs } : {}), unfurl_links: false, unfurl_media: false });
    if (!res.ts) throw new Error(`Slack did not return the message's ts in ${channel}`);
    return res.ts;
  };
  return {
    async refusal(schedule) {
      if (!access) return null;
      // A schedule made on the command line has no Slack user to check; its channel still counts.
      const person = requester(schedule);
      const decision = person ? access.check(person, schedule.channelId) : access.check(undefined, schedule.channelId);
      if (decision.allowed || (!person && decision.reason === "no_user")) return null;
      // Shown by `/agent schedules` as the last outcome: words for people, no setting names.
      return decision.reason === "channel" ? "not allowed: deep-agent is no longer enabled in this channel" : "not allowed: the person who made it may no longer use deep-agent";
    },
    runStarting: (schedule, occurrence) => post(schedule.channelId, runParentText(schedule, occurrence)),
    runCard: (schedule, threadTs, card) =>
      postQueuedCard(
        client,
        { channel: schedule.channelId, threadTs, taskId: card.taskId, text: schedule.text, position: card.position, ...(requester(schedule) ? { requester: requester(schedule)! } : {}) },
        logger.child({ taskId: card.taskId }),
      ),
    taskMeta(schedule, threadTs, progressTs) {
      const meta: SlackTaskMeta = {
        channel: schedule.channelId,
        threadTs,
        // Reactions for the run's outcome go on its "Scheduled: …" message.
        messageTs: threadTs,
        origin: "command",
        files: [],
        ...(schedule.teamId ? { teamId: schedule.teamId } : {}),
        ...(requester(schedule) ? { userId: requester(schedule)! } : {}),
        ...(progressTs ? { progressTs } : {}),
      };
      return { slack: meta };
    },
    async runSkipped(schedule, occurrence, previous) {
      await post(schedule.channelId, runSkippedText(schedule, occurrence), previous.threadTs);
    },
    async runNotStarted(schedule, threadTs, failure, progressTs) {
      if (progressTs) await client.chat.delete({ channel: schedule.channelId, ts: progressTs }).catch(() => {});
      await post(schedule.channelId, runNotStartedText(failureWords(failure.code)), threadTs);
    },
    async paused(schedule, failures) {
      await post(schedule.channelId, pausedText(schedule, failures));
    },
  };
}

/** The Slack user behind a schedule made in Slack; none for one made on the command line. */
function requester(schedule: { createdVia: "slack" | "cli"; createdBy: string | null }): string | null {
  return schedule.createdVia === "slack" ? schedule.createdBy : null;
}
