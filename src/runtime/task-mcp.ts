// MCP tools for one task: the servers of MCP_CONFIG plus the sandbox's own gateway (E2B).
import type { Logger } from "../shared/log.ts";
import type { Sandbox } from "../sandbox/port.ts";
import type { ProgressSink } from "../agent/events.ts";
import type { AgentTool } from "../agent/tool.ts";
import type { McpServers } from "../mcp/mcp-config.ts";

export async function openTaskMcpTools(
  servers: McpServers,
  sandbox: Sandbox,
  sink: ProgressSink,
  signal: AbortSignal,
  logger: Logger,
): Promise<{ tools: AgentTool[]; close: () => Promise<void> }> {
  if (Object.keys(servers).length === 0 && !sandbox.capabilities.mcpGateway) return { tools: [], close: async () => {} };
  // Loaded only when used: the MCP SDK is a sizeable part of a task process's memory.
  const { openMcpTools } = await import("../mcp/mcp-session.ts");
  return openMcpTools({
    servers,
    ...(sandbox.capabilities.mcpGateway ? { gateway: sandbox.capabilities.mcpGateway } : {}),
    logger,
    signal,
    onNote: (note) => sink.emit({ type: "note", level: note.level, message: note.message, agent: "main" }),
  });
}
