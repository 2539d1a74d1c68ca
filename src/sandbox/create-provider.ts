// Picks the sandbox adapter from configuration. Adapters load lazily so a local setup
// never loads the E2B SDK.
import { configError, type Config } from "../config/env.ts";
import type { Logger } from "../shared/log.ts";
import type { SandboxProvider } from "./port.ts";

export async function createSandboxProvider(config: Config, logger: Logger): Promise<SandboxProvider> {
  if (config.SANDBOX_PROVIDER === "e2b") {
    const { E2bSandboxProvider } = await import("./e2b/e2b-provider.ts");
    const { parseMcpServersEnv } = await import("./e2b/mcp-gateway.ts");
    let extraMcp: Record<string, unknown> | undefined;
    try {
      extraMcp = parseMcpServersEnv(config.E2B_MCP_SERVERS);
    } catch (error) {
      throw configError("E2B_MCP_SERVERS", (error as Error).message.replace(/^E2B_MCP_SERVERS:?\s*/, ""), { cause: error });
    }
    return new E2bSandboxProvider({
      ...(extraMcp ? { extraMcp } : {}),
      ...(config.E2B_API_KEY ? { apiKey: config.E2B_API_KEY } : {}),
      ...(config.E2B_TEMPLATE ? { template: config.E2B_TEMPLATE } : {}),
      ...(config.GITHUB_TOKEN ? { githubToken: config.GITHUB_TOKEN } : {}),
      ...(config.NOTION_TOKEN ? { notionToken: config.NOTION_TOKEN } : {}),
      logger,
    });
  }
  const { LocalSandboxProvider } = await import("./local/local-provider.ts");
  return new LocalSandboxProvider({
    dataDir: config.DATA_DIR,
    isolation: config.SANDBOX_ISOLATION,
    allowedDomains: config.SANDBOX_ALLOWED_DOMAINS,
    ...(config.MCP_CONFIG ? { secretFiles: [config.MCP_CONFIG] } : {}),
    logger,
  });
}
