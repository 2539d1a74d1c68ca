// Decoding sandbox files for the model: text with line numbers, images as image blocks.
import type { ToolResultBlock } from "../tool.ts";

const IMAGE_TYPES: Record<string, "image/png" | "image/jpeg" | "image/gif" | "image/webp"> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
};
const MAX_IMAGE_BYTES = 3_750_000;

export function imageBlock(path: string, bytes: Uint8Array): ToolResultBlock | null {
  const ext = path.split(".").pop()?.toLowerCase() ?? "";
  const mediaType = IMAGE_TYPES[ext];
  if (!mediaType || bytes.byteLength > MAX_IMAGE_BYTES) return null;
  return { type: "image", source: { type: "base64", media_type: mediaType, data: Buffer.from(bytes).toString("base64") } };
}

export function looksBinary(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 8000);
  return sample.includes(0);
}

export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder("utf-8").decode(bytes);
}

/** `cat -n` style: right-aligned line numbers and a tab, so edits can quote lines exactly. */
export function numberLines(lines: readonly string[], firstLineNumber: number): string {
  return lines.map((line, i) => `${String(firstLineNumber + i).padStart(6)}\t${line}`).join("\n");
}
