// The App Home tab: the viewer's recent tasks (status, age, a link to the thread, Cancel while
// open), the queue as they may see it (others' tasks only counted), and the schedules they made.
// Pure: the caller gathers what the viewer may see.
import type { types } from "@slack/bolt";
import type { Task } from "../../store/task-repo.ts";
import { escapeMrkdwn } from "./mrkdwn.ts";
import { formatDuration } from "./usage-footer.ts";
import { shorten } from "./progress-card.ts";

type Block = types.KnownBlock;

export const HOME_CANCEL_ACTION_ID = "deep_agent_home_cancel";

export interface HomeTask {
  task: Task;
  /** The thread it lives in, when Slack gave a link. */
  link: string | null;
  /** The viewer may cancel it (theirs, or they are an admin) and it is still open. */
  cancellable: boolean;
}

export interface HomeSchedule {
  id: string;
  text: string;
  /** "every weekday at 09:00 (Europe/Paris)". */
  cadence: string;
  /** "next Mon 6 Oct, 09:00 CEST", or why it is paused. */
  next: string;
  lastOutcome: string;
  channelId: string | null;
}

export interface HomeData {
  now: number;
  /** A line at the top: the answer to a Cancel pressed here. */
  notice?: string;
  mine: HomeTask[];
  queue: { running: number; queued: number; shown: HomeTask[]; others: number };
  schedules: HomeSchedule[];
}

export function homeView(data: HomeData): types.HomeView {
  const blocks: Block[] = [{ type: "header", text: { type: "plain_text", text: "deep-agent" } }];
  if (data.notice) blocks.push(section(`> ${escapeKeepingMentions(data.notice)}`));
  blocks.push(section("*Your recent tasks*"));
  if (data.mine.length === 0) blocks.push(context("You have no tasks yet. Mention me in a channel, message me, or use `/agent task <text>`."));
  for (const t of data.mine) blocks.push(taskBlock(t, data.now));
  blocks.push({ type: "divider" });
  blocks.push(section(`*Queue* — ${data.queue.running} running, ${data.queue.queued} queued`));
  for (const t of data.queue.shown) blocks.push(taskBlock(t, data.now));
  if (data.queue.others > 0)
    blocks.push(context(`${data.queue.shown.length > 0 ? "…and " : ""}${data.queue.others} ${data.queue.others === 1 ? "task" : "tasks"} of other people or channels`));
  blocks.push({ type: "divider" });
  blocks.push(section("*Your schedules*"));
  if (data.schedules.length === 0) blocks.push(context('None. Add one in a channel with `/agent schedule "0 9 * * 1-5" <task>`.'));
  for (const s of data.schedules) blocks.push(scheduleBlock(s));
  return { type: "home", blocks: blocks.slice(0, 100) };
}

function taskBlock(t: HomeTask, now: number): Block {
  const task = t.task;
  const link = t.link ? ` · <${t.link}|open the thread>` : "";
  const where = task.channelId ? (task.channelId.startsWith("D") ? " · in a DM" : ` · <#${task.channelId}>`) : "";
  const text = `${state(task, now)}${where}${link}\n_${escapeMrkdwn(shorten(task.text.replace(/\s+/g, " ").trim(), 200))}_`;
  const block: types.SectionBlock = { type: "section", text: { type: "mrkdwn", text } };
  if (t.cancellable) {
    block.accessory = {
      type: "button",
      action_id: HOME_CANCEL_ACTION_ID,
      text: { type: "plain_text", text: "Cancel" },
      style: "danger",
      value: task.id,
      confirm: {
        title: { type: "plain_text", text: "Cancel this task?" },
        text: { type: "mrkdwn", text: "The agent stops at its next step." },
        confirm: { type: "plain_text", text: "Cancel task" },
        deny: { type: "plain_text", text: "Keep working" },
      },
    };
  }
  return block;
}

function state(task: Task, now: number): string {
  const id = `\`${task.id.slice(0, 8)}\``;
  switch (task.status) {
    case "queued":
      return `⏳ ${id} queued ${formatDuration(now - task.createdAt.getTime())} ago`;
    case "running":
      return `▶️ ${id} running for ${formatDuration(now - (task.startedAt ?? task.createdAt).getTime())}`;
    default: {
      const icon = task.status === "succeeded" ? "✅" : task.status === "failed" ? "❌" : "🚫";
      return `${icon} ${id} ${task.status} ${formatDuration(now - (task.finishedAt ?? task.updatedAt).getTime())} ago`;
    }
  }
}

function scheduleBlock(s: HomeSchedule): Block {
  const where = s.channelId ? ` in <#${s.channelId}>` : "";
  return section(
    `\`${s.id}\` ${escapeMrkdwn(s.cadence)}${where} — ${escapeMrkdwn(s.next)} — last: ${escapeMrkdwn(s.lastOutcome)}\n_${escapeMrkdwn(shorten(s.text.replace(/\s+/g, " ").trim(), 150))}_`,
  );
}

function section(text: string): Block {
  return { type: "section", text: { type: "mrkdwn", text: shorten(text, 3000) } };
}

function context(text: string): Block {
  return { type: "context", elements: [{ type: "mrkdwn", text: shorten(text, 3000) }] };
}

function escapeKeepingMentions(text: string): string {
  return escapeMrkdwn(text).replace(/&lt;@([UW][A-Z0-9]+)&gt;/g, "<@$1>");
}
