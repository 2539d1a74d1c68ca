// The engine's gate for a task run by a worker: a call a rule names, or a model call past the
// spending limit, pauses the task until a person decides (the worker records the request and lets
// the task go); when the task resumes, the recorded decisions answer: an approved call runs, a
// denied one becomes an error result saying who denied it (or that time ran out), and a refused
// "continue" ends the task.
import type { Gate, GatedCall, GateVerdict, ModelCallVerdict } from "../agent/run-options.ts";
import type { Usage } from "../agent/events.ts";
import type { Approval, NewApproval } from "../store/approval-repo.ts";
import { CodedError } from "../shared/errors.ts";
import { describeActor } from "./actor.ts";
import { budgetReached, budgetSummary, describeCall, durationWords, type ApprovalPolicy } from "./approval-policy.ts";
import { formatLimitUsd } from "./pricing.ts";

/** What the run paused for: the request to record. */
export type ApprovalAsk = Pick<NewApproval, "kind" | "summary" | "input"> & Partial<Pick<NewApproval, "toolUseId" | "tool" | "rule">>;

export interface TaskGate extends Gate {
  /** The request of the last pause (the one that ended the run), or null. */
  asked(): ApprovalAsk | null;
}

/** `decided`: the task's earlier requests with their decisions. */
export function createTaskGate(policy: ApprovalPolicy, decided: readonly Approval[]): TaskGate {
  const byCall = new Map(decided.filter((a) => a.kind === "tool" && a.toolUseId).map((a) => [a.toolUseId!, a]));
  const budget = decided.filter((a) => a.kind === "budget");
  const continues = budget.filter((a) => a.status === "approved").length;
  const refused = budget.find((a) => a.status === "denied" || a.status === "timed_out");
  let asked: ApprovalAsk | null = null;
  const waitWords = durationWords(policy.timeoutSeconds);

  return {
    asked: () => asked,

    async toolCall(call: GatedCall): Promise<GateVerdict> {
      const past = byCall.get(call.id);
      if (past?.status === "approved") return { kind: "run" };
      if (past?.status === "denied") {
        const who = past.decidedBy ? describeActor(past.decidedBy) : "a person";
        return { kind: "deny", reason: `Not run: this call needed a person's approval, and ${who} denied it. Carry on without it, or explain in your answer what it would have done.` };
      }
      if (past?.status === "timed_out") {
        return {
          kind: "deny",
          reason: `Not run: this call needed a person's approval, and no one gave it within ${waitWords}. Carry on without it, or explain in your answer what it would have done.`,
        };
      }
      const rule = policy.ruleFor(call.name, call.input);
      if (!rule) return { kind: "run" };
      const summary = describeCall(call.name, call.input);
      asked = { kind: "tool", toolUseId: call.id, tool: call.name, input: asRecord(call.input), rule: rule.text, summary };
      return { kind: "pause", summary: `approval of ${summary}` };
    },

    async modelCall(usage: Usage): Promise<ModelCallVerdict> {
      if (refused) {
        const spent = formatLimitUsd(policy.spentUsd(usage));
        const why = refused.status === "denied" ? `${refused.decidedBy ? describeActor(refused.decidedBy) : "a person"} chose to stop` : `no one answered within ${waitWords}`;
        return { kind: "stop", failure: new CodedError("budget_exceeded", `stopped at its spending limit (≈${spent} spent): ${why}`).toFailure() };
      }
      const reached = budgetReached(policy, usage, continues);
      if (!reached) return { kind: "run" };
      const summary = budgetSummary(reached);
      asked = { kind: "budget", input: { spent_usd: round(reached.spentUsd), limit_usd: reached.limitUsd, step_usd: reached.stepUsd }, summary };
      return { kind: "pause", summary };
    },
  };
}

function asRecord(input: unknown): Record<string, unknown> {
  return input && typeof input === "object" && !Array.isArray(input) ? (input as Record<string, unknown>) : { input };
}

function round(usd: number): number {
  return Math.round(usd * 10_000) / 10_000;
}
