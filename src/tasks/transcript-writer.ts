// Keeps a task's engine events as its transcript. Each event is scrubbed of configured secrets and
// its long values cut (a tool's output to 16 KiB, noting the original size) before it is stored.
// Events are written in batches — at most one write in flight, flushed on a short interval and
// at the end of the attempt (or handed to the outcome's own write) — so a task costs a few round
// trips, not one per event.
import type { AgentEvent, ProgressSink } from "../agent/events.ts";
import { truncateMiddle } from "../agent/truncate.ts";
import type { Logger } from "../shared/log.ts";
import type { Scrubber } from "../shared/scrub-secrets.ts";
import type { NewTranscriptEvent, TranscriptRepo } from "../store/transcript-repo.ts";

/** Characters kept of one tool output; the rest is cut from the middle with a note of the original size. */
const TOOL_OUTPUT_LIMIT = 16 * 1024;
/** Characters kept of any other value (a tool's input, the model's text, the answer). */
const VALUE_LIMIT = 64 * 1024;
/** A batch this big is written without waiting for the interval. */
const MAX_BATCH = 200;

export interface TranscriptWriter extends ProgressSink {
  /** Something the attempt learned outside the engine (the files it produced). */
  note(kind: string, payload: Record<string, unknown>): void;
  /** Resolves once everything emitted so far is written (or given up on). */
  flush(): Promise<void>;
  /**
   * For the attempt's final write: waits for the write in flight, then hands over what is still
   * unwritten (in order) for the caller to store with the outcome. Nothing is written twice.
   */
  takeRest(): Promise<NewTranscriptEvent[]>;
}

export interface TranscriptWriterOptions {
  scrubber: Scrubber;
  logger: Logger;
  intervalMs?: number;
}

export function createTranscriptWriter(repo: Pick<TranscriptRepo, "append">, taskId: string, attempt: number, options: TranscriptWriterOptions): TranscriptWriter {
  const intervalMs = options.intervalMs ?? 500;
  let buffer: NewTranscriptEvent[] = [];
  let writing: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;

  const writeAll = async () => {
    while (buffer.length > 0) {
      const batch = buffer;
      buffer = [];
      try {
        await repo.append(taskId, attempt, batch);
      } catch (error) {
        // A transcript is for people to read later; the task must not fail or wait on it.
        options.logger.warn({ err: error, taskId, events: batch.length }, "could not store transcript events");
      }
    }
  };
  const start = () => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (!writing) writing = writeAll().finally(() => (writing = null));
    return writing;
  };
  const push = (event: NewTranscriptEvent) => {
    buffer.push(event);
    if (buffer.length >= MAX_BATCH) void start();
    else if (!timer && !writing) {
      timer = setTimeout(() => void start(), intervalMs);
      timer.unref();
    }
  };

  return {
    emit(event: AgentEvent) {
      try {
        push(storedEvent(event, options.scrubber));
      } catch (error) {
        options.logger.warn({ err: error, taskId }, "could not keep a transcript event");
      }
    },
    note(kind, payload) {
      push({ kind, payload: cutDeep(options.scrubber.scrubDeep(payload), VALUE_LIMIT) as Record<string, unknown>, at: new Date() });
    },
    async flush() {
      while (writing || buffer.length > 0 || timer) await start();
    },
    async takeRest() {
      while (writing) await writing;
      if (timer) {
        clearTimeout(timer);
        timer = null;
      }
      const rest = buffer;
      buffer = [];
      return rest;
    },
  };
}

/** The event as stored: its type as the kind, everything else scrubbed and cut. */
function storedEvent(event: AgentEvent, scrubber: Scrubber): NewTranscriptEvent {
  const { type, ...rest } = event;
  const payload: Record<string, unknown> = { ...rest };
  if (event.type === "tool_finished" && typeof event.output === "string") {
    // Scrubbed whole before it is cut, so no secret is split by the cut and half kept.
    const output = scrubber.scrub(event.output);
    payload["output"] = truncateMiddle(output, TOOL_OUTPUT_LIMIT);
    payload["outputChars"] = output.length;
  }
  const scrubbed = scrubber.scrubDeep(payload);
  return { kind: type, payload: cutDeep(scrubbed, VALUE_LIMIT) as Record<string, unknown>, at: new Date() };
}

function cutDeep(value: unknown, limit: number): unknown {
  if (typeof value === "string") return truncateMiddle(value, limit);
  if (Array.isArray(value)) return value.map((v) => cutDeep(v, limit));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cutDeep(v, limit)]));
  }
  return value;
}
