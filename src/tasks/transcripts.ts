// Reading transcripts, for the page, `deep-agent show` and the links Slack posts: a task's view
// one page of events at a time, and what came after a point (live readers).
import type { Config } from "../config/env.ts";
import { secretValues } from "../config/secrets.ts";
import { createScrubber } from "../shared/scrub-secrets.ts";
import type { Database } from "../store/database.ts";
import { createTaskRepo, type Task } from "../store/task-repo.ts";
import { createTranscriptRepo, type TranscriptEvent } from "../store/transcript-repo.ts";
import { createTranscriptLinks, isTaskId, type TranscriptLinks } from "./transcript-links.ts";
import { TranscriptBuilder, type TranscriptView } from "./transcript-view.ts";

/** Events on one page: with outputs already cut to 16 KiB, this bounds a page's size. */
export const PAGE_EVENTS = 500;
/** Characters of tool output on one page; later outputs are shortened to OUTPUT_OVER_BUDGET. */
const PAGE_OUTPUT_BUDGET = 1_000_000;
const OUTPUT_OVER_BUDGET = 1_000;

export interface Transcripts {
  links: TranscriptLinks;
  defaultModel: string;
  /** The task's record, scrubbed of configured secrets; null for an unknown (or malformed) id. */
  task(id: string): Promise<Task | null>;
  /** Events after `afterSeq`, oldest first. */
  events(id: string, afterSeq: number, limit?: number): Promise<TranscriptEvent[]>;
  /** One page of a task's transcript (from its start, or after `afterSeq`); null for an unknown id. */
  page(id: string, afterSeq?: number): Promise<{ view: TranscriptView; builder: TranscriptBuilder; task: Task } | null>;
}

export function createTranscripts(db: Database, config: Config): Transcripts {
  const repo = createTranscriptRepo(db);
  const scrubber = createScrubber(secretValues(config));
  const tasks = createTaskRepo(db);
  // Events are scrubbed as they are stored; the task's own record (its text, answer, failure) as it is read.
  const scrubbedTask = async (id: string): Promise<Task | null> => {
    const found = isTaskId(id) ? await tasks.get(id.toLowerCase()) : null;
    if (!found) return null;
    return {
      ...found,
      text: scrubber.scrub(found.text),
      result: found.result === null ? null : scrubber.scrub(found.result),
      failure: found.failure ? { ...found.failure, detail: scrubber.scrub(found.failure.detail) } : null,
    };
  };
  return {
    links: createTranscriptLinks({ publicUrl: config.PUBLIC_URL, secret: config.TRANSCRIPT_SECRET, repo }),
    defaultModel: config.AGENT_MODEL,
    events: (id, afterSeq, limit = PAGE_EVENTS) => repo.after(id.toLowerCase(), afterSeq, limit),
    task: scrubbedTask,
    async page(id, afterSeq = 0) {
      const record = await scrubbedTask(id);
      if (!record) return null;
      const events = await repo.after(record.id, afterSeq, PAGE_EVENTS + 1);
      const builder = new TranscriptBuilder();
      builder.add(events.slice(0, PAGE_EVENTS));
      const more = events.length > PAGE_EVENTS ? { nextAfter: builder.seq } : null;
      return { view: withinBudget(builder.view(record, config.AGENT_MODEL, more)), builder, task: record };
    },
  };
}

/** The view with its tool outputs held to the page's budget (each already at most 16 KiB). */
function withinBudget(view: TranscriptView, budget = PAGE_OUTPUT_BUDGET): TranscriptView {
  let left = budget;
  const steps = view.steps.map((step) => {
    if (step.kind !== "tool" || !step.finished) return step;
    const output = step.finished.output;
    if (output.length <= left) {
      left -= output.length;
      return step;
    }
    left = 0;
    const shortened = `${output.slice(0, OUTPUT_OVER_BUDGET)}\n[… shortened to keep this page small: ${step.finished.outputChars.toLocaleString("en-US")} characters in all; \`deep-agent show ${view.task.id}\` prints more]`;
    return { ...step, finished: { ...step.finished, output: shortened } };
  });
  return { ...view, steps };
}
