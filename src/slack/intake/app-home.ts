// The App Home tab, published (views.publish) each time a person opens it and after a Cancel
// pressed there: their recent tasks, the queue as they may see it (visibility.ts: with no channel
// to stand in, that is their own tasks, or everything for an admin), and their schedules.
import { createScheduleRepo } from "../../schedule/schedule-repo.ts";
import { nextRuns } from "../../schedule/cron-spec.ts";
import { describeCron } from "../../schedule/cron-words.ts";
import { cadence, formatWhen, lastOutcome } from "../../schedule/schedule-text.ts";
import { FINISHED, type Task } from "../../store/task-repo.ts";
import { describeSlackError } from "../api/slack-errors.ts";
import { homeView, type HomeSchedule, type HomeTask } from "../render/home-view.ts";
import { refusal } from "../render/replies.ts";
import type { IntakeContext } from "./intake-context.ts";
import { canSee, type Viewer } from "./visibility.ts";

const RECENT = 10;
const QUEUE_SHOWN = 15;
const MAX_LINKS = 2_000;

export interface HomeTab {
  publish(userId: string, notice?: string): Promise<void>;
}

export function createHomeTab(ctx: IntakeContext): HomeTab {
  // Permalinks never change: asked once per message.
  const links = new Map<string, string | null>();
  const linkTo = async (task: Task): Promise<string | null> => {
    const meta = task.meta["slack"] as { channel?: unknown; messageTs?: unknown } | undefined;
    if (typeof meta?.channel !== "string" || typeof meta.messageTs !== "string") return null;
    const key = `${meta.channel}:${meta.messageTs}`;
    if (links.has(key)) return links.get(key)!;
    const link = await ctx.clients.api.chat
      .getPermalink({ channel: meta.channel, message_ts: meta.messageTs })
      .then((r) => r.permalink ?? null)
      .catch(() => null);
    links.set(key, link);
    while (links.size > MAX_LINKS) links.delete(links.keys().next().value!);
    return link;
  };

  return {
    async publish(userId, notice) {
      const access = ctx.access.checkPerson(userId);
      const view = access.allowed
        ? homeView(await gather(ctx, { userId, channelId: "", admin: ctx.access.isAdmin(userId) }, linkTo, notice))
        : { type: "home" as const, blocks: [{ type: "section" as const, text: { type: "mrkdwn" as const, text: refusal(access.reason) } }] };
      await ctx.clients.api.views.publish({ user_id: userId, view }).catch((error: unknown) => {
        ctx.logger.warn({ user: userId, code: describeSlackError(error) }, "slack: could not publish the App Home tab");
      });
    },
  };
}

async function gather(ctx: IntakeContext, viewer: Viewer, linkTo: (task: Task) => Promise<string | null>, notice: string | undefined) {
  const now = Date.now();
  const mayCancel = (t: Task) => !FINISHED.includes(t.status) && (viewer.admin || t.userId === viewer.userId);
  const ids = await ctx.messages.recentOf(viewer.userId, RECENT);
  const recent = (await Promise.all(ids.map((id) => ctx.tasks.get(id)))).filter((t): t is Task => t !== null);
  const mine: HomeTask[] = await Promise.all(recent.map(async (task) => ({ task, link: await linkTo(task), cancellable: mayCancel(task) })));
  const open = await ctx.queue.list(200);
  const visible = open.filter((t) => canSee(t, viewer));
  const running = open.filter((t) => t.status === "running").length;
  const shown: HomeTask[] = await Promise.all(visible.slice(0, QUEUE_SHOWN).map(async (task) => ({ task, link: await linkTo(task), cancellable: mayCancel(task) })));
  const schedules = (await createScheduleRepo(ctx.db).list())
    .filter((s) => s.createdVia === "slack" && s.createdBy === viewer.userId)
    .slice(0, 20)
    .map(
      (s): HomeSchedule => ({
        id: s.id,
        text: s.text,
        cadence: `${cadence(s.cron, describeCron(s.cron))} (${s.timezone})`,
        next: s.status === "active" ? `next ${formatWhen(nextRuns(s.cron, s.timezone, new Date(now), 1)[0]!, s.timezone)}` : `paused: ${s.pausedReason ?? "paused"}`,
        lastOutcome: lastOutcome(s.lastRun),
        channelId: s.channelId,
      }),
    );
  return {
    now,
    ...(notice ? { notice } : {}),
    mine,
    queue: { running, queued: open.length - running, shown, others: open.length - visible.length },
    schedules,
  };
}
