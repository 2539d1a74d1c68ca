// The metadata that ties an E2B sandbox to our task and thread, so the sweeper can find ours
// among every sandbox of the E2B team and an operator can see what each one is for.
import type { SandboxCreateOptions } from "../port.ts";

export const APP_KEY = "app";
export const APP_NAME = "deep-agent";
export const TASK_KEY = "taskId";
export const THREAD_KEY = "threadKey";

export function sandboxMetadata(options: SandboxCreateOptions): Record<string, string> {
  return {
    ...options.metadata,
    [APP_KEY]: APP_NAME,
    [TASK_KEY]: options.taskId,
    ...(options.threadKey ? { [THREAD_KEY]: options.threadKey } : {}),
  };
}
