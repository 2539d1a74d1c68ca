// Posting a task's live progress message. The intake posts it when the task is queued; a worker
// that finds none (the intake was slow or gone) posts one itself. Whoever records it first wins;
// a second message is deleted again.
import type { WebClient } from "@slack/web-api";
import type { SlackMessageRepo } from "../../store/slack-message-repo.ts";
import type { Logger } from "../../shared/log.ts";
import { renderProgress } from "../render/progress-card.ts";
import type { ProgressView } from "../render/progress-view.ts";
import type { SlackTaskMeta } from "../slack-meta.ts";

export async function postProgressMessage(
  client: WebClient,
  repo: Pick<SlackMessageRepo, "setProgressTs" | "taskMeta">,
  meta: SlackTaskMeta,
  view: ProgressView,
  logger: Logger,
): Promise<string> {
  const payload = renderProgress(view, "sections", Date.now());
  const posted = await client.chat.postMessage({ channel: meta.channel, thread_ts: meta.threadTs, text: payload.text, blocks: payload.blocks, unfurl_links: false });
  const ts = posted.ts!;
  if (await repo.setProgressTs(view.taskId, ts)) return ts;
  // Another process recorded one first: keep theirs.
  await client.chat.delete({ channel: meta.channel, ts }).catch((error: unknown) => logger.debug({ err: error }, "could not delete a duplicate progress message"));
  const recorded = (await repo.taskMeta(view.taskId))?.["slack"] as { progressTs?: string } | undefined;
  return recorded?.progressTs ?? ts;
}
