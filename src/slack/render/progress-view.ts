// What the live progress message shows, folded from the engine's events. Pure: the sink owns
// the clock and the Slack calls.
import type { AgentEvent, Todo, Usage } from "../../agent/events.ts";
import { emptyUsage } from "../../agent/events.ts";
import type { Task } from "../../store/task-repo.ts";
import { failureWords } from "./failure-words.ts";

/** "waiting": for a person's decision (an approval, the spending limit); no worker holds it. */
export type Phase = "queued" | "running" | "retrying" | "waiting" | "succeeded" | "failed" | "cancelled";

export interface ProgressView {
  taskId: string;
  phase: Phase;
  /** The task as asked (shown shortened). */
  text: string;
  requester?: string;
  /** Place in the queue while queued. */
  position?: number;
  startedAt?: number;
  finishedAt?: number;
  todos: Todo[];
  /** The tool running now, e.g. "execute: npm test". */
  activity?: string;
  turns: number;
  usage: Usage;
  /** A passing remark: retries, messages passed to the agent. */
  note?: string;
  /** Why it failed or who cancelled, in words (final states). */
  outcome?: string;
  /** The task's transcript page. */
  transcriptUrl?: string;
}

export function queuedView(taskId: string, text: string, position: number, requester?: string): ProgressView {
  return { taskId, phase: "queued", text, position, todos: [], turns: 0, usage: emptyUsage(), ...(requester ? { requester } : {}) };
}

/** A finished task as its card shows it, from the record alone (any process can render it). */
export function finalView(task: Task, requester?: string, transcriptUrl?: string): ProgressView {
  const finishedAt = (task.finishedAt ?? task.updatedAt).getTime();
  const phase: Phase = task.status === "succeeded" || task.status === "cancelled" ? task.status : "failed";
  return {
    taskId: task.id,
    phase,
    text: task.text,
    todos: task.todos.map((t) => ({ ...t })),
    turns: task.turns,
    usage: { ...task.usage },
    finishedAt,
    ...(task.startedAt ? { startedAt: task.startedAt.getTime() } : {}),
    ...(requester ? { requester } : {}),
    ...(transcriptUrl ? { transcriptUrl } : {}),
    ...(phase === "succeeded" ? {} : { outcome: failureWords(task.failure?.code, task.cancelledBy) }),
  };
}

export function isFinal(phase: Phase): boolean {
  return phase === "succeeded" || phase === "failed" || phase === "cancelled";
}

/** Folds one event in; returns true when something the message shows changed. */
export function applyEvent(view: ProgressView, event: AgentEvent, now: number): boolean {
  if (isFinal(view.phase)) return false;
  const main = event.agent === "main";
  switch (event.type) {
    case "started":
      view.phase = "running";
      view.startedAt ??= now;
      delete view.position;
      delete view.note;
      return true;
    case "plan":
      if (!main) return false;
      view.todos = event.todos.map((t) => ({ ...t }));
      return true;
    case "turn":
      if (!main) return false;
      view.turns = event.turn;
      return endRetry(view);
    case "tool_started":
      if (event.name === "write_todos") return false;
      view.activity = `${main ? "" : `${event.agent} › `}${event.name}: ${event.summary}`;
      return true;
    case "tool_finished":
      // Cleared for the next render, but not worth an update of its own: the next step follows.
      if (view.activity?.startsWith(`${main ? "" : `${event.agent} › `}${event.name}:`)) delete view.activity;
      return false;
    case "usage": {
      // A model call answered (the engine reports its usage right after it).
      const recovered = endRetry(view);
      if (main) view.usage = { ...event.total };
      return recovered;
    }
    case "retry":
      view.phase = "retrying";
      view.note = `The model call failed (${event.reason}); retrying in ${Math.ceil(event.delayMs / 1000)}s`;
      return true;
    case "note":
      if (!main) return false;
      view.note = event.message;
      return true;
    case "finished":
      // The final state is decided when the outcome is recorded (a failure may still be retried).
      return false;
    default:
      return false;
  }
}

/** Back to running once a model call answers after a retry; the retry's note goes with it. */
function endRetry(view: ProgressView): boolean {
  if (view.phase !== "retrying") return false;
  view.phase = "running";
  delete view.note;
  return true;
}
