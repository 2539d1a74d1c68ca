// Wires configuration to the engine: model client, sandbox provider, MCP tools, limits.
// The CLI (task, chat) and the worker both start tasks through this.
import type { Config } from "../config/env.ts";
import type { Logger } from "../shared/log.ts";
import type { ModelSettings, Limits } from "../agent/run-options.ts";
import type { AgentTool } from "../agent/tool.ts";
import type { Sandbox } from "../sandbox/port.ts";
import type { ProgressSink } from "../agent/events.ts";
import { createModelSettings } from "../agent/model-client.ts";
import { createSandboxProvider, type DisposableProvider } from "../sandbox/create-provider.ts";
import { limitsFrom } from "../tasks/task-text.ts";
import { openTaskMcpTools } from "./task-mcp.ts";
import type { McpServers } from "../mcp/mcp-config.ts";

export interface TaskRuntime {
  config: Config;
  model: ModelSettings;
  limits: Limits;
  sandboxes: DisposableProvider;
  /** MCP tools for one task (configured servers and the sandbox's gateway); close after the task. */
  openTools(sandbox: Sandbox, sink: ProgressSink, signal: AbortSignal): Promise<{ tools: AgentTool[]; close: () => Promise<void> }>;
  dispose(): Promise<void>;
}

export async function createTaskRuntime(config: Config, logger: Logger): Promise<TaskRuntime> {
  // A malformed MCP_CONFIG stops the program here, before any task starts.
  const servers: McpServers = config.MCP_CONFIG ? await (await import("../mcp/mcp-config.ts")).loadMcpConfig(config.MCP_CONFIG) : {};
  const sandboxes = await createSandboxProvider(config, logger);
  return {
    config,
    model: createModelSettings(config),
    limits: limitsFrom(config),
    sandboxes,
    openTools: (sandbox, sink, signal) => openTaskMcpTools(servers, sandbox, sink, signal, logger),
    async dispose() {
      await sandboxes.dispose?.();
    },
  };
}
