// Why a task did not succeed, in words a Slack user can act on.
import type { FailureReason } from "../../agent/events.ts";

export function failureText(reason: FailureReason | null | undefined, error: string | null | undefined, cancelledBy?: string): string {
  const detail = error?.trim() ? ` (${error.trim()})` : "";
  switch (reason) {
    case "cancelled":
      return cancelledBy ? `Cancelled by <@${cancelledBy}>.` : `Cancelled${detail}.`;
    case "timeout":
      return `It ran out of time${detail}. Ask again with a smaller piece of the work, or ask an operator to raise TASK_TIMEOUT_SECONDS.`;
    case "turn_limit":
      return `It used all its steps without finishing${detail}. Split the task into smaller ones, or ask an operator to raise MAX_TURNS.`;
    case "model_unavailable":
      return `The model was unavailable after several retries${detail}. Try again in a few minutes.`;
    case "model_rejected":
      return `The model refused the request${detail}. Rephrase the task; if it keeps happening, tell an operator.`;
    case "sandbox_error":
      return `The sandbox it works in failed${detail}. Try again; if it keeps happening, tell an operator.`;
    default:
      return `Something went wrong inside deep-agent${detail}. Try again; if it keeps happening, tell an operator.`;
  }
}
