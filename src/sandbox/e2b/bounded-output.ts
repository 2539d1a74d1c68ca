// Output of one stream of a command, kept up to a byte limit: the head and the tail (a
// command's first lines say what it is doing, its last lines how it ended), cut on UTF-8
// character boundaries, with a marker where the middle was dropped. Same shape as the local
// adapter's, so tools see one format whichever sandbox ran the command.
const marker = (dropped: number) => `\n[… ${dropped} bytes of output dropped …]\n`;

export class BoundedOutput {
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private readonly unlimited: boolean;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;

  /** limitBytes: most bytes kept (head and tail together); undefined keeps everything. */
  constructor(limitBytes: number | undefined) {
    this.unlimited = limitBytes === undefined;
    this.headLimit = Math.ceil((limitBytes ?? 0) / 2);
    this.tailLimit = (limitBytes ?? 0) - this.headLimit;
  }

  push(chunk: string): void {
    let rest = Buffer.from(chunk, "utf8");
    this.total += rest.length;
    if (this.unlimited) {
      this.head.push(rest);
      this.headBytes += rest.length;
      return;
    }
    if (this.headBytes < this.headLimit) {
      const take = Math.min(this.headLimit - this.headBytes, rest.length);
      this.head.push(rest.subarray(0, take));
      this.headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0 || this.tailLimit === 0) return;
    this.tail.push(rest);
    this.tailBytes += rest.length;
    while (this.tail.length > 1 && this.tailBytes - this.tail[0]!.length >= this.tailLimit) {
      this.tailBytes -= this.tail.shift()!.length;
    }
  }

  /** Bytes not kept. */
  get dropped(): number {
    const { head, tail } = this.parts();
    return this.total - head.length - tail.length;
  }

  get text(): string {
    const { head, tail } = this.parts();
    const dropped = this.total - head.length - tail.length;
    if (dropped === 0) return Buffer.concat([head, tail]).toString("utf8");
    return head.toString("utf8") + marker(dropped) + tail.toString("utf8");
  }

  private parts(): { head: Buffer; tail: Buffer } {
    let head = Buffer.concat(this.head);
    let tail = Buffer.concat(this.tail);
    if (tail.length > this.tailLimit && !this.unlimited) tail = tail.subarray(tail.length - this.tailLimit);
    if (head.length + tail.length < this.total) {
      head = head.subarray(0, boundaryAtOrBefore(head, head.length));
      tail = tail.subarray(boundaryAtOrAfter(tail, 0));
    }
    return { head, tail };
  }
}

const isContinuation = (byte: number | undefined) => byte !== undefined && (byte & 0xc0) === 0x80;

/** The largest index ≤ end that does not split a UTF-8 sequence. */
function boundaryAtOrBefore(buf: Buffer, end: number): number {
  let lead = end - 1;
  while (lead > 0 && isContinuation(buf[lead])) lead--;
  if (lead < 0) return end;
  const byte = buf[lead]!;
  const length = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
  return lead + length > end ? lead : end;
}

/** The smallest index ≥ start that begins a UTF-8 sequence. */
function boundaryAtOrAfter(buf: Buffer, start: number): number {
  let i = start;
  while (i < buf.length && isContinuation(buf[i])) i++;
  return i;
}
