// Shared wording for the terminal renderers.
import type { Todo, Usage } from "../../agent/events.ts";

export const todoIcon: Record<Todo["status"], string> = { completed: "✔", in_progress: "▶", pending: "○" };

export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

export function formatTokens(usage: Usage): string {
  const total = usage.input_tokens + usage.output_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens;
  return total >= 1000 ? `${(total / 1000).toFixed(1)}k tokens` : `${total} tokens`;
}

/**
 * Text from a task (the model's plan, commands, output, notes) is shown, never obeyed by the
 * terminal: escape sequences and other control characters become visible (ESC as ␛).
 */
export function terminalSafe(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  return text.replace(/\r\n/g, "\n").replace(/[\x00-\x08\x0b-\x1f\x7f\x9b]/g, (c) => (c === "\x1b" ? "␛" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`));
}
