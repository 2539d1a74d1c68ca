// Reading an open regular file by lines, only as far as the slice asked for needs,
// through one reused buffer: memory stays flat whatever the file's size.
import type { FileHandle } from "node:fs/promises";
import type { TextSlice } from "../port.ts";

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

const CHUNK_BYTES = 128 * 1024;
/** As file-text.ts's looksBinary: a NUL byte in the first 8000 bytes. */
const BINARY_SNIFF_BYTES = 8000;
const NEWLINE = 0x0a;

/** `size` is the file's size when opened: a file that grows meanwhile is read to that size only. */
export async function readTextSlice(handle: FileHandle, size: number, spec: SliceSpec, signal?: AbortSignal): Promise<TextSlice> {
  const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(size, 1)));
  // Bytes of one line are kept only up to here; the line is cut to maxLineChars anyway.
  const lineByteCap = spec.maxLineChars * 4 + 4;
  const lines: TextSlice["lines"] = [];
  let position = 0;
  let line = 0; // index of the line being read
  let lineHasBytes = false;
  let parts: Buffer[] = [];
  let partBytes = 0;
  let overCap = false;
  let returnedBytes = 0;
  let stopped = spec.limit <= 0; // collecting is over (limit reached, or maxBytes)
  let bytesCapped = false;
  let stoppedAtPosition = stopped ? 0 : -1;
  let collectingFrom = -1; // where the slice's first line started

  const finishLine = () => {
    let text = Buffer.concat(parts, partBytes).toString("utf8");
    if (line === 0 && text.startsWith("\uFEFF")) text = text.slice(1);
    let cut = overCap;
    if (text.length > spec.maxLineChars) {
      text = text.slice(0, spec.maxLineChars);
      cut = true;
    }
    parts = [];
    partBytes = 0;
    overCap = false;
    const cost = Buffer.byteLength(text) + 1;
    if (lines.length > 0 && returnedBytes + cost > spec.maxBytes) {
      bytesCapped = true;
      stopped = true;
      return;
    }
    lines.push({ text, cut });
    returnedBytes += cost;
    if (lines.length >= spec.limit) stopped = true;
  };

  while (position < size) {
    signal?.throwIfAborted();
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - position), position);
    if (bytesRead === 0) break; // The file shrank.
    const chunk = buffer.subarray(0, bytesRead);
    if (position < BINARY_SNIFF_BYTES && chunk.subarray(0, BINARY_SNIFF_BYTES - position).includes(0)) {
      return { size, binary: true, lines: [], linesAfter: null, totalLines: null, bytesCapped: false };
    }
    let i = 0;
    while (i < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, i);
      const end = newline === -1 ? chunk.length : newline;
      if (collectingFrom < 0 && line >= spec.offset) collectingFrom = position + i;
      if (end > i) {
        lineHasBytes = true;
        if (!stopped && line >= spec.offset && !overCap) {
          const room = lineByteCap - partBytes;
          const piece = chunk.subarray(i, Math.min(end, i + room));
          // A copy: the buffer is reused by the next read.
          parts.push(Buffer.from(piece));
          partBytes += piece.length;
          if (end - i > room) overCap = true;
        }
      }
      if (newline === -1) break;
      if (!stopped && line >= spec.offset) {
        finishLine();
        if (stopped) stoppedAtPosition = position + newline + 1;
      }
      line++;
      lineHasBytes = false;
      i = newline + 1;
    }
    position += bytesRead;
    if (position >= size) break;
    if (stopped && position - stoppedAtPosition > spec.scanAheadBytes) {
      return { size, binary: false, lines, linesAfter: null, totalLines: null, bytesCapped };
    }
    if (!stopped && collectingFrom >= 0 && position - collectingFrom > spec.scanAheadBytes) {
      // Lines so long that the slice is not done this far on: return what is whole, or,
      // if not even the first line ended, what was kept of it, cut.
      if (lines.length === 0) {
        finishLine();
        lines[0]!.cut = true;
      }
      return { size, binary: false, lines, linesAfter: null, totalLines: null, bytesCapped };
    }
  }
  if (lineHasBytes) {
    if (!stopped && line >= spec.offset) finishLine();
    line++;
  }
  const total = line;
  const after = Math.max(0, total - (spec.offset + lines.length));
  return { size, binary: false, lines, linesAfter: after, totalLines: total, bytesCapped };
}

/** The whole of an open regular file of `size` bytes (as opened; growth afterwards is not read). */
export async function readWhole(handle: FileHandle, size: number, signal?: AbortSignal): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let filled = 0;
  while (filled < size) {
    signal?.throwIfAborted();
    const { bytesRead } = await handle.read(out, filled, Math.min(1024 * 1024, size - filled), filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === size ? out : out.slice(0, filled);
}

/** Writes all of `bytes` from the start of an open file, in pieces, stopping if `signal` aborts. */
export async function writeWhole(handle: FileHandle, bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
  let written = 0;
  while (written < bytes.byteLength) {
    signal?.throwIfAborted();
    const { bytesWritten } = await handle.write(bytes, written, Math.min(1024 * 1024, bytes.byteLength - written), written);
    written += bytesWritten;
  }
}
