import { z } from "zod";
import { defineTool } from "../tool.ts";
import { shellQuote } from "../shell-quote.ts";
import { hasCode } from "../../shared/errors.ts";

const MAX_LINES = 500;

export const grepTool = defineTool({
  name: "grep",
  description:
    "Search file contents for a regular expression (extended regex, like grep -E) under path (default: the working directory), " +
    'optionally only in files matching glob (e.g. "*.ts"). Returns file:line:text. .git and node_modules are skipped.',
  schema: z.object({
    pattern: z.string().min(1, "pattern must not be empty"),
    path: z.string().optional(),
    glob: z.string().optional(),
  }),
  describe: (input) => input.pattern,
  async run(input, ctx) {
    const target = input.path ?? ".";
    try {
      await ctx.sandbox.list(target); // refuses paths outside the sandbox's reach, and missing ones
    } catch (error) {
      if (!hasCode(error, "not_directory")) throw error;
    }
    const include = input.glob ? ` --include=${shellQuote(input.glob)}` : "";
    const command = `grep -rnIE --color=never --exclude-dir=.git --exclude-dir=node_modules${include} -e ${shellQuote(input.pattern)} -- ${shellQuote(target)} | head -n ${MAX_LINES + 1}`;
    const result = await ctx.sandbox.exec(`set -o pipefail; ${command}`, { timeoutMs: Math.min(120_000, ctx.maxCommandMs), signal: ctx.signal });
    const lines = result.stdout.split("\n").filter(Boolean);
    if (result.exitCode === 1 && lines.length === 0) return { content: `No matches for ${input.pattern}.`, summary: "no matches" };
    if (result.exitCode > 1 && lines.length === 0) {
      return { content: `grep failed: ${result.stderr.trim() || `exit ${result.exitCode}`}`, isError: true };
    }
    const more = lines.length > MAX_LINES ? `\n[more than ${MAX_LINES} matching lines; narrow the pattern, path or glob]` : "";
    return { content: lines.slice(0, MAX_LINES).join("\n") + more, summary: `${Math.min(lines.length, MAX_LINES)} lines` };
  },
});
