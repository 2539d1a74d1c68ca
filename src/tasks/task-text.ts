// Task limits from configuration, shared by the CLI and the worker.
import type { Config } from "../config/env.ts";
import type { Limits } from "../agent/run-options.ts";

export const MAX_TASK_TEXT_CHARS = 20_000;

export function limitsFrom(config: Config): Limits {
  return {
    maxTurns: config.MAX_TURNS,
    timeoutMs: config.TASK_TIMEOUT_SECONDS * 1000,
    maxToolResultChars: 30_000,
    contextWindowTokens: config.AGENT_CONTEXT_TOKENS,
    maxOutputTokens: config.AGENT_MAX_OUTPUT_TOKENS,
  };
}

/** Checks task text from any intake; returns the problem in words, or null when it is fine. */
export function taskTextProblem(text: string): string | null {
  if (text.trim() === "") return "the task text is empty; say what the agent should do";
  if (text.length > MAX_TASK_TEXT_CHARS) {
    return `the task text is ${text.length} characters, over the limit of ${MAX_TASK_TEXT_CHARS}; put long material in a file or link and refer to it`;
  }
  return null;
}
