// Decoding sandbox files for the model: text with line numbers, images as image blocks.
import type { ReadTextOptions, TextSlice } from "../../sandbox/port.ts";
import type { ToolResultBlock } from "../tool.ts";

const IMAGE_TYPES: Record<string, "image/png" | "image/jpeg" | "image/gif" | "image/webp"> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
};
export const MAX_IMAGE_BYTES = 3_750_000;

export function isImagePath(path: string): boolean {
  return (path.split(".").pop()?.toLowerCase() ?? "") in IMAGE_TYPES;
}

export function imageBlock(path: string, bytes: Uint8Array): ToolResultBlock | null {
  const ext = path.split(".").pop()?.toLowerCase() ?? "";
  const mediaType = IMAGE_TYPES[ext];
  if (!mediaType || bytes.byteLength > MAX_IMAGE_BYTES) return null;
  return { type: "image", source: { type: "base64", media_type: mediaType, data: Buffer.from(bytes).toString("base64") } };
}

function looksBinary(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 8000);
  return sample.includes(0);
}

export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder("utf-8").decode(bytes);
}

/**
 * The slice a sandbox's readText would give, cut from a whole file already in memory
 * (for sandboxes without readText).
 */
export function sliceText(bytes: Uint8Array, options: ReadTextOptions): TextSlice {
  const size = bytes.byteLength;
  if (looksBinary(bytes)) return { size, binary: true, lines: [], linesAfter: null, totalLines: null, bytesCapped: false };
  const all = decodeText(bytes).split("\n");
  if (all.at(-1) === "") all.pop();
  const offset = options.offset ?? 0;
  const limit = options.limit ?? all.length;
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const maxLineChars = options.maxLineChars ?? Number.POSITIVE_INFINITY;
  const lines: TextSlice["lines"] = [];
  let used = 0;
  let bytesCapped = false;
  for (let i = offset; i < all.length && lines.length < limit; i++) {
    const whole = all[i]!;
    const cut = whole.length > maxLineChars;
    const text = cut ? whole.slice(0, maxLineChars) : whole;
    const cost = Buffer.byteLength(text) + 1;
    if (lines.length > 0 && used + cost > maxBytes) {
      bytesCapped = true;
      break;
    }
    lines.push({ text, cut });
    used += cost;
  }
  return { size, binary: false, lines, linesAfter: Math.max(0, all.length - offset - lines.length), totalLines: all.length, bytesCapped };
}

/** `cat -n` style: right-aligned line numbers and a tab, so edits can quote lines exactly. */
export function numberLines(lines: readonly string[], firstLineNumber: number): string {
  return lines.map((line, i) => `${String(firstLineNumber + i).padStart(6)}\t${line}`).join("\n");
}
