// One error vocabulary for the whole product. Every failure carries a code from the list below,
// a detail (the facts, for operators and logs; it may name configuration) and whether trying
// again may help. Each surface turns a code into its own words in one pure module
// (src/slack/render/failure-words.ts, src/cli/failure-words.ts); the model reads the detail.

/** Each code, and whether a later attempt may succeed where this one failed. */
export const ERROR_CODES = {
  // Bad input from a person or the configuration: nothing is changed.
  bad_input: false,
  config_invalid: false,
  unknown_task: false,
  unknown_schedule: false,
  not_allowed: false,
  queue_full: true,
  too_many_tasks: true,
  database_unavailable: true,

  // Why a task did not succeed.
  timeout: false,
  turn_limit: false,
  cancelled: false,
  model_unavailable: true,
  model_auth: false,
  model_rejected: false,
  context_overflow: false,
  /** It reached its spending limit (TASK_BUDGET_USD) and a person chose to stop, or no one answered. */
  budget_exceeded: false,
  sandbox_unavailable: true,
  /** Commands cannot be isolated on this machine; it stays so until someone installs or allows what is missing. */
  isolation_unavailable: false,
  internal: true,

  // Why an attempt stopped without a final state (the queue takes the task back).
  shutdown: true,
  claim_lost: false,

  // A tool call that failed; the model reads the detail and carries on.
  file_not_found: false,
  outside_workdir: false,
  is_directory: false,
  not_directory: false,
  not_regular_file: false,
  too_large: false,
  file_io: true,
  sandbox_closed: false,
  mcp_stopped: false,
  mcp_timeout: true,
  mcp_cancelled: false,
  mcp_unavailable: true,
  mcp_failed: false,

  // A task's GitHub repository: it could not be used, or the work could not be delivered.
  repo_unreadable: false,
  github_auth: false,
  github_rate_limited: true,
  github_unavailable: true,
  branch_protected: false,
  push_rejected: false,
  pull_request_failed: false,
} as const satisfies Record<string, boolean>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A failure as records and events carry it. */
export interface Failure {
  code: ErrorCode;
  detail: string;
  transient: boolean;
}

export class CodedError extends Error {
  readonly code: ErrorCode;
  readonly transient: boolean;

  constructor(code: ErrorCode, detail: string, options: { transient?: boolean; cause?: unknown } = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CodedError";
    this.code = code;
    this.transient = options.transient ?? ERROR_CODES[code];
  }

  get detail(): string {
    return this.message;
  }

  toFailure(): Failure {
    return { code: this.code, detail: this.message, transient: this.transient };
  }
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}

/** True when `error` is a CodedError with one of these codes (any code when none are given). */
export function hasCode(error: unknown, ...codes: ErrorCode[]): error is CodedError {
  return error instanceof CodedError && (codes.length === 0 || codes.includes(error.code));
}

/** The failure an error amounts to: its own when coded, else "internal" with its message. */
export function failureOf(error: unknown): Failure {
  return hasCode(error) ? error.toFailure() : new CodedError("internal", error instanceof Error ? error.message : String(error)).toFailure();
}

/** A stored failure read back: an unknown code (an older version's) becomes "internal". */
export function failureFrom(code: string | null | undefined, detail: string | null | undefined): Failure | null {
  if (!code && !detail) return null;
  const known = isErrorCode(code) ? code : "internal";
  return { code: known, detail: detail ?? "", transient: ERROR_CODES[known] };
}
