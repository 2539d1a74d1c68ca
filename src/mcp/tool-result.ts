// Turns an MCP tools/call result into what the Messages API accepts in a tool_result:
// text and JPEG/PNG/GIF/WebP images. Everything else becomes a short text note, and
// very long text is cut with a note saying how much went.
import type { CompatibilityCallToolResult, ContentBlock } from "@modelcontextprotocol/sdk/types.js";
import type { ToolOutput, ToolResultBlock } from "../agent/tool.ts";

export const DEFAULT_MAX_RESULT_CHARS = 30_000;
/** The Messages API refuses images above 5 MB. */
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

type ImageMediaType = Extract<ToolResultBlock, { type: "image" }>["source"]["media_type"];
const IMAGE_TYPES: ReadonlySet<string> = new Set<ImageMediaType>(["image/jpeg", "image/png", "image/gif", "image/webp"]);

export interface ResultOptions {
  /** Text kept from one result; the rest is cut with a note. */
  maxChars?: number;
}

export function toToolOutput(result: CompatibilityCallToolResult, options: ResultOptions = {}): ToolOutput {
  const maxChars = options.maxChars ?? DEFAULT_MAX_RESULT_CHARS;
  const isError = result["isError"] === true;
  const blocks: ToolResultBlock[] = [];

  const content = Array.isArray(result["content"]) ? (result["content"] as ContentBlock[]) : [];
  for (const item of content) blocks.push(convertBlock(item));

  const hasText = content.some((c) => c.type === "text" || (c.type === "resource" && "text" in c.resource));
  if (!hasText && result["structuredContent"] !== undefined) {
    blocks.push({ type: "text", text: JSON.stringify(result["structuredContent"], null, 2) });
  }
  // Servers on the 2024-10-07 protocol answer with `toolResult` instead of content.
  if (blocks.length === 0 && result["toolResult"] !== undefined) {
    const legacy = result["toolResult"];
    blocks.push({ type: "text", text: typeof legacy === "string" ? legacy : JSON.stringify(legacy, null, 2) });
  }
  if (blocks.length === 0) {
    blocks.push({ type: "text", text: isError ? "The tool reported an error without a message." : "(the tool returned no content)" });
  }

  // The Messages API refuses empty text blocks.
  const kept = cutText(mergeText(blocks), maxChars).filter((b) => b.type !== "text" || b.text !== "");
  const images = kept.filter((b) => b.type === "image").length;
  const text = kept.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("\n") || (images > 0 ? "" : "(the tool returned empty text)");
  const output: ToolOutput = {
    content: images === 0 ? text : kept,
    summary: summarize(text, images, isError),
  };
  if (isError) output.isError = true;
  return output;
}

function convertBlock(item: ContentBlock): ToolResultBlock {
  switch (item.type) {
    case "text":
      return { type: "text", text: item.text };
    case "image":
      return imageBlock(item.data, item.mimeType, "image");
    case "audio":
      return note(`audio (${item.mimeType}, ${formatBytes(base64Bytes(item.data))}) not shown: audio cannot be passed to the model`);
    case "resource_link": {
      const details = [item.mimeType, item.description].filter(Boolean).join("; ");
      return note(`resource link: ${item.name ? `${item.name} ` : ""}${item.uri}${details ? ` (${details})` : ""}`);
    }
    case "resource": {
      const r = item.resource;
      const mime = r.mimeType ? ` (${r.mimeType})` : "";
      if ("text" in r) return { type: "text", text: `[resource ${r.uri}${mime}]\n${r.text}` };
      if (r.mimeType && IMAGE_TYPES.has(r.mimeType)) return imageBlock(r.blob, r.mimeType, `resource ${r.uri}`);
      return note(`resource ${r.uri}${mime}: ${formatBytes(base64Bytes(r.blob))} of binary content not shown`);
    }
    default: {
      const unknown = item as { type?: unknown };
      return note(`content of type ${JSON.stringify(unknown.type)} not shown`);
    }
  }
}

function imageBlock(data: string, mimeType: string, what: string): ToolResultBlock {
  const bytes = base64Bytes(data);
  if (!IMAGE_TYPES.has(mimeType)) {
    return note(`${what} (${mimeType}, ${formatBytes(bytes)}) not shown: the model accepts JPEG, PNG, GIF and WebP images only`);
  }
  if (bytes > MAX_IMAGE_BYTES) {
    return note(`${what} (${mimeType}, ${formatBytes(bytes)}) not shown: larger than the model's ${formatBytes(MAX_IMAGE_BYTES)} image limit`);
  }
  return { type: "image", source: { type: "base64", media_type: mimeType as ImageMediaType, data } };
}

function note(text: string): ToolResultBlock {
  return { type: "text", text: `[${text}]` };
}

/** Neighbouring text blocks become one, so the result reads as one text where it can. */
function mergeText(blocks: ToolResultBlock[]): ToolResultBlock[] {
  const out: ToolResultBlock[] = [];
  for (const block of blocks) {
    const last = out.at(-1);
    if (block.type === "text" && last?.type === "text") out[out.length - 1] = { type: "text", text: `${last.text}\n${block.text}` };
    else out.push(block);
  }
  return out;
}

function cutText(blocks: ToolResultBlock[], maxChars: number): ToolResultBlock[] {
  const total = blocks.reduce((n, b) => n + (b.type === "text" ? b.text.length : 0), 0);
  if (total <= maxChars) return blocks;
  let budget = maxChars;
  const out: ToolResultBlock[] = [];
  for (const block of blocks) {
    if (block.type !== "text") {
      out.push(block);
      continue;
    }
    if (budget <= 0) continue;
    out.push({ type: "text", text: block.text.slice(0, budget) });
    budget -= block.text.length;
  }
  const cut = total - maxChars;
  const message = `[… ${cut.toLocaleString("en-US")} characters cut: the result had ${total.toLocaleString("en-US")} characters and only the first ${maxChars.toLocaleString("en-US")} are kept]`;
  const last = out.at(-1);
  if (last?.type === "text") out[out.length - 1] = { type: "text", text: `${last.text}\n${message}` };
  else out.push({ type: "text", text: message });
  return out;
}

function summarize(text: string, images: number, isError: boolean): string {
  if (isError) {
    const firstLine = text.split("\n", 1)[0]!.trim();
    return firstLine.length > 100 ? `${firstLine.slice(0, 99)}…` : firstLine;
  }
  const parts = [`${formatBytes(Buffer.byteLength(text))} of text`];
  if (images > 0) parts.push(`${images} image${images > 1 ? "s" : ""}`);
  return parts.join(", ");
}

function base64Bytes(data: string): number {
  const padding = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
