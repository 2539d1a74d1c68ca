// Builds the Anthropic client from configuration. The SDK retries 408/409/429/5xx
// (honouring retry-after); a stream that breaks mid-way is retried as a whole turn by model-turn.ts.
// The SDK is loaded at the first model call, not with the program: it is some 270 modules (a
// third of what `start` would load), which the HTTP server and the intake never need.
import type Anthropic from "@anthropic-ai/sdk";
import type { Config } from "../config/env.ts";
import type { ModelSettings } from "../agent/run-options.ts";
import type { Logger } from "../shared/log.ts";
import { CodedError } from "../shared/errors.ts";

export function createModelSettings(
  config: Pick<Config, "ANTHROPIC_API_KEY" | "ANTHROPIC_BASE_URL" | "AGENT_MODEL">,
  overrides: Partial<Omit<ModelSettings, "client">> & { sdkRetries?: number } = {},
): ModelSettings {
  let client: Promise<Anthropic> | undefined;
  return {
    client: () =>
      (client ??= import("@anthropic-ai/sdk").then(
        ({ default: Sdk }) =>
          new Sdk({
            apiKey: config.ANTHROPIC_API_KEY ?? null,
            ...(config.ANTHROPIC_BASE_URL ? { baseURL: config.ANTHROPIC_BASE_URL } : {}),
            maxRetries: overrides.sdkRetries ?? 4,
            timeout: 10 * 60 * 1000,
            ...sdkTracing(),
          }),
        (error: unknown) => {
          // Not kept: a later call tries again (an install being repaired).
          client = undefined;
          throw new CodedError("internal", `the Claude SDK (@anthropic-ai/sdk) could not be loaded: ${(error as Error).message}; reinstall the dependencies (npm ci)`, {
            cause: error,
          });
        },
      )),
    model: config.AGENT_MODEL,
    streamRetries: overrides.streamRetries ?? 3,
    retryBaseMs: overrides.retryBaseMs ?? 1000,
  };
}

/**
 * The SDK's OpenTelemetry spans are off unless its own switch, ANTHROPIC_OPEN_TELEMETRY, is set
 * (then the SDK reads it as it documents). They are on by default in the SDK, and without an
 * OpenTelemetry SDK registered (we export Prometheus metrics, not traces) every model call still
 * built the span's attributes and wrapped its fetch for nothing: about 0.2 ms of CPU per call.
 */
function sdkTracing(env: NodeJS.ProcessEnv = process.env): { openTelemetry?: false } {
  return env["ANTHROPIC_OPEN_TELEMETRY"] === undefined ? { openTelemetry: false } : {};
}

/**
 * The model a run may use: the one asked for when AGENT_MODELS lists it, else the default (a task
 * queued before the list changed runs on the default rather than on a model no longer allowed).
 */
export function allowedModel(config: Pick<Config, "AGENT_MODEL" | "AGENT_MODELS">, requested: string, logger: Logger): string {
  if (config.AGENT_MODELS.includes(requested)) return requested;
  logger.warn({ requested, model: config.AGENT_MODEL }, "the task's model is no longer in AGENT_MODELS; using the default");
  return config.AGENT_MODEL;
}
