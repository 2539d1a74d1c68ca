// The metadata that ties an E2B sandbox to our task and conversation, so the sweeper can find ours
// among every sandbox of the E2B team and an operator can see what each one is for.
import type { SandboxCreateOptions } from "../port.ts";

export const APP_KEY = "app";
export const APP_NAME = "deep-agent";
export const TASK_KEY = "taskId";
export { CONVERSATION_LABEL as CONVERSATION_KEY } from "../port.ts";

export function sandboxMetadata(options: SandboxCreateOptions): Record<string, string> {
  return { ...options.labels, [APP_KEY]: APP_NAME, [TASK_KEY]: options.taskId };
}
