// Every few minutes, asks the sandbox adapter to remove sandboxes whose tasks are long over,
// so nothing leaks when a worker dies or a kept sandbox's follow-up never comes.
import type { Logger } from "../shared/log.ts";
import type { SandboxProvider } from "../sandbox/port.ts";
import type { TaskRepo } from "../store/task-repo.ts";
import { parseThreadKey } from "../tasks/task-hooks.ts";

export function startSandboxSweep(options: {
  provider: SandboxProvider;
  tasks: Pick<TaskRepo, "isOpen" | "threadHasOpenTask">;
  logger: Logger;
  intervalMs?: number;
}): () => void {
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
        isThreadActive: async (key) => {
          const thread = parseThreadKey(key);
          return thread ? tasks.threadHasOpenTask(thread.channelId, thread.threadTs) : false;
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
