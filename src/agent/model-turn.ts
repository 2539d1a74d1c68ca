// One model call: a streamed Messages API request, retried as a whole when the stream
// breaks. Failures become CodedErrors whose detail states the facts; the words of advice are
// each surface's (src/cli/failure-words.ts, src/slack/render/failure-words.ts).
import type Anthropic from "@anthropic-ai/sdk";
import type { ModelSettings } from "./run-options.ts";
import { sleep } from "../shared/sleep.ts";
import { CodedError } from "../shared/errors.ts";

export type ModelRequest = Omit<Anthropic.MessageCreateParamsNonStreaming, "model" | "stream">;

export interface TurnHooks {
  signal: AbortSignal;
  onRetry: (attempt: number, delayMs: number, reason: string) => void;
  onText?: (delta: string) => void;
}

export async function callModel(settings: ModelSettings, request: ModelRequest, hooks: TurnHooks): Promise<Anthropic.Message> {
  // Outside the retries: an SDK that cannot be loaded is not a broken stream.
  const client = await settings.client();
  for (let attempt = 0; ; attempt++) {
    try {
      const stream = client.messages.stream({ ...request, model: settings.model }, { signal: hooks.signal });
      if (hooks.onText) stream.on("text", hooks.onText);
      return await stream.finalMessage();
    } catch (error) {
      if (hooks.signal.aborted) throw hooks.signal.reason ?? error;
      const failure = classify(error, (await import("@anthropic-ai/sdk")).APIError);
      if (!failure.retryable || attempt >= settings.streamRetries) throw failure.error;
      const delayMs = Math.min(30_000, settings.retryBaseMs * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      hooks.onRetry(attempt + 1, Math.round(delayMs), failure.error.message);
      await sleep(delayMs, hooks.signal);
    }
  }
}

/** `APIError` is passed in: the SDK is loaded with the client (model-client.ts), not with this module. */
function classify(error: unknown, APIError: typeof Anthropic.APIError): { retryable: boolean; error: CodedError } {
  if (error instanceof APIError && typeof error.status === "number") {
    const status = error.status;
    const detail = apiMessage(error);
    if (status === 401 || status === 403) {
      return { retryable: false, error: new CodedError("model_auth", `the Claude API refused the credentials (HTTP ${status}: ${detail})`, { cause: error }) };
    }
    if (status === 400 && /prompt is too long|too many tokens|context window/i.test(detail)) {
      return { retryable: false, error: new CodedError("context_overflow", `the conversation no longer fits the model's context window (${detail})`, { cause: error }) };
    }
    if (status === 429 || status === 529 || status >= 500 || status === 408) {
      // The SDK already retried these with backoff; give up with an actionable message.
      const what = status === 429 ? "rate limited" : status === 529 ? "overloaded" : `failing (HTTP ${status})`;
      return { retryable: false, error: new CodedError("model_unavailable", `the Claude API is ${what} and retries ran out: ${detail}`, { cause: error }) };
    }
    return { retryable: false, error: new CodedError("model_rejected", `the Claude API rejected the request (HTTP ${status}: ${detail})`, { cause: error }) };
  }
  // No status: the stream broke (connection dropped, or an error event mid-stream such as overloaded_error).
  const message = error instanceof Error ? error.message : String(error);
  return { retryable: true, error: new CodedError("model_unavailable", `the Claude API stream kept failing (${message})`, { cause: error }) };
}

function apiMessage(error: InstanceType<typeof Anthropic.APIError>): string {
  const body = error.error as { error?: { message?: unknown } } | undefined;
  const inner = body?.error?.message;
  return typeof inner === "string" ? inner : error.message;
}
