import { z } from "zod";
import { defineTool } from "../tool.ts";

const MAX_ENTRIES = 1000;

export const lsTool = defineTool({
  name: "ls",
  description: "List a directory in the sandbox (default: the working directory). Directories end with /.",
  schema: z.object({ path: z.string().optional() }),
  describe: (input) => input.path ?? ".",
  async run(input, ctx) {
    const entries = await ctx.sandbox.list(input.path ?? ".");
    if (entries.length === 0) return { content: `${input.path ?? "."} is empty.`, summary: "empty" };
    const lines = entries.slice(0, MAX_ENTRIES).map((e) => (e.type === "dir" ? `${e.name}/` : e.size === undefined ? e.name : `${e.name}  (${e.size} bytes)`));
    if (entries.length > MAX_ENTRIES) lines.push(`[${entries.length - MAX_ENTRIES} more entries not shown]`);
    return { content: lines.join("\n"), summary: `${entries.length} entries` };
  },
});
