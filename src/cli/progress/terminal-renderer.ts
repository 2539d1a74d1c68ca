// Live progress on a terminal: a block at the bottom of stderr that is redrawn in place
// (plan with statuses, the tool running now, elapsed time); messages scroll above it.
import type { AgentEvent, ProgressSink, Todo, Usage } from "../../agent/events.ts";
import { emptyUsage } from "../../agent/events.ts";
import { formatElapsed, formatTokens, terminalSafe, todoIcon } from "./terminal-format.ts";
import { failureLine } from "../failure-words.ts";

interface RunningTool {
  name: string;
  summary: string;
  agent: string;
  started: number;
}

const dim = (s: string) => `\x1b[2m${s}\x1b[22m`;
const bold = (s: string) => `\x1b[1m${s}\x1b[22m`;

export interface TerminalRenderer extends ProgressSink {
  /** Stops the clock and leaves the last frame on screen. */
  stop(): void;
  /** Prints a line above the live block. */
  print(text: string): void;
  /** Takes the live block off the screen and stops drawing it (a question is asked); release() brings it back. */
  hold(): void;
  release(): void;
}

export function createTerminalRenderer(out: NodeJS.WriteStream, now: () => number = Date.now): TerminalRenderer {
  let started = now();
  let todos: Todo[] = [];
  let usage: Usage = emptyUsage();
  let turn = 0;
  let status = "working";
  let note = "";
  const running = new Map<string, RunningTool>();
  let drawn = 0;
  let stopped = false;
  let held = false;

  const width = () => Math.max(20, (out.columns ?? 100) - 1);
  const fit = (s: string) => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing the terminal's colour codes (ESC [ … m) is the point.
    const plain = s.replace(/\x1b\[[0-9;]*m/g, "");
    return plain.length <= width() ? s : `${plain.slice(0, width() - 1)}…`;
  };

  function frame(): string[] {
    const lines = [bold(`● deep-agent · ${status} · ${formatElapsed(now() - started)} · turn ${turn} · ${formatTokens(usage)}`)];
    for (const t of todos) lines.push(`  ${todoIcon[t.status]} ${t.status === "completed" ? dim(terminalSafe(t.content)) : terminalSafe(t.content)}`);
    for (const tool of running.values()) {
      const who = tool.agent === "main" ? "" : `${terminalSafe(tool.agent)} `;
      lines.push(`  ⚙ ${who}${tool.name}${tool.summary ? `: ${terminalSafe(tool.summary)}` : ""} ${dim(`(${formatElapsed(now() - tool.started)})`)}`);
    }
    if (note) lines.push(dim(`  ${terminalSafe(note)}`));
    return lines.map(fit);
  }

  function clear(): void {
    if (drawn > 0) out.write(`\x1b[${drawn}F\x1b[J`);
    drawn = 0;
  }

  function draw(): void {
    if (stopped || held) return;
    clear();
    const lines = frame();
    out.write(`${lines.join("\n")}\n`);
    drawn = lines.length;
  }

  const ticker = setInterval(draw, 1000);
  ticker.unref();

  return {
    emit(event: AgentEvent) {
      switch (event.type) {
        case "started":
          if (event.agent === "main") {
            started = now();
            status = "working";
            running.clear();
          }
          break;
        case "plan":
          if (event.agent === "main") todos = event.todos;
          break;
        case "turn":
          if (event.agent === "main") turn = event.turn;
          break;
        case "usage":
          if (event.agent === "main") usage = event.total;
          break;
        case "tool_started":
          running.set(event.id, { name: event.name, summary: event.summary, agent: event.agent, started: now() });
          break;
        case "tool_finished":
          running.delete(event.id);
          if (!event.ok) note = `✗ ${event.name}: ${event.summary}`;
          break;
        case "text":
          // The answer itself goes to stdout; what the agent says on the way scrolls above the plan.
          if (event.agent === "main" && !event.final) this.print(dim(event.text.split("\n").slice(0, 6).join("\n")));
          break;
        case "retry":
          note = `model call failed (${event.reason}); retry ${event.attempt} in ${(event.delayMs / 1000).toFixed(1)}s`;
          break;
        case "compacted":
          note = `context compacted: ${event.beforeTokens} → ${event.afterTokens} tokens`;
          break;
        case "note":
          note = event.message;
          break;
        case "finished":
          if (event.agent === "main") {
            status = event.status;
            usage = event.usage;
            running.clear();
            note = event.failure ? failureLine(event.failure) : "";
          }
          break;
      }
      draw();
    },
    print(text: string) {
      clear();
      out.write(text.endsWith("\n") ? text : `${text}\n`);
      draw();
    },
    hold() {
      clear();
      held = true;
    },
    release() {
      held = false;
      draw();
    },
    stop() {
      draw();
      stopped = true;
      clearInterval(ticker);
    },
  };
}
