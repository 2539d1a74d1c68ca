import { z } from "zod";
import { defineTool } from "../tool.ts";
import type { Todo } from "../events.ts";
import { planSummary } from "../todo-plan.ts";

const todoSchema = z.object({
  content: z.string().min(1, "a todo's content must not be empty"),
  status: z.enum(["pending", "in_progress", "completed"]),
});

// Built once: a run makes its own tool (for its own plan), never its own schema.
const inputSchema = z.object({ todos: z.array(todoSchema).max(100, "keep the plan to 100 items or fewer") });

/** The plan tool; `onPlan` receives the model's full list and returns the list the user now sees. */
export function createWriteTodosTool(onPlan: (todos: Todo[]) => Todo[]) {
  return defineTool({
    name: "write_todos",
    description:
      "Write your plan as a todo list (the whole list each time). Use it for any task of more than two steps: " +
      "mark one item in_progress before starting it and completed as soon as it is done. The user sees this list live.",
    schema: inputSchema,
    describe: (input) => `${input.todos.length} items`,
    serialKey: () => "write_todos",
    async run(input) {
      const shown = onPlan(input.todos);
      const inProgress = input.todos.filter((t) => t.status === "in_progress").length;
      const hint = inProgress > 1 ? " Note: keep only one item in_progress at a time." : "";
      return { content: `Todo list updated (${planSummary(shown)}).${hint}`, summary: planSummary(shown) };
    },
  });
}
