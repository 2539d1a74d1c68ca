import path from "node:path";
import { z } from "zod";
import { defineTool } from "../tool.ts";
import { shellQuote } from "../shell-quote.ts";

const MAX_RESULTS = 500;
const MAX_SCANNED = 50_000;

export const globTool = defineTool({
  name: "glob",
  description: 'Find files by glob pattern (e.g. "**/*.ts", "src/*.json") under path (default: the working directory). .git and node_modules are skipped.',
  schema: z.object({ pattern: z.string().min(1, "pattern must not be empty"), path: z.string().optional() }),
  describe: (input) => input.pattern,
  async run(input, ctx) {
    const root = input.path ?? ".";
    await ctx.sandbox.list(root); // refuses paths outside the sandbox's reach, and missing ones
    const command = `cd ${shellQuote(root)} && find . \\( -name .git -o -name node_modules \\) -prune -o -type f -print 2>/dev/null | head -n ${MAX_SCANNED}`;
    const result = await ctx.sandbox.exec(command, { timeoutMs: Math.min(60_000, ctx.maxCommandMs), signal: ctx.signal });
    if (result.exitCode !== 0 && !result.stdout) return { content: `glob failed: ${result.stderr.trim() || `exit ${result.exitCode}`}`, isError: true };
    const files = result.stdout
      .split("\n")
      .filter(Boolean)
      .map((f) => f.replace(/^\.\//, ""))
      .filter((f) => path.matchesGlob(f, input.pattern) || (!input.pattern.includes("/") && path.matchesGlob(path.basename(f), input.pattern)))
      .sort();
    if (files.length === 0) return { content: `No files match ${input.pattern} under ${root}.`, summary: "no matches" };
    const shown = files.slice(0, MAX_RESULTS);
    const more = files.length > MAX_RESULTS ? `\n[${files.length - MAX_RESULTS} more matches not shown; narrow the pattern]` : "";
    return { content: shown.join("\n") + more, summary: `${files.length} files` };
  },
});
