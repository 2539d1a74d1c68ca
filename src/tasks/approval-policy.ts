// What needs a person's say before the agent goes on, from the configuration: a tool call that
// matches a REQUIRE_APPROVAL rule, and a task whose estimated spend reaches TASK_BUDGET_USD (each
// "continue" allows another TASK_BUDGET_USD). The worker and the terminal ask differently; what
// they ask about is decided here.
import type { Usage } from "../agent/events.ts";
import { compileApprovalRules, type ApprovalRule } from "../config/approval-rules.ts";
import type { Config } from "../config/env.ts";
import { oneLine } from "../shared/one-line.ts";
import { estimateCostUsd, formatLimitUsd } from "./pricing.ts";

export interface ApprovalPolicy {
  /** The rule the call matches (it must wait for a decision), or null. */
  ruleFor(tool: string, input: unknown): ApprovalRule | null;
  /** The spending limit, and the step each "continue" adds; null when there is none. */
  budgetUsd: number | null;
  spentUsd(usage: Usage): number;
  /** How long a decision may take before it counts as a denial. */
  timeoutSeconds: number;
}

export function createApprovalPolicy(config: Pick<Config, "REQUIRE_APPROVAL" | "TASK_BUDGET_USD" | "AGENT_MODEL" | "APPROVAL_TIMEOUT_SECONDS">): ApprovalPolicy {
  return {
    ruleFor: compileApprovalRules(config.REQUIRE_APPROVAL),
    budgetUsd: config.TASK_BUDGET_USD ?? null,
    spentUsd: (usage) => estimateCostUsd(config.AGENT_MODEL, usage),
    timeoutSeconds: config.APPROVAL_TIMEOUT_SECONDS,
  };
}

/** The budget request, when the spend has reached the limit after `continues` approvals to go on. */
export function budgetReached(policy: ApprovalPolicy, usage: Usage, continues: number): { spentUsd: number; limitUsd: number; stepUsd: number } | null {
  if (policy.budgetUsd === null) return null;
  const spentUsd = policy.spentUsd(usage);
  const limitUsd = policy.budgetUsd * (1 + continues);
  return spentUsd >= limitUsd ? { spentUsd, limitUsd, stepUsd: policy.budgetUsd } : null;
}

export function budgetSummary(b: { spentUsd: number; limitUsd: number }): string {
  return `spending limit reached: ≈${formatLimitUsd(b.spentUsd)} spent (limit ${formatLimitUsd(b.limitUsd)})`;
}

const SUMMARY_CHARS = 300;

/** One line naming a call for people: "execute: git push --force", "write_file: .env". */
export function describeCall(tool: string, input: unknown): string {
  const fields = input && typeof input === "object" ? (input as Record<string, unknown>) : {};
  const subject = fields["command"] ?? fields["file_path"] ?? fields["path"];
  const text = typeof subject === "string" ? subject : JSON.stringify(input ?? {});
  return oneLine(`${tool}: ${text}`, SUMMARY_CHARS);
}

/** "24 hours", "90 seconds": a timeout in words for the model and for people. */
export function durationWords(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (seconds % 3600 === 0) return unit(seconds / 3600, "hour");
  if (seconds % 60 === 0) return unit(seconds / 60, "minute");
  return unit(seconds, "second");
}
