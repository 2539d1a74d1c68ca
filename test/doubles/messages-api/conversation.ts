// Read-only views of a request's conversation, for scripts that answer based on what tools returned.
import type { ContentBlock, MessagesRequest, RequestMessage } from "./request-schema.ts";
import type { RecordedRequest } from "./types.ts";

export interface ToolResultView {
  tool_use_id: string;
  /** Name of the tool_use this answers, found in earlier assistant messages; undefined if none matches. */
  name: string | undefined;
  /** The result flattened to text (text blocks joined by newlines, other blocks as placeholders). */
  content: string;
  is_error: boolean;
}

type RequestLike = RecordedRequest | MessagesRequest;

function bodyOf(req: RequestLike): MessagesRequest {
  return isRecorded(req) ? req.body : req;
}

function isRecorded(req: RequestLike): req is RecordedRequest {
  return "outcome" in req && "body" in req;
}

/** A message's content as blocks: a plain string is one text block, as the API treats it. */
export function blocksOf(content: RequestMessage["content"]): ContentBlock[] {
  return typeof content === "string" ? [{ type: "text", text: content }] : content;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function blockText(block: ContentBlock): string {
  if (block.type === "text") return str(block.text);
  if (block.type === "image") return "[image]";
  if (block.type === "document") return "[document]";
  return JSON.stringify(block);
}

function resultText(content: unknown): string {
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((b) => blockText(b as ContentBlock)).join("\n");
  return JSON.stringify(content);
}

function toolUseName(messages: readonly RequestMessage[], id: string): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role !== "assistant") continue;
    for (const block of blocksOf(message.content)) {
      if (block.type === "tool_use" && block.id === id) return str(block.name);
    }
  }
  return undefined;
}

/** tool_result blocks of the last user message, with the name of the tool each answers. */
export function lastToolResults(req: RequestLike): ToolResultView[] {
  const messages = bodyOf(req).messages;
  const lastUser = messages.findLastIndex((m) => m.role === "user");
  if (lastUser < 0) return [];
  return blocksOf(messages[lastUser]!.content)
    .filter((b) => b.type === "tool_result")
    .map((b) => {
      const id = str(b.tool_use_id);
      return {
        tool_use_id: id,
        name: toolUseName(messages.slice(0, lastUser), id),
        content: resultText(b.content),
        is_error: b.is_error === true,
      };
    });
}

/** Text of the last user message that has any text (tool-result-only messages are skipped); "" if none. */
export function lastUserText(req: RequestLike): string {
  const messages = bodyOf(req).messages;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role !== "user") continue;
    const texts = blocksOf(message.content).filter((b) => b.type === "text");
    if (texts.length > 0) return texts.map(blockText).join("\n");
  }
  return "";
}

/** Names of the tools offered in the request, in order. */
export function toolNames(req: RequestLike): string[] {
  return (bodyOf(req).tools ?? []).map((t) => t.name);
}
