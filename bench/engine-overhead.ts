// Engine overhead per turn: a zero-latency scripted model on loopback and a no-op tool.
// The same number of SDK round trips without the engine is the baseline; the difference
// is what the engine adds (tool dispatch, events, checkpoint hook, cache breakpoints, compaction checks).
// Usage: npx node bench/engine-overhead.ts [turns=400]
import Anthropic from "@anthropic-ai/sdk";
import { startMessagesApi } from "../test/doubles/messages-api.ts";
import { runAgent } from "../src/agent/engine.ts";
import { createModelSettings } from "../src/runtime/model-client.ts";
import { defineTool } from "../src/agent/tool.ts";
import type { AgentTool } from "../src/agent/tool.ts";
import type { Sandbox } from "../src/sandbox/port.ts";
import { z } from "zod";
import { median, ms, percentile } from "./stats.ts";

const turns = Number(process.argv[2] ?? 400);
const noop = defineTool({ name: "noop", description: "does nothing", schema: z.object({}), run: async () => ({ content: "ok" }) }) as AgentTool;
// The engine never touches the sandbox for a no-op tool; this one fails loudly if it does.
const sandbox: Sandbox = {
  id: "bench",
  workdir: "/bench",
  provider: "none",
  capabilities: {},
  exec: () => Promise.reject(new Error("unused")),
  readFile: () => Promise.reject(new Error("unused")),
  writeFile: () => Promise.reject(new Error("unused")),
  list: () => Promise.reject(new Error("unused")),
  close: async () => {},
};

const api = await startMessagesApi({ script: (_req, ctx) => (ctx.call < turns - 1 ? { toolCalls: [{ name: "noop", input: {} }] } : { text: "done" }) });
const model = createModelSettings({ ANTHROPIC_API_KEY: "bench", ANTHROPIC_BASE_URL: api.baseURL, AGENT_MODEL: "bench" }, { sdkRetries: 0 });

const turnStarts: number[] = [];
const t0 = performance.now();
const outcome = await runAgent({
  taskId: "bench",
  prompt: "loop",
  sandbox,
  model,
  extraTools: [noop],
  sink: { emit: (e) => e.type === "turn" && turnStarts.push(performance.now()) },
  limits: { maxTurns: turns + 1, timeoutMs: 600_000, maxToolResultChars: 30_000, contextWindowTokens: 10_000_000, maxOutputTokens: 1024 },
});
const engineTotal = performance.now() - t0;
if (outcome.status !== "succeeded") throw new Error(`bench task failed: ${outcome.failure?.detail}`);
const engineTurns = turnStarts.slice(1).map((t, i) => t - turnStarts[i]!);

// Baseline: the same growing conversations sent straight through the SDK.
const client = new Anthropic({ apiKey: "bench", baseURL: api.baseURL, maxRetries: 0 });
const recorded = api.requests.map((r) => r.body);
const baseline: number[] = [];
for (const body of recorded.slice(0, turns)) {
  const start = performance.now();
  await client.messages.stream({ ...(body as Anthropic.MessageCreateParamsNonStreaming), stream: undefined } as Anthropic.MessageCreateParamsNonStreaming).finalMessage();
  baseline.push(performance.now() - start);
}
await api.close();

const overhead = median(engineTurns) - median(baseline);
console.log(`engine: ${turns} turns in ${ms(engineTotal)}`);
console.log(`per turn with engine      median ${ms(median(engineTurns))}  p90 ${ms(percentile(engineTurns, 90))}`);
console.log(`per turn, SDK alone       median ${ms(median(baseline))}  p90 ${ms(percentile(baseline, 90))}`);
console.log(`engine overhead per turn  median ${ms(overhead)}  (target < 5 ms)`);
