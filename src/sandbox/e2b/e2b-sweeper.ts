// Finds our E2B sandboxes whose tasks are over and kills them, for the worker to run every few
// minutes. Running sandboxes of a live worker never need it (their lifetime lapses soon after
// the heartbeat stops); it reclaims paused ones kept for follow-ups in a conversation that never came,
// and running ones left by a worker that died, sooner than their timeout would.
import { Sandbox as SdkSandbox, type SandboxInfo } from "e2b";
import type { Logger } from "pino";
import { CodedError } from "../../shared/errors.ts";
import { isDebugMode, sdkConnection, type E2BConnectionOptions } from "./e2b-connection.ts";
import { startFailure } from "./e2b-errors.ts";
import { APP_KEY, APP_NAME, TASK_KEY, CONVERSATION_KEY } from "./sandbox-metadata.ts";

export interface SweepOptions {
  /** Whether the task that created the sandbox is still queued or running. */
  isTaskActive(taskId: string): boolean | Promise<boolean>;
  /**
   * Whether a task of this conversation is queued or running. A resumed sandbox still names the task
   * that created it, so without this answer running sandboxes that belong to a conversation are left
   * to their own timeout rather than risk killing one a follow-up is using.
   */
  isConversationActive?(conversation: string): boolean | Promise<boolean>;
  logger: Logger;
  connection?: E2BConnectionOptions;
  /** Running sandboxes younger than this are left alone (default 15 min). */
  minAgeMs?: number;
  /** Paused sandboxes older than this are killed even though a follow-up could still want them (default 24 h). */
  keepPausedMs?: number;
  now?: () => number;
}

export interface SweepResult {
  killed: string[];
  kept: number;
}

async function shouldKill(info: SandboxInfo, options: SweepOptions, now: number): Promise<boolean> {
  const taskId = info.metadata[TASK_KEY];
  if (!taskId) return false;
  const conversation = info.metadata[CONVERSATION_KEY];
  if (await options.isTaskActive(taskId)) return false;
  if (conversation && options.isConversationActive && (await options.isConversationActive(conversation))) return false;
  const age = now - info.startedAt.getTime();
  if (info.state === "paused") return age > (options.keepPausedMs ?? 24 * 60 * 60_000);
  if (conversation && !options.isConversationActive) return false;
  return age > (options.minAgeMs ?? 15 * 60_000);
}

export async function sweepSandboxes(options: SweepOptions): Promise<SweepResult> {
  const connection = options.connection ?? {};
  if (isDebugMode(connection)) {
    options.logger.debug("E2B debug mode: no control plane to list sandboxes from; nothing swept");
    return { killed: [], kept: 0 };
  }
  const sdkOptions = sdkConnection(connection);
  const now = (options.now ?? Date.now)();
  const result: SweepResult = { killed: [], kept: 0 };
  const pages = SdkSandbox.list({ ...sdkOptions, query: { metadata: { [APP_KEY]: APP_NAME }, state: ["running", "paused"] } });
  while (pages.hasNext) {
    let page: SandboxInfo[];
    try {
      page = await pages.nextItems();
    } catch (error) {
      throw new CodedError("file_io", `could not list E2B sandboxes to sweep: ${startFailure(error, undefined).message}`, { cause: error });
    }
    for (const info of page) {
      if (!(await shouldKill(info, options, now))) {
        result.kept++;
        continue;
      }
      try {
        await SdkSandbox.kill(info.sandboxId, sdkOptions);
        result.killed.push(info.sandboxId);
        options.logger.info({ sandboxId: info.sandboxId, taskId: info.metadata[TASK_KEY], state: info.state, startedAt: info.startedAt }, "killed E2B sandbox of a finished task");
      } catch (error) {
        result.kept++;
        options.logger.warn({ err: error, sandboxId: info.sandboxId }, "could not kill E2B sandbox; will try again next sweep");
      }
    }
  }
  return result;
}
