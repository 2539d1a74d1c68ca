// `deep-agent chat`: a conversation with the agent in one sandbox. Ctrl-C cancels the
// current turn; a second Ctrl-C, or /exit, leaves and cleans up. Calls that need approval are
// asked about at the prompt (denied when the input is not a terminal).
import { randomUUID } from "node:crypto";
import readline from "node:readline";
import { loadConfig, requireModelAccess } from "../../config/env.ts";
import { secretValues } from "../../config/secrets.ts";
import { createScrubber } from "../../shared/scrub-secrets.ts";
import { createLogger } from "../../shared/log.ts";
import type { Message } from "../../agent/run-options.ts";
import { addUsage, emptyUsage } from "../../agent/events.ts";
import { createTaskRuntime } from "../../runtime/task-runtime.ts";
import { openWorkspace } from "../../runtime/workspace.ts";
import { failureLine } from "../failure-words.ts";
import { taskTextProblem } from "../../tasks/task-text.ts";
import { createProgressDisplay } from "../progress/progress-display.ts";
import { formatTokens } from "../progress/terminal-format.ts";
import { usageError, exitCodes } from "../usage-error.ts";
import { createTerminalGate, type Ask } from "../terminal-gate.ts";
import { createApprovalPolicy } from "../../tasks/approval-policy.ts";

export async function run(args: string[]): Promise<number> {
  if (args.length > 0) throw usageError(`chat takes no arguments (got "${args[0]}"); run \`deep-agent chat\` and type your messages`);
  const config = loadConfig();
  requireModelAccess(config);
  const secrets = secretValues(config);
  const scrubber = createScrubber(secrets);
  const logger = createLogger({ level: config.logLevelExplicit ? config.LOG_LEVEL : "warn", secrets, format: "line" });
  const runtime = await createTaskRuntime(config, logger);
  const sessionId = randomUUID();
  const workspace = await openWorkspace(runtime, { taskId: sessionId, lifetimeMs: 24 * 3600_000 }).catch(async (error: unknown) => {
    await runtime.dispose();
    throw error;
  });
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: Boolean(process.stdin.isTTY) });
  const approvals = createApprovalPolicy(config);
  const total = emptyUsage();
  let history: Message[] = [];
  let turn: AbortController | null = null;
  let leaving = false;
  let interruptsAtPrompt = 0;
  let inputClosed = false;
  rl.on("close", () => (inputClosed = true));
  const prompt = () => {
    if (!inputClosed) rl.prompt();
  };

  const interrupt = () => {
    if (turn && !turn.signal.aborted) {
      process.stderr.write("\nCancelling this turn… (Ctrl-C again to leave)\n");
      turn.abort("cancelled from the terminal (Ctrl-C)");
      return;
    }
    if (turn || ++interruptsAtPrompt >= 2) {
      leaving = true;
      rl.close();
      return;
    }
    process.stderr.write("\n(press Ctrl-C again or type /exit to leave)\n");
    prompt();
  };
  rl.on("SIGINT", interrupt);
  process.on("SIGINT", interrupt);

  process.stderr.write(`deep-agent chat · sandbox ${workspace.sandbox.workdir} · /exit to leave\n`);
  rl.setPrompt("you › ");
  prompt();
  try {
    for await (const line of rl) {
      const text = line.trim();
      if (text === "/exit" || text === "/quit") break;
      if (text === "") {
        prompt();
        continue;
      }
      const problem = taskTextProblem(text);
      if (problem) {
        process.stderr.write(`${problem}\n`);
        prompt();
        continue;
      }
      interruptsAtPrompt = 0;
      turn = new AbortController();
      const display = createProgressDisplay(process.stderr, scrubber);
      const gate = createTerminalGate({
        policy: approvals,
        yes: false,
        // Typed lines are the conversation when the input is not a terminal: nobody to ask then.
        ask: process.stdin.isTTY ? promptAsk(rl, display) : null,
        note: (line) => display.print(line),
        scrub: (s) => scrubber.scrub(s),
        signal: turn.signal,
      });
      try {
        const outcome = await workspace.run({ taskId: `${sessionId}/${history.length}`, prompt: text, history, sink: display, signal: turn.signal, gate });
        display.stop();
        history = outcome.messages;
        addUsage(total, outcome.usage);
        if (outcome.result) process.stdout.write(`\n${scrubber.scrub(outcome.result)}\n\n`);
        if (outcome.failure) process.stderr.write(`(${outcome.status}: ${failureLine(outcome.failure)})\n`);
      } finally {
        display.stop();
        turn = null;
      }
      if (leaving) break;
      prompt();
    }
  } finally {
    process.off("SIGINT", interrupt);
    rl.close();
    process.stderr.write(`Leaving chat · ${formatTokens(total)} used · cleaning up the sandbox\n`);
    await workspace.close();
    await runtime.dispose();
  }
  return exitCodes.ok;
}

/** Asks at the chat's own prompt: the next line typed answers (the turn waits meanwhile). */
function promptAsk(rl: readline.Interface, display: { hold(): void; release(): void }): Ask {
  return (question, signal) =>
    new Promise((resolve) => {
      display.hold();
      const done = (answer: string | null) => {
        display.release();
        resolve(answer);
      };
      signal.addEventListener("abort", () => done(null), { once: true });
      rl.question(question, { signal }, (answer) => done(answer));
    });
}
