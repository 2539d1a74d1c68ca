// Builds the Anthropic client from configuration. The SDK retries 408/409/429/5xx
// (honouring retry-after); a stream that breaks mid-way is retried as a whole turn by model-turn.ts.
import Anthropic from "@anthropic-ai/sdk";
import type { Config } from "../config/env.ts";
import type { ModelSettings } from "../agent/run-options.ts";

export function createModelSettings(
  config: Pick<Config, "ANTHROPIC_API_KEY" | "ANTHROPIC_BASE_URL" | "AGENT_MODEL">,
  overrides: Partial<Omit<ModelSettings, "client">> & { sdkRetries?: number } = {},
): ModelSettings {
  const client = new Anthropic({
    apiKey: config.ANTHROPIC_API_KEY ?? null,
    ...(config.ANTHROPIC_BASE_URL ? { baseURL: config.ANTHROPIC_BASE_URL } : {}),
    maxRetries: overrides.sdkRetries ?? 4,
    timeout: 10 * 60 * 1000,
  });
  return {
    client,
    model: config.AGENT_MODEL,
    streamRetries: overrides.streamRetries ?? 3,
    retryBaseMs: overrides.retryBaseMs ?? 1000,
  };
}
