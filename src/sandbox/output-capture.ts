// Keeps a bounded amount of one output stream: the head and the tail, because a
// command's first lines say what it is doing and its last lines say how it ended.
// Everything in between is counted, not kept. Shared by the adapters so tools see one
// format whichever sandbox ran the command.

import type { OutputStream } from "./port.ts";

type OnOutput = (text: string, stream: OutputStream) => void;

/**
 * The caller's output callback, guarded: the first time it throws it is dropped and told to
 * `onError`, and the command goes on (a broken listener must not kill the command it listens to).
 */
export function guardedOutput(onOutput: OnOutput | undefined, onError?: (error: unknown) => void): OnOutput {
  let listener = onOutput;
  return (text, stream) => {
    if (!listener || text === "") return;
    try {
      listener(text, stream);
    } catch (error) {
      listener = undefined;
      onError?.(error);
    }
  };
}

/** What a command's result keeps of each stream when the caller sets no limit. */
export const DEFAULT_MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

const MARKER = (dropped: number) => `\n[… ${dropped} bytes of output dropped …]\n`;

export class OutputCapture {
  readonly #headLimit: number;
  readonly #tailLimit: number;
  readonly #head: Buffer[] = [];
  #headBytes = 0;
  #tail: Buffer[] = [];
  #tailBytes = 0;
  #total = 0;

  /** limitBytes: most bytes of the stream the result keeps (head and tail together). */
  constructor(limitBytes: number) {
    this.#headLimit = Math.ceil(limitBytes / 2);
    this.#tailLimit = limitBytes - this.#headLimit;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    let rest = chunk;
    if (this.#headBytes < this.#headLimit) {
      const take = Math.min(this.#headLimit - this.#headBytes, rest.length);
      this.#head.push(rest.subarray(0, take));
      this.#headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0 || this.#tailLimit === 0) return;
    this.#tail.push(rest);
    this.#tailBytes += rest.length;
    // Trim from the front once the tail holds more than its share.
    while (this.#tailBytes - this.#tail[0]!.length >= this.#tailLimit) {
      this.#tailBytes -= this.#tail.shift()!.length;
    }
  }

  #parts(): { head: Buffer; tail: Buffer } {
    let head = Buffer.concat(this.#head);
    let tail = Buffer.concat(this.#tail);
    if (tail.length > this.#tailLimit) tail = tail.subarray(tail.length - this.#tailLimit);
    if (this.#headBytes + tail.length < this.#total) {
      // Something was dropped between them: cut both at character boundaries so the
      // kept text has no half characters.
      head = head.subarray(0, utf8BoundaryAtOrBefore(head, head.length));
      tail = tail.subarray(utf8BoundaryAtOrAfter(tail, 0));
    }
    return { head, tail };
  }

  /** The kept text (with a marker where bytes were dropped) and how many were dropped. */
  result(): { text: string; droppedBytes: number } {
    const { head, tail } = this.#parts();
    const droppedBytes = this.#total - head.length - tail.length;
    if (droppedBytes === 0) return { text: Buffer.concat([head, tail]).toString("utf8"), droppedBytes };
    return { text: head.toString("utf8") + MARKER(droppedBytes) + tail.toString("utf8"), droppedBytes };
  }
}

const isContinuation = (byte: number | undefined) => byte !== undefined && (byte & 0xc0) === 0x80;

/** The largest index ≤ end that does not split a UTF-8 sequence. */
function utf8BoundaryAtOrBefore(buf: Buffer, end: number): number {
  let lead = end - 1;
  while (lead > 0 && isContinuation(buf[lead])) lead--;
  if (lead < 0) return end;
  const byte = buf[lead]!;
  const length = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
  return lead + length > end ? lead : end;
}

/** The smallest index ≥ start that begins a UTF-8 sequence. */
function utf8BoundaryAtOrAfter(buf: Buffer, start: number): number {
  let i = start;
  while (i < buf.length && isContinuation(buf[i])) i++;
  return i;
}
