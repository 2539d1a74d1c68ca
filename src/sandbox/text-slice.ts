// A text file read by lines, only as far as the slice asked for needs: the bytes are fed in
// order, from wherever they come (a file descriptor in the local adapter, a download stream
// in the E2B one), and the slice is known as soon as they suffice. Only the lines returned
// are kept, each at most a few times maxLineChars: memory stays flat whatever the file's size.
import type { TextSlice } from "./port.ts";

export interface SliceSpec {
  offset: number;
  limit: number;
  /** Bytes of returned line text (each line counted with its newline). */
  maxBytes: number;
  maxLineChars: number;
  /**
   * How far to read past the first line of the slice without finishing it (one endless
   * line), and past the slice to count the lines left; beyond, they are just "more".
   */
  scanAheadBytes: number;
}

/** As file-text.ts's looksBinary: a NUL byte in the first 8000 bytes. */
const BINARY_SNIFF_BYTES = 8000;
const NEWLINE = 0x0a;

export class TextSlicer {
  readonly #size: number;
  readonly #spec: SliceSpec;
  /** Bytes of one line are kept only up to here; the line is cut to maxLineChars anyway. */
  readonly #lineByteCap: number;
  readonly #lines: TextSlice["lines"] = [];
  #position = 0;
  #line = 0; // index of the line being read
  #lineHasBytes = false;
  #parts: Buffer[] = [];
  #partBytes = 0;
  #overCap = false;
  #returnedBytes = 0;
  #stopped: boolean; // collecting is over (limit reached, or maxBytes)
  #bytesCapped = false;
  #stoppedAtPosition: number;
  #collectingFrom = -1; // where the slice's first line started

  /** `size`: the file's size when opened; bytes past it are not to be fed. */
  constructor(size: number, spec: SliceSpec) {
    this.#size = size;
    this.#spec = spec;
    this.#lineByteCap = spec.maxLineChars * 4 + 4;
    this.#stopped = spec.limit <= 0;
    this.#stoppedAtPosition = this.#stopped ? 0 : -1;
  }

  /** Bytes fed so far. */
  get position(): number {
    return this.#position;
  }

  /**
   * The next bytes of the file (the slicer copies what it keeps, so the buffer may be
   * reused). Returns the slice once it is known without reading further; undefined while
   * it wants more, and once `size` bytes are in (then call end()).
   */
  push(chunk: Uint8Array): TextSlice | undefined {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const spec = this.#spec;
    if (this.#position < BINARY_SNIFF_BYTES && bytes.subarray(0, BINARY_SNIFF_BYTES - this.#position).includes(0)) {
      return { size: this.#size, binary: true, lines: [], linesAfter: null, totalLines: null, bytesCapped: false };
    }
    let i = 0;
    while (i < bytes.length) {
      const newline = bytes.indexOf(NEWLINE, i);
      const end = newline === -1 ? bytes.length : newline;
      if (this.#collectingFrom < 0 && this.#line >= spec.offset) this.#collectingFrom = this.#position + i;
      if (end > i) {
        this.#lineHasBytes = true;
        if (!this.#stopped && this.#line >= spec.offset && !this.#overCap) {
          const room = this.#lineByteCap - this.#partBytes;
          const piece = bytes.subarray(i, Math.min(end, i + room));
          // A copy: the caller may reuse its buffer.
          this.#parts.push(Buffer.from(piece));
          this.#partBytes += piece.length;
          if (end - i > room) this.#overCap = true;
        }
      }
      if (newline === -1) break;
      if (!this.#stopped && this.#line >= spec.offset) {
        this.#finishLine();
        if (this.#stopped) this.#stoppedAtPosition = this.#position + newline + 1;
      }
      this.#line++;
      this.#lineHasBytes = false;
      i = newline + 1;
    }
    this.#position += bytes.length;
    if (this.#position >= this.#size) return undefined;
    if (this.#stopped && this.#position - this.#stoppedAtPosition > spec.scanAheadBytes) {
      return this.#slice(null, null);
    }
    if (!this.#stopped && this.#collectingFrom >= 0 && this.#position - this.#collectingFrom > spec.scanAheadBytes) {
      // Lines so long that the slice is not done this far on: return what is whole, or,
      // if not even the first line ended, what was kept of it, cut.
      if (this.#lines.length === 0) {
        this.#finishLine();
        this.#lines[0]!.cut = true;
      }
      return this.#slice(null, null);
    }
    return undefined;
  }

  /** The file ended (at `size`, or earlier if it shrank): the slice, with the lines counted. */
  end(): TextSlice {
    if (this.#lineHasBytes) {
      if (!this.#stopped && this.#line >= this.#spec.offset) this.#finishLine();
      this.#line++;
      this.#lineHasBytes = false;
    }
    const total = this.#line;
    return this.#slice(Math.max(0, total - (this.#spec.offset + this.#lines.length)), total);
  }

  #slice(linesAfter: number | null, totalLines: number | null): TextSlice {
    return { size: this.#size, binary: false, lines: this.#lines, linesAfter, totalLines, bytesCapped: this.#bytesCapped };
  }

  #finishLine(): void {
    let text = Buffer.concat(this.#parts, this.#partBytes).toString("utf8");
    if (this.#line === 0 && text.startsWith("\uFEFF")) text = text.slice(1);
    let cut = this.#overCap;
    if (text.length > this.#spec.maxLineChars) {
      text = text.slice(0, this.#spec.maxLineChars);
      cut = true;
    }
    this.#parts = [];
    this.#partBytes = 0;
    this.#overCap = false;
    const cost = Buffer.byteLength(text) + 1;
    if (this.#lines.length > 0 && this.#returnedBytes + cost > this.#spec.maxBytes) {
      this.#bytesCapped = true;
      this.#stopped = true;
      return;
    }
    this.#lines.push({ text, cut });
    this.#returnedBytes += cost;
    if (this.#lines.length >= this.#spec.limit) this.#stopped = true;
  }
}
