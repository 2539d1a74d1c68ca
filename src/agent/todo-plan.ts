// The plan as the user sees it. The model rewrites its whole todo list with each
// write_todos call; completed items it leaves out are kept, so finished work never vanishes.
import type { Todo } from "./events.ts";

export function mergePlan(shown: readonly Todo[], next: readonly Todo[]): Todo[] {
  const nextContents = new Set(next.map((t) => t.content));
  const keptDone = shown.filter((t) => t.status === "completed" && !nextContents.has(t.content));
  return [...keptDone, ...next.map((t) => ({ content: t.content, status: t.status }))];
}

export function planSummary(todos: readonly Todo[]): string {
  const count = (s: Todo["status"]) => todos.filter((t) => t.status === s).length;
  return `${count("completed")} completed, ${count("in_progress")} in progress, ${count("pending")} pending`;
}
