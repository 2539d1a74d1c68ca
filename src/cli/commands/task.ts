// `deep-agent task "<text>" [--json]`: one task now, in this process. Plan on stderr,
// result on stdout, exit 0 on success and 1 otherwise.
import { randomUUID } from "node:crypto";
import { loadConfig, requireModelAccess, secretValues } from "../../config/env.ts";
import { createLogger } from "../../shared/log.ts";
import { runAgent } from "../../agent/engine.ts";
import type { Sandbox } from "../../sandbox/port.ts";
import { createTaskRuntime } from "../../runtime/task-runtime.ts";
import { taskTextProblem } from "../../tasks/task-text.ts";
import { createProgressDisplay } from "../progress/progress-display.ts";
import { onInterrupt } from "../interrupts.ts";
import { parseCommandArgs } from "../parse-args.ts";
import { UsageError, exitCodes } from "../usage-error.ts";

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("task", args, { json: { type: "boolean", default: false } });
  if (positionals.length === 0) throw new UsageError('task: the task text is missing; usage: deep-agent task "<text>" [--json]');
  if (positionals.length > 1) throw new UsageError('task: give the task text as one argument in quotes: deep-agent task "<text>" [--json]');
  const text = positionals[0]!;
  const problem = taskTextProblem(text);
  if (problem) throw new UsageError(`task: ${problem}`);

  const config = loadConfig();
  requireModelAccess(config);
  const logger = createLogger({ level: config.logLevelExplicit ? config.LOG_LEVEL : "warn", secrets: secretValues(config), format: "line" });
  const runtime = await createTaskRuntime(config, logger);
  const display = createProgressDisplay(process.stderr);
  const controller = new AbortController();
  const stopInterrupts = onInterrupt(
    () => {
      display.print("Cancelling… (Ctrl-C again to quit at once)");
      controller.abort("cancelled from the terminal (Ctrl-C)");
    },
    () => process.exit(130),
  );

  const taskId = randomUUID();
  let sandbox: Sandbox | undefined;
  let mcp: Awaited<ReturnType<typeof runtime.openTools>> | undefined;
  try {
    sandbox = await runtime.sandboxes.create({ taskId, lifetimeMs: runtime.limits.timeoutMs, signal: controller.signal });
    mcp = await runtime.openTools(sandbox, display, controller.signal);
    const outcome = await runAgent({
      taskId,
      prompt: text,
      sandbox,
      model: runtime.model,
      sink: display,
      limits: runtime.limits,
      extraTools: mcp.tools,
      signal: controller.signal,
    });
    display.stop();
    if (values.json) {
      const json = {
        id: taskId,
        status: outcome.status,
        result: outcome.result,
        todos: outcome.todos.map((t) => ({ content: t.content, status: t.status })),
        usage: outcome.usage,
        ...(outcome.error ? { error: outcome.error } : {}),
      };
      process.stdout.write(JSON.stringify(json) + "\n");
    } else {
      if (outcome.result) process.stdout.write(outcome.result.endsWith("\n") ? outcome.result : `${outcome.result}\n`);
      if (outcome.status !== "succeeded") process.stderr.write(`deep-agent: task ${outcome.status}: ${outcome.error}\n`);
    }
    return outcome.status === "succeeded" ? exitCodes.ok : exitCodes.failure;
  } finally {
    stopInterrupts();
    display.stop();
    await mcp?.close();
    await sandbox?.close();
    await runtime.dispose();
  }
}
