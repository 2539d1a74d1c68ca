// The `mcp` option of Sandbox.create: which servers of E2B's MCP catalogue the sandbox's MCP
// gateway runs. GITHUB_TOKEN enables GitHub's official server, NOTION_TOKEN Notion's.
// Any other catalogue server is enabled by the operator with E2B_MCP_SERVERS, a JSON object of
// extra entries in the SDK's `mcp` shape, for example
//   E2B_MCP_SERVERS='{"exa":{"apiKey":"..."},"duckduckgo":{}}'
// (names and fields as in E2B's MCP catalogue, https://e2b.dev/docs/mcp). Its entries win over
// the ones built from GITHUB_TOKEN / NOTION_TOKEN.
import { z } from "zod";

const MCP_SERVERS_ENV = "E2B_MCP_SERVERS";

export interface McpGatewayOptions {
  githubToken?: string;
  notionToken?: string;
  extraMcp?: Record<string, unknown>;
}

/** The `mcp` option, or undefined when no server is enabled (then no gateway is started). */
export function buildMcpConfig(options: McpGatewayOptions): Record<string, unknown> | undefined {
  const mcp: Record<string, unknown> = {};
  if (options.githubToken) mcp["githubOfficial"] = { githubPersonalAccessToken: options.githubToken };
  if (options.notionToken) mcp["notion"] = { internalIntegrationToken: options.notionToken };
  Object.assign(mcp, options.extraMcp);
  return Object.keys(mcp).length > 0 ? mcp : undefined;
}

const serversSchema = z.record(z.string().min(1), z.record(z.string(), z.unknown()), {
  message: 'must be a JSON object of MCP servers, e.g. {"exa":{"apiKey":"..."}}',
});

/** Reads E2B_MCP_SERVERS; throws an error naming the variable and what is wrong. */
export function parseMcpServersEnv(value: string | undefined): Record<string, unknown> | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (error) {
    throw new Error(`${MCP_SERVERS_ENV} is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = serversSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
    throw new Error(`${MCP_SERVERS_ENV}${where}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}
