// Model and tool metrics from the engine's events. Each turn (of the agent or a sub-agent) is
// one model call; tokens come from the main agent's usage events, which fold sub-agents in.
import type { AgentEvent } from "../agent/events.ts";
import * as metrics from "../shared/metrics.ts";

export function recordEventMetrics(event: AgentEvent): void {
  if (event.type === "tool_finished") {
    metrics.toolCalls.inc({ tool: event.name, outcome: event.ok ? "ok" : "error" });
  } else if (event.type === "turn") {
    metrics.modelCalls.inc();
  } else if (event.type === "usage" && event.agent === "main") {
    metrics.modelTokens.inc({ kind: "input" }, event.turn.input_tokens);
    metrics.modelTokens.inc({ kind: "output" }, event.turn.output_tokens);
    metrics.modelTokens.inc({ kind: "cache_read" }, event.turn.cache_read_input_tokens);
    metrics.modelTokens.inc({ kind: "cache_creation" }, event.turn.cache_creation_input_tokens);
  }
}
