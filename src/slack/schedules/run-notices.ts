// The Slack side of a firing, on the Web API: the run's parent message in the schedule's
// channel, and the notes for a skipped run and a paused schedule.
import type { WebClient } from "@slack/web-api";
import type { Queryable } from "../../store/database.ts";
import type { Logger } from "../../shared/log.ts";
import { createSlackMessageRepo } from "../../store/slack-message-repo.ts";
import { postProgressMessage } from "../thread/progress-message.ts";
import { queuedView } from "../render/progress-view.ts";
import type { RunNotices } from "../../schedule/run-notices.ts";
import { pausedText, runNotStartedText, runParentText, runSkippedText } from "../../schedule/schedule-text.ts";

export function createSlackRunNotices(client: WebClient, db: Queryable, logger: Logger): RunNotices {
  const messages = createSlackMessageRepo(db);
  const post = async (channel: string, text: string, threadTs?: string): Promise<string> => {
    const res = await client.chat.postMessage({ channel, text, ...(threadTs ? { thread_ts: threadTs } : {}), unfurl_links: false, unfurl_media: false });
    if (!res.ts) throw new Error(`Slack did not return the message's ts in ${channel}`);
    return res.ts;
  };
  return {
    runStarting: (schedule, occurrence) => post(schedule.channelId, runParentText(schedule, occurrence)),
    async runQueued(task, meta, position) {
      // The same live message a Slack task shows; the worker that runs the task updates it.
      await postProgressMessage(client, messages, meta, queuedView(task.id, task.text, position, meta.userId), logger.child({ taskId: task.id }));
    },
    async runSkipped(schedule, occurrence, previous) {
      await post(schedule.channelId, runSkippedText(schedule, occurrence), previous.threadTs);
    },
    async runNotStarted(schedule, threadTs, reason) {
      await post(schedule.channelId, runNotStartedText(reason), threadTs);
    },
    async paused(schedule, failures) {
      await post(schedule.channelId, pausedText(schedule, failures));
    },
  };
}
