// The gate of a task run in this process (`deep-agent task`): a call a REQUIRE_APPROVAL rule names,
// or a model call past TASK_BUDGET_USD, is asked about on the terminal (y/N, showing the call),
// synchronously, while the task waits. `--yes` approves everything (and says so). With no terminal
// to ask on and no `--yes`, the call is denied (the task stops at the spending limit), with a note
// on stderr.
import readline from "node:readline";
import type { Gate, GateVerdict, ModelCallVerdict } from "../agent/run-options.ts";
import type { Usage } from "../agent/events.ts";
import { CodedError } from "../shared/errors.ts";
import { budgetReached, describeCall, type ApprovalPolicy } from "../tasks/approval-policy.ts";
import { formatLimitUsd } from "../tasks/pricing.ts";

/** Puts a question to the person at the terminal; resolves to their answer, or null (no answer: end of input, cancelled). */
export type Ask = (question: string, signal: AbortSignal) => Promise<string | null>;

export interface TerminalGateOptions {
  policy: ApprovalPolicy;
  yes: boolean;
  /** Null when there is no terminal to ask on. */
  ask: Ask | null;
  /** A line for the person (above the live plan). */
  note: (text: string) => void;
  /** Takes configured secrets out of what is shown. */
  scrub: (text: string) => string;
  signal: AbortSignal;
}

const INPUT_CHARS = 2000;

export function createTerminalGate(o: TerminalGateOptions): Gate {
  let continues = 0;
  // Sub-agents run side by side: one question at a time.
  let queue: Promise<unknown> = Promise.resolve();
  const askInTurn = (question: string): Promise<string | null> => {
    const next = queue.then(() => (o.signal.aborted ? null : o.ask!(question, o.signal)));
    queue = next.catch(() => null);
    return next;
  };

  return {
    async toolCall(call): Promise<GateVerdict> {
      const rule = o.policy.ruleFor(call.name, call.input);
      if (!rule) return { kind: "run" };
      const summary = o.scrub(describeCall(call.name, call.input));
      if (o.yes) {
        o.note(`approved (--yes): ${summary}`);
        return { kind: "run" };
      }
      if (!o.ask) {
        o.note(`deep-agent: not run, it needs approval (rule ${rule.text}) and there is no terminal to ask on; run with --yes to approve: ${summary}`);
        return { kind: "deny", reason: "Not run: this call needs a person's approval, and there was no one to ask. Carry on without it, or explain in your answer what it would have done." };
      }
      const question = `deep-agent wants to run ${call.name} (rule ${rule.text}):\n${indent(cut(o.scrub(inputText(call.name, call.input)), INPUT_CHARS))}\nAllow it? [y/N] `;
      if (yes(await askInTurn(question))) return { kind: "run" };
      return { kind: "deny", reason: "Not run: the person at the terminal denied this call. Carry on without it, or explain in your answer what it would have done." };
    },

    async modelCall(usage: Usage): Promise<ModelCallVerdict> {
      const reached = budgetReached(o.policy, usage, continues);
      if (!reached) return { kind: "run" };
      const spent = formatLimitUsd(reached.spentUsd);
      const step = formatLimitUsd(reached.stepUsd);
      const stop = (why: string): ModelCallVerdict => ({ kind: "stop", failure: new CodedError("budget_exceeded", `stopped at its spending limit (≈${spent} spent): ${why}`).toFailure() });
      if (o.yes) {
        continues++;
        o.note(`spending limit reached (≈${spent}); going on (--yes), another ${step}`);
        return { kind: "run" };
      }
      if (!o.ask) {
        o.note(`deep-agent: the task reached its spending limit (≈${spent} spent) and there is no terminal to ask whether to go on; run with --yes to go on`);
        return stop("there was no terminal to ask whether to go on");
      }
      const question = `deep-agent has spent ≈${spent} on this task (limit ${formatLimitUsd(reached.limitUsd)}, estimated).\nContinue (another ${step})? [y/N] `;
      if (!yes(await askInTurn(question))) return stop("you chose to stop");
      continues++;
      return { kind: "run" };
    },
  };
}

/**
 * Asks on a terminal: the live plan steps aside, the question goes to `output`, one line is read
 * from `input` (left in cooked mode, so Ctrl-C still cancels the task).
 */
export function terminalAsk(input: NodeJS.ReadStream, output: NodeJS.WriteStream, display: { hold(): void; release(): void }): Ask {
  return (question, signal) =>
    new Promise((resolve) => {
      display.hold();
      output.write(question);
      const rl = readline.createInterface({ input, terminal: false });
      let answered = false;
      const done = (answer: string | null) => {
        if (answered) return;
        answered = true;
        signal.removeEventListener("abort", onAbort);
        rl.removeAllListeners("line");
        rl.close();
        if (answer === null) output.write("\n");
        display.release();
        resolve(answer);
      };
      const onAbort = () => done(null);
      signal.addEventListener("abort", onAbort, { once: true });
      rl.once("line", (line) => done(line));
      rl.once("close", () => done(null));
    });
}

function yes(answer: string | null): boolean {
  return answer !== null && /^\s*y(es)?\s*$/i.test(answer);
}

function inputText(tool: string, input: unknown): string {
  const command = input && typeof input === "object" ? (input as Record<string, unknown>)["command"] : undefined;
  return tool === "execute" && typeof command === "string" ? command : JSON.stringify(input, null, 2);
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n…(${text.length - max} more characters not shown)`;
}
