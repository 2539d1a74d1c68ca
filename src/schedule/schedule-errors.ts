// Bad input to a schedule command: one line that names the problem and how to fix it. The
// command line turns it into a UsageError (exit 2), Slack into a reply only the caller sees.
export type ScheduleProblem = "cron" | "timezone" | "text" | "channel" | "unknown_id" | "too_many" | "not_allowed" | "state";

export class ScheduleInputError extends Error {
  readonly problem: ScheduleProblem;
  constructor(problem: ScheduleProblem, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ScheduleInputError";
    this.problem = problem;
  }
}
