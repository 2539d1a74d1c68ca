// The MCP tools of one task: connects to every configured server and the sandbox's gateway
// at once, lists their tools, and closes them all when the task is done. A server that
// cannot start costs only its own tools, with a warning saying why.
import type { Logger } from "pino";
import { ZodError } from "zod";
import type { AgentTool } from "../agent/tool.ts";
import type { McpServers, McpServerSpec } from "./mcp-config.ts";
import { createMcpTool } from "./mcp-tools.ts";
import { DEFAULT_CONNECT_TIMEOUT_MS, ServerConnection, type ListedTool } from "./server-connection.ts";
import { GATEWAY_SERVER_NAME, ToolNameRegistry, splitGatewayToolName } from "./tool-names.ts";

export interface McpNote {
  level: "info" | "warn";
  message: string;
}

export interface OpenMcpToolsOptions {
  servers: McpServers;
  /** The sandbox's MCP gateway (E2B), reached over Streamable HTTP with a bearer token. */
  gateway?: { url: string; token: string };
  logger: Logger;
  /** The task's signal: aborting it stops the start-up. */
  signal: AbortSignal;
  /** Tells the task's progress sink about servers that could not start. */
  onNote: (note: McpNote) => void;
  /** Per call, reset by progress notifications. Default 120 s. */
  callTimeoutMs?: number;
  /** Text kept from one result. Default 30 000 characters. */
  maxResultChars?: number;
  /** Start-up and tool listing, per server. Default 60 s. */
  connectTimeoutMs?: number;
  progressNoteIntervalMs?: number;
}

export interface McpToolSet {
  tools: AgentTool[];
  /** Stops every server of the task; safe to call more than once. */
  close(): Promise<void>;
}

interface Endpoint {
  name: string;
  spec: McpServerSpec;
  isGateway: boolean;
}

interface Opened {
  endpoint: Endpoint;
  connection: ServerConnection;
  tools: ListedTool[];
}

export async function openMcpTools(options: OpenMcpToolsOptions): Promise<McpToolSet> {
  const endpoints: Endpoint[] = Object.entries(options.servers).map(([name, spec]) => ({ name, spec, isGateway: false }));
  if (options.gateway) {
    endpoints.push({
      name: GATEWAY_SERVER_NAME,
      spec: { kind: "http", url: options.gateway.url, headers: { Authorization: `Bearer ${options.gateway.token}` } },
      isGateway: true,
    });
  }

  const connections: ServerConnection[] = [];
  const close = async () => {
    await Promise.allSettled(connections.map((c) => c.close()));
  };

  const results = await Promise.allSettled(
    endpoints.map(async (endpoint): Promise<Opened> => {
      const connection = await ServerConnection.connect({
        name: endpoint.name,
        spec: endpoint.spec,
        logger: options.logger,
        signal: options.signal,
        connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      });
      connections.push(connection);
      try {
        const tools = await connection.listTools({ timeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, signal: options.signal });
        return { endpoint, connection, tools };
      } catch (error) {
        await connection.close();
        const why = error instanceof ZodError ? `malformed answer at ${error.issues[0]?.path.join(".") || "top level"}: ${error.issues[0]?.message}` : (error as Error).message;
        throw new Error(`listing its tools failed: ${why}`, { cause: error });
      }
    }),
  );

  if (options.signal.aborted) {
    await close();
    throw options.signal.reason ?? new Error("cancelled while starting MCP servers");
  }

  const names = new ToolNameRegistry();
  const tools: AgentTool[] = [];
  results.forEach((result, i) => {
    const endpoint = endpoints[i]!;
    const label = endpoint.isGateway ? "The sandbox's MCP gateway" : `MCP server "${endpoint.name}"`;
    if (result.status === "rejected") {
      const reason = (result.reason as Error)?.message ?? String(result.reason);
      options.logger.warn({ mcpServer: endpoint.name, err: result.reason }, "MCP server could not start; continuing without its tools");
      options.onNote({ level: "warn", message: `${label} could not start, so its tools are not available in this task: ${reason}` });
      return;
    }
    const { connection } = result.value;
    let offered = 0;
    for (const tool of result.value.tools) {
      // Tools that only run as MCP tasks need the experimental tasks API; the agent calls tools directly.
      if (tool.execution?.taskSupport === "required") {
        options.logger.info({ mcpServer: endpoint.name, tool: tool.name }, "skipping MCP tool that requires task-based execution");
        continue;
      }
      const { server, tool: toolName } = endpoint.isGateway ? splitGatewayToolName(tool.name) : { server: endpoint.name, tool: tool.name };
      // The engine always passes run() what parse() returned, so widening the input type is safe.
      tools.push(
        createMcpTool({
          connection,
          tool,
          name: names.claim(server, toolName),
          ...(options.callTimeoutMs !== undefined ? { callTimeoutMs: options.callTimeoutMs } : {}),
          ...(options.maxResultChars !== undefined ? { maxResultChars: options.maxResultChars } : {}),
          ...(options.progressNoteIntervalMs !== undefined ? { progressNoteIntervalMs: options.progressNoteIntervalMs } : {}),
        }) as AgentTool,
      );
      offered++;
    }
    options.logger.info({ mcpServer: endpoint.name, tools: offered }, "MCP server ready");
  });

  return { tools, close };
}
