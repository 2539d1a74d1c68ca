// Reading @slack/web-api errors: the Slack error code, and how long a rate limit asks us to wait.
import { ErrorCode } from "@slack/web-api";

/** Slack's `error` string of a platform error ("not_in_channel"), or null for other failures. */
export function slackErrorCode(error: unknown): string | null {
  const e = error as { code?: string; data?: { error?: unknown } };
  if (e?.code === ErrorCode.PlatformError && typeof e.data?.error === "string") return e.data.error;
  return null;
}

/** The explanations Slack adds to some errors (response_metadata.messages), e.g. "[ERROR] unsupported type: plan [json-pointer:/blocks/1/type]". */
export function slackErrorMessages(error: unknown): string[] {
  const messages = (error as { data?: { response_metadata?: { messages?: unknown } } })?.data?.response_metadata?.messages;
  return Array.isArray(messages) ? messages.filter((m): m is string => typeof m === "string") : [];
}

/** Milliseconds Slack asked us to wait (HTTP 429 Retry-After), or null when it is not a rate limit. */
export function retryAfterMs(error: unknown): number | null {
  const e = error as { code?: string; retryAfter?: unknown };
  if (e?.code !== ErrorCode.RateLimitedError) return null;
  const seconds = typeof e.retryAfter === "number" && Number.isFinite(e.retryAfter) ? e.retryAfter : 1;
  return Math.max(0, seconds) * 1000;
}

/** A short description of a Slack failure for logs and replies, never including a token. */
export function describeSlackError(error: unknown): string {
  const code = slackErrorCode(error);
  if (code) return code;
  if (retryAfterMs(error) !== null) return "rate limited";
  return error instanceof Error ? error.message : String(error);
}
