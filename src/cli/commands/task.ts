// `deep-agent task "<text>" [--json] [--yes]`: one task now, in this process. Plan on stderr,
// result on stdout, exit 0 on success and 1 otherwise. Calls that need approval are asked about
// on the terminal; --yes approves them all.
import { randomUUID } from "node:crypto";
import { loadConfig, requireModelAccess } from "../../config/env.ts";
import { secretValues } from "../../config/secrets.ts";
import { createScrubber } from "../../shared/scrub-secrets.ts";
import { createLogger } from "../../shared/log.ts";
import { createTaskRuntime } from "../../runtime/task-runtime.ts";
import { openWorkspace, type Workspace } from "../../runtime/workspace.ts";
import { failureLine } from "../failure-words.ts";
import { taskTextProblem } from "../../tasks/task-text.ts";
import { createProgressDisplay } from "../progress/progress-display.ts";
import { onInterrupt } from "../interrupts.ts";
import { parseCommandArgs } from "../parse-args.ts";
import { usageError, exitCodes } from "../usage-error.ts";
import { createTerminalGate, terminalAsk } from "../terminal-gate.ts";
import { createApprovalPolicy } from "../../tasks/approval-policy.ts";

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("task", args, { json: { type: "boolean", default: false }, yes: { type: "boolean", default: false } });
  if (positionals.length === 0) throw usageError('task: the task text is missing; usage: deep-agent task "<text>" [--json] [--yes]');
  if (positionals.length > 1) throw usageError('task: give the task text as one argument in quotes: deep-agent task "<text>" [--json] [--yes]');
  const text = positionals[0]!;
  const problem = taskTextProblem(text);
  if (problem) throw usageError(`task: ${problem}`);

  const config = loadConfig();
  requireModelAccess(config);
  const secrets = secretValues(config);
  const scrubber = createScrubber(secrets);
  const logger = createLogger({ level: config.logLevelExplicit ? config.LOG_LEVEL : "warn", secrets, format: "line" });
  const runtime = await createTaskRuntime(config, logger);
  const display = createProgressDisplay(process.stderr, scrubber);
  const controller = new AbortController();
  const stopInterrupts = onInterrupt(
    () => {
      display.print("Cancelling… (Ctrl-C again to quit at once)");
      controller.abort("cancelled from the terminal (Ctrl-C)");
    },
    () => process.exit(130),
  );

  const taskId = randomUUID();
  // Questions go to stderr and answers come from stdin: both must be the terminal.
  const gate = createTerminalGate({
    policy: createApprovalPolicy(config),
    yes: values.yes,
    ask: process.stdin.isTTY && process.stderr.isTTY ? terminalAsk(process.stdin, process.stderr, display) : null,
    note: (line) => display.print(line),
    scrub: (s) => scrubber.scrub(s),
    signal: controller.signal,
  });
  let workspace: Workspace | undefined;
  try {
    workspace = await openWorkspace(runtime, { taskId, signal: controller.signal });
    const outcome = await workspace.run({ prompt: text, sink: display, signal: controller.signal, gate });
    display.stop();
    const error = outcome.failure ? failureLine(outcome.failure) : undefined;
    if (values.json) {
      const json = {
        id: taskId,
        status: outcome.status,
        result: outcome.result,
        todos: outcome.todos.map((t) => ({ content: t.content, status: t.status })),
        usage: outcome.usage,
        ...(error ? { error } : {}),
      };
      process.stdout.write(`${scrubber.scrub(JSON.stringify(json))}\n`);
    } else {
      const result = scrubber.scrub(outcome.result);
      if (result) process.stdout.write(result.endsWith("\n") ? result : `${result}\n`);
      if (outcome.status !== "succeeded") process.stderr.write(`deep-agent: task ${outcome.status}: ${error}\n`);
    }
    return outcome.status === "succeeded" ? exitCodes.ok : exitCodes.failure;
  } finally {
    stopInterrupts();
    display.stop();
    await workspace?.close();
    await runtime.dispose();
  }
}
