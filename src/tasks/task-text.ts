// What a task's text must be, whichever way it arrives (Slack, the command line, a schedule).
import { repoInText } from "../shared/repo-ref.ts";

const MAX_TASK_TEXT_CHARS = 20_000;

/** The problem in words, or null when the text is fine. */
export function taskTextProblem(text: string): string | null {
  if (text.trim() === "") return "the task text is empty; say what the agent should do";
  if (text.length > MAX_TASK_TEXT_CHARS) {
    return `the task text is ${text.length} characters, over the limit of ${MAX_TASK_TEXT_CHARS}; put long material in a file or link and refer to it`;
  }
  // A repository named in the text must at least be a name (whether it can be read is checked where it is queued).
  const repo = repoInText(text);
  return repo.kind === "bad" ? repo.problem : null;
}
