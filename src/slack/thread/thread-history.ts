// The earlier conversation of a Slack thread, given to a task that continues it: each earlier
// task's request (with the follow-ups it took) as a user turn, and its answer as the assistant turn.
import type { Message } from "../../agent/run-options.ts";
import type { SlackMessageRecord, ThreadTask } from "../../store/slack-message-repo.ts";

const MAX_TURN_CHARS = 20_000;

export function threadHistory(tasks: readonly ThreadTask[], followUps: ReadonlyArray<SlackMessageRecord & { taskId: string }>): Message[] {
  const messages: Message[] = [];
  for (const task of tasks) {
    if (task.status === "queued" || task.status === "running" || task.status === "waiting") continue;
    const asked = [speaker(task.userId, task.text), ...followUps.filter((f) => f.taskId === task.id).map((f) => speaker(f.userId, f.text))];
    const answer =
      task.status === "succeeded"
        ? task.result?.trim() || "(I finished without a written answer.)"
        : `${task.result?.trim() ? `${task.result.trim()}\n\n` : ""}(This task ${task.status === "cancelled" ? "was cancelled" : "failed"}${task.error ? `: ${task.error}` : ""}.)`;
    messages.push({ role: "user", content: [{ type: "text", text: clip(asked.join("\n\n")) }] });
    messages.push({ role: "assistant", content: [{ type: "text", text: clip(answer) }] });
  }
  return messages;
}

/** Who said it, so the agent can tell people apart in a shared thread. */
export function speaker(userId: string | null | undefined, text: string): string {
  return userId ? `<@${userId}>: ${text}` : text;
}

function clip(text: string): string {
  return text.length <= MAX_TURN_CHARS ? text : `${text.slice(0, MAX_TURN_CHARS)}\n[…cut: ${text.length - MAX_TURN_CHARS} more characters]`;
}
