// Conversation mistakes the real API rejects with 400 invalid_request_error. Checking them here
// makes an agent-loop bug fail in tests the way it would fail in production.
import { blocksOf } from "./conversation.ts";
import type { MessagesRequest } from "./request-schema.ts";

/** The real API's complaint about the conversation, or undefined when it is acceptable. */
export function conversationProblem(body: Pick<MessagesRequest, "messages">): string | undefined {
  const { messages } = body;
  for (let i = 0; i < messages.length; i++) {
    const blocks = blocksOf(messages[i]!.content);
    const isFinalAssistant = i === messages.length - 1 && messages[i]!.role === "assistant";
    if (blocks.length === 0 && !isFinalAssistant) {
      return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    }
    for (let j = 0; j < blocks.length; j++) {
      const block = blocks[j]!;
      if (block.type === "text" && (typeof block.text !== "string" || block.text.trim() === "")) {
        return `messages.${i}.content.${j}: text content blocks must contain non-whitespace text`;
      }
    }
    const problem = toolPairingProblem(body, i);
    if (problem) return problem;
  }
  return undefined;
}

function idsOf(blocks: ReturnType<typeof blocksOf>, type: string, key: string): string[] {
  return blocks.filter((b) => b.type === type).map((b) => String(b[key]));
}

// Every tool_use must be answered in the very next message, and every tool_result must answer
// a tool_use of the message just before it.
function toolPairingProblem(body: Pick<MessagesRequest, "messages">, i: number): string | undefined {
  const message = body.messages[i]!;
  const previous = body.messages[i - 1];
  const next = body.messages[i + 1];
  if (message.role === "assistant" && next) {
    const answered = new Set(idsOf(blocksOf(next.content), "tool_result", "tool_use_id"));
    const missing = idsOf(blocksOf(message.content), "tool_use", "id").filter((id) => !answered.has(id));
    if (missing.length > 0) {
      return (
        `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ` +
        `${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`
      );
    }
  }
  if (message.role === "user") {
    const asked = new Set(previous?.role === "assistant" ? idsOf(blocksOf(previous.content), "tool_use", "id") : []);
    const blocks = blocksOf(message.content);
    for (let j = 0; j < blocks.length; j++) {
      const block = blocks[j]!;
      if (block.type === "tool_result" && !asked.has(String(block.tool_use_id))) {
        return (
          `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ` +
          `${String(block.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`
        );
      }
    }
  }
  return undefined;
}
