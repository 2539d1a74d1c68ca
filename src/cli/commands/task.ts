// `deep-agent task "<text>" [--json] [--yes] [--repo owner/name]`: one task now, in this process.
// Plan on stderr, result on stdout, exit 0 on success and 1 otherwise. Calls that need approval
// are asked about on the terminal; --yes approves them all. With a repository (--repo, or
// repo=owner/name in the text) the work ends in a draft pull request, whose URL is printed.
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
import { isInputProblem } from "../failure-words.ts";
import { cliRepository, type CliRepository } from "../repository-option.ts";
import type { RepositoryReport } from "../../shared/repository-report.ts";

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("task", args, { json: { type: "boolean", default: false }, yes: { type: "boolean", default: false }, repo: { type: "string" } });
  if (positionals.length === 0) throw usageError('task: the task text is missing; usage: deep-agent task "<text>" [--json] [--yes] [--repo owner/name]');
  if (positionals.length > 1) throw usageError('task: give the task text as one argument in quotes: deep-agent task "<text>" [--json] [--yes] [--repo owner/name]');
  const text = positionals[0]!;
  const problem = taskTextProblem(text);
  if (problem) throw usageError(`task: ${problem}`);

  const config = loadConfig();
  requireModelAccess(config);
  const secrets = secretValues(config);
  const scrubber = createScrubber(secrets);
  const logger = createLogger({ level: config.logLevelExplicit ? config.LOG_LEVEL : "warn", secrets, format: "line" });
  const runtime = await createTaskRuntime(config, logger);
  const taskId = randomUUID();
  // Checked before anything runs: a bad name or a repository the token cannot read is exit 2.
  let repository: CliRepository | null;
  try {
    repository = await cliRepository("task", values.repo, text, runtime.repositories, taskId);
  } catch (error) {
    await runtime.dispose();
    throw error;
  }
  const display = createProgressDisplay(process.stderr, scrubber);
  const controller = new AbortController();
  const stopInterrupts = onInterrupt(
    () => {
      display.print("Cancelling… (Ctrl-C again to quit at once)");
      controller.abort("cancelled from the terminal (Ctrl-C)");
    },
    () => process.exit(130),
  );

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
  let keep = false;
  try {
    workspace = await openWorkspace(runtime, { taskId, signal: controller.signal, ...(repository ? { keepGitHubTokenOut: true } : {}) });
    const note = repository ? await repository.checkOut(workspace.sandbox, controller.signal) : "";
    let outcome = await workspace.run({ prompt: note ? `${text}\n\n${note}` : text, sink: display, signal: controller.signal, gate });
    const delivered = repository ? await repository.finish(outcome, workspace.sandbox, controller.signal) : null;
    if (delivered) outcome = delivered.outcome;
    const pullRequest = delivered?.report?.pullRequest && delivered.report.outcome !== "failed" ? delivered.report.pullRequest : undefined;
    // Undelivered work stays in the sandbox (the answer says where), so nothing is lost.
    keep = delivered?.report?.outcome === "failed";
    display.stop();
    const kept = keep ? ` The work is kept in the sandbox (${workspace.sandbox.provider} ${workspace.sandbox.workdir}, id ${workspace.sandbox.id}).` : "";
    const error = outcome.failure ? `${failureLine(outcome.failure)}${kept}` : undefined;
    if (values.json) {
      const json = {
        id: taskId,
        status: outcome.status,
        result: outcome.result,
        todos: outcome.todos.map((t) => ({ content: t.content, status: t.status })),
        usage: outcome.usage,
        ...(pullRequest && delivered?.report ? { pull_request: { url: pullRequest.url, number: pullRequest.number, branch: delivered.report.branch } } : {}),
        ...(error ? { error } : {}),
      };
      process.stdout.write(`${scrubber.scrub(JSON.stringify(json))}\n`);
    } else {
      const result = scrubber.scrub(outcome.result);
      if (result) process.stdout.write(result.endsWith("\n") ? result : `${result}\n`);
      if (delivered?.report) process.stdout.write(`${repositoryLine(delivered.report)}\n`);
      if (outcome.status !== "succeeded") process.stderr.write(`deep-agent: task ${outcome.status}: ${error}\n`);
    }
    if (outcome.status === "succeeded") return exitCodes.ok;
    // Work the repository refused (protected branch, no write access) is a setting to fix: exit 2.
    return delivered?.report?.failure && isInputProblem(delivered.report.failure.code) ? exitCodes.usage : exitCodes.failure;
  } finally {
    stopInterrupts();
    display.stop();
    await workspace?.close({ keep });
    await runtime.dispose();
  }
}

function repositoryLine(report: RepositoryReport): string {
  const pr = report.pullRequest;
  switch (report.outcome) {
    case "opened":
      return `pull request: ${pr!.url} (draft, branch ${report.branch})`;
    case "updated":
      return `pull request: ${pr!.url} (updated, branch ${report.branch})`;
    case "unchanged":
      return pr ? `pull request: ${pr.url} (no new changes)` : `no changes in ${report.repo}: no pull request opened`;
    case "failed":
      return `the changes did not reach ${report.repo}${pr ? ` (pull request ${pr.url})` : ""}`;
  }
}
