import { z } from "zod";
import { defineTool } from "../tool.ts";

const DEFAULT_TIMEOUT_S = 300;
const MAX_OUTPUT_BYTES = 2 * 1024 * 1024;

export const executeTool = defineTool({
  name: "execute",
  description:
    "Run a shell command (bash) in the sandbox's working directory and return its output and exit code. " +
    `Default time limit ${DEFAULT_TIMEOUT_S} s; pass timeout (seconds) for longer commands. ` +
    "Commands that do not depend on each other can be issued in one turn; they run concurrently.",
  schema: z.object({
    command: z.string().min(1, "command must not be empty").describe("The shell command to run"),
    timeout: z.number().positive().max(86_400).optional().describe("Time limit in seconds"),
  }),
  describe: (input) => input.command,
  async run(input, ctx) {
    const requestedMs = (input.timeout ?? DEFAULT_TIMEOUT_S) * 1000;
    const timeoutMs = Math.max(1, Math.min(requestedMs, ctx.maxCommandMs));
    const result = await ctx.sandbox.exec(input.command, { timeoutMs, signal: ctx.signal, maxOutputBytes: MAX_OUTPUT_BYTES });
    const parts: string[] = [];
    if (result.stdout) parts.push(result.stdout.replace(/\n$/, ""));
    if (result.stderr) parts.push(`[stderr]\n${result.stderr.replace(/\n$/, "")}`);
    if (result.droppedBytes > 0) parts.push(`[${result.droppedBytes} bytes of output not kept]`);
    const seconds = (result.durationMs / 1000).toFixed(1);
    let status: string;
    if (result.cancelled) status = "[command cancelled]";
    else if (result.timedOut) status = `[command killed after its time limit of ${Math.round(timeoutMs / 1000)} s; pass a larger timeout or run it in the background]`;
    else status = `[exit code ${result.exitCode}]`;
    parts.push(status);
    const ok = !result.timedOut && !result.cancelled && result.exitCode === 0;
    return {
      content: parts.join("\n"),
      isError: !ok,
      summary: result.timedOut ? `timed out after ${seconds} s` : `exit ${result.exitCode} in ${seconds} s`,
      ...(result.timedOut || result.cancelled ? {} : { exitCode: result.exitCode }),
    };
  },
});
