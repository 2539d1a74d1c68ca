// Every few minutes, asks the sandbox adapter to remove sandboxes whose tasks are long over,
// so nothing leaks when a worker dies or a kept sandbox's follow-up never comes.
import type { Logger } from "../shared/log.ts";
import type { SandboxProvider } from "../sandbox/port.ts";
import type { TaskRepo } from "../store/task-repo.ts";
import { parseConversationKey } from "../tasks/conversation.ts";

export function startSandboxSweep(options: { provider: SandboxProvider; tasks: Pick<TaskRepo, "isOpen" | "threadHasOpenTask">; logger: Logger; intervalMs?: number }): () => void {
  const { provider, tasks, logger } = options;
  const sweep = provider.sweep?.bind(provider);
  if (!sweep) return () => {};
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await sweep({
        isTaskActive: (taskId) => tasks.isOpen(taskId),
        isConversationActive: async (key) => {
          const conversation = parseConversationKey(key);
          return conversation ? tasks.threadHasOpenTask(conversation.channelId, conversation.threadTs) : false;
        },
      });
    } catch (error) {
      logger.warn({ err: error }, "sandbox sweep failed; it runs again later");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(run, options.intervalMs ?? 10 * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
