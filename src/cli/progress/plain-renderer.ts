// Progress as plain lines, for a stderr that is not a terminal (CI logs, pipes).
import type { AgentEvent, ProgressSink } from "../../agent/events.ts";
import { formatElapsed, formatTokens, terminalSafe, todoIcon } from "./terminal-format.ts";
import { failureLine } from "../failure-words.ts";

export function createPlainRenderer(out: NodeJS.WritableStream, now: () => number = Date.now): ProgressSink {
  const started = now();
  const line = (agent: string, text: string) => out.write(`[${formatElapsed(now() - started)}]${agent === "main" ? "" : ` (${terminalSafe(agent)})`} ${terminalSafe(text)}\n`);
  return {
    emit(event: AgentEvent) {
      switch (event.type) {
        case "started":
          if (event.resumedFromTurn > 0) line(event.agent, `resumed after turn ${event.resumedFromTurn}`);
          break;
        case "plan":
          line(event.agent, `plan:\n${event.todos.map((t) => `    ${todoIcon[t.status]} ${t.content}`).join("\n")}`);
          break;
        case "tool_started":
          line(event.agent, `→ ${event.name}${event.summary ? `: ${event.summary}` : ""}`);
          break;
        case "tool_finished":
          line(event.agent, `${event.ok ? "✓" : "✗"} ${event.name}${event.summary ? `: ${event.summary}` : ""}`);
          break;
        case "text":
          if (!event.final) line(event.agent, `says: ${event.text.split("\n")[0]}`);
          break;
        case "retry":
          line(event.agent, `model call failed (${event.reason}); retry ${event.attempt} in ${(event.delayMs / 1000).toFixed(1)}s`);
          break;
        case "compacted":
          line(event.agent, `context compacted: ${event.beforeTokens} → ${event.afterTokens} tokens`);
          break;
        case "note":
          line(event.agent, `${event.level === "warn" ? "warning: " : ""}${event.message}`);
          break;
        case "finished":
          if (event.agent === "main") line(event.agent, `${event.status}${event.failure ? `: ${failureLine(event.failure)}` : ""} · ${formatTokens(event.usage)}`);
          break;
        default:
          break;
      }
    },
  };
}
