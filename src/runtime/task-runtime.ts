// Wires configuration to the engine: model client, sandbox provider, MCP tools, limits.
// Built once per process; every task runs through openWorkspace (workspace.ts) on it.
import type { Config } from "../config/env.ts";
import type { Logger } from "../shared/log.ts";
import type { ModelSettings, Limits } from "../agent/run-options.ts";
import type { AgentTool } from "../agent/tool.ts";
import type { Sandbox, SandboxProvider } from "../sandbox/port.ts";
import type { ProgressSink } from "../agent/events.ts";
import { createModelSettings } from "./model-client.ts";
import { createSandboxProvider } from "../sandbox/create-provider.ts";
import { openTaskMcpTools } from "./task-mcp.ts";
import type { McpServers } from "../mcp/mcp-config.ts";
import { createRepositoryService, type RepositoryService } from "./github-access.ts";
import { secretValues } from "../config/secrets.ts";
import { createScrubber, type Scrubber } from "../shared/scrub-secrets.ts";

export interface TaskRuntime {
  config: Config;
  model: ModelSettings;
  limits: Limits;
  sandboxes: SandboxProvider;
  logger: Logger;
  /** Removes the configured secrets from what a task leaves behind (transcripts, pull requests). */
  scrubber: Scrubber;
  /** GitHub, for tasks that work on a repository (repository-steps.ts). */
  repositories: RepositoryService;
  /** MCP tools for one run (configured servers and the sandbox's gateway); close after the run. */
  openTools(sandbox: Sandbox, sink: ProgressSink, signal: AbortSignal): Promise<{ tools: AgentTool[]; close: () => Promise<void> }>;
  dispose(): Promise<void>;
}

function limitsFrom(config: Config): Limits {
  return {
    maxTurns: config.MAX_TURNS,
    timeoutMs: config.TASK_TIMEOUT_SECONDS * 1000,
    maxToolResultChars: 30_000,
    contextWindowTokens: config.AGENT_CONTEXT_TOKENS,
    maxOutputTokens: config.AGENT_MAX_OUTPUT_TOKENS,
  };
}

export async function createTaskRuntime(config: Config, logger: Logger): Promise<TaskRuntime> {
  // A malformed MCP_CONFIG stops the program here, before any task starts.
  const servers: McpServers = config.MCP_CONFIG ? await (await import("../mcp/mcp-config.ts")).loadMcpConfig(config.MCP_CONFIG) : {};
  const sandboxes = await createSandboxProvider(config, logger);
  const scrubber = createScrubber(secretValues(config));
  return {
    config,
    model: createModelSettings(config),
    limits: limitsFrom(config),
    sandboxes,
    logger,
    scrubber,
    repositories: createRepositoryService(config, logger, scrubber),
    openTools: (sandbox, sink, signal) => openTaskMcpTools(servers, sandbox, sink, signal, logger),
    dispose: () => sandboxes.dispose(),
  };
}
