import { z } from "zod";
import { defineTool, type ToolContext } from "../tool.ts";

export const SUBAGENT_TYPES = {
  "general-purpose": "Any multi-step job: research, coding, running commands. Has every tool except task.",
  researcher: "Reads and searches only (read_file, ls, glob, grep, execute for read-only commands); never writes files.",
} as const;

export type SubagentType = keyof typeof SUBAGENT_TYPES;

export type SubagentRun = (description: string, type: SubagentType, ctx: ToolContext) => Promise<{ ok: boolean; text: string; summary: string }>;

// Built once: every run makes its own tool, never its own schema or description.
const inputSchema = z.object({
  description: z.string().min(1, "description must say what the sub-agent should do"),
  subagent_type: z.string().optional(),
});
const typeLines = Object.entries(SUBAGENT_TYPES)
  .map(([name, what]) => `- ${name}: ${what}`)
  .join("\n");

/** The `task` tool: a sub-agent with a fresh context in the same sandbox, returning its final answer. */
export function createSubagentTool(runSubagent: SubagentRun) {
  return defineTool({
    name: "task",
    description:
      "Hand a self-contained piece of work to a sub-agent with its own fresh context, working in the same sandbox. " +
      "Describe the job completely (it sees none of this conversation); you get back its final answer. " +
      `Independent sub-tasks given in one turn run concurrently. subagent_type:\n${typeLines}`,
    schema: inputSchema,
    describe: (input) => input.description.slice(0, 80),
    async run(input, ctx) {
      const type = input.subagent_type ?? "general-purpose";
      if (!(type in SUBAGENT_TYPES)) {
        return { content: `Unknown subagent_type "${type}"; use one of: ${Object.keys(SUBAGENT_TYPES).join(", ")}.`, isError: true };
      }
      const outcome = await runSubagent(input.description, type as SubagentType, ctx);
      return { content: outcome.text, isError: !outcome.ok, summary: outcome.summary };
    },
  });
}
