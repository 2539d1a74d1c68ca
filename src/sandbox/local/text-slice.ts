// Reading an open regular file: by lines (the slicer in ../text-slice.ts) through one reused
// buffer, whole, or writing it whole; memory stays flat whatever the file's size.
import type { FileHandle } from "node:fs/promises";
import type { TextSlice } from "../port.ts";
import { type SliceSpec, TextSlicer } from "../text-slice.ts";

const CHUNK_BYTES = 128 * 1024;

/** `size` is the file's size when opened: a file that grows meanwhile is read to that size only. */
export async function readTextSlice(handle: FileHandle, size: number, spec: SliceSpec, signal?: AbortSignal): Promise<TextSlice> {
  const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(size, 1)));
  const slicer = new TextSlicer(size, spec);
  while (slicer.position < size) {
    signal?.throwIfAborted();
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - slicer.position), slicer.position);
    if (bytesRead === 0) break; // The file shrank.
    const slice = slicer.push(buffer.subarray(0, bytesRead));
    if (slice) return slice;
  }
  return slicer.end();
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
