// What a failed GitHub REST call means. Octokit throws a RequestError carrying the HTTP status
// and the response's headers; a rate limit is a 429, or a 403 with x-ratelimit-remaining: 0.
import { z } from "zod";
import { CodedError } from "../shared/errors.ts";

const RequestErrorShape = z.object({
  status: z.number().optional(),
  message: z.string().optional(),
  response: z
    .object({ headers: z.record(z.string(), z.unknown()).optional() })
    .loose()
    .optional(),
});

export function apiError(error: unknown, doing: string, forbidden: () => CodedError): CodedError {
  if (error instanceof CodedError) return error;
  const parsed = RequestErrorShape.safeParse(error);
  const status = parsed.success ? parsed.data.status : undefined;
  const message = (parsed.success ? parsed.data.message : undefined) ?? (error instanceof Error ? error.message : String(error));
  const headers = (parsed.success ? parsed.data.response?.headers : undefined) ?? {};
  const said = message.replace(/\s+/g, " ").slice(0, 300);
  if (status === 429 || (status === 403 && (String(headers["x-ratelimit-remaining"]) === "0" || /rate limit/i.test(message)))) {
    return new CodedError("github_rate_limited", `GitHub's API rate limit was reached while ${doing}${resetAt(headers)} (${said})`, { cause: error });
  }
  if (status === 401) return new CodedError("github_auth", `GitHub did not accept GITHUB_TOKEN while ${doing} (${said}); check the token`, { cause: error });
  if (status === 403 || status === 404) return forbidden();
  if (status === undefined || status >= 500) return new CodedError("github_unavailable", `GitHub's API did not answer while ${doing} (${said})`, { cause: error });
  return new CodedError("pull_request_failed", `GitHub refused ${doing} (HTTP ${status}: ${said})`, { cause: error });
}

function resetAt(headers: Record<string, unknown>): string {
  const reset = Number(headers["x-ratelimit-reset"]);
  if (Number.isFinite(reset) && reset > 0) return `; it resets at ${new Date(reset * 1000).toISOString()}`;
  const after = Number(headers["retry-after"]);
  return Number.isFinite(after) && after > 0 ? `; try again in ${after} s` : "";
}
