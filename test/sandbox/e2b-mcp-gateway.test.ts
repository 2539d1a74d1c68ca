// E2B's MCP gateway: the provider asks for GitHub/Notion/other catalogue servers with the SDK's
// `mcp` option, the SDK starts mcp-gateway in the sandbox (the stand-in template's records its
// config and token), and the sandbox exposes the gateway's URL and token.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseMcpServersEnv } from "../../src/sandbox/e2b/mcp-gateway.ts";
import { startFakeE2B, type FakeE2B } from "../doubles/e2b/fake-e2b.ts";
import { providerFor } from "./e2b-helpers.ts";

let fake: FakeE2B;
before(async () => {
  fake = await startFakeE2B();
});
after(async () => {
  await fake.close();
});

describe("MCP gateway", () => {
  test("GitHub, Notion and extra catalogue servers run in the sandbox's gateway", async () => {
    const provider = providerFor(fake, {
      githubToken: "ghp_test_token",
      notionToken: "ntn_test_token",
      extraMcp: { exa: { apiKey: "exa-key" } },
    });
    const sandbox = await provider.create({ taskId: "t-mcp" });
    try {
      assert.ok(sandbox.capabilities.mcpGateway, "the sandbox offers a gateway");
      assert.match(sandbox.capabilities.mcpGateway.url, /^https:\/\/.+\/mcp$/);
      assert.ok(sandbox.capabilities.mcpGateway.token.length >= 16);

      const record = fake.api.sandbox(sandbox.id)!;
      assert.equal(record.templateID, "mcp-gateway", "with MCP on and no E2B_TEMPLATE, E2B's gateway template");
      const expected = {
        githubOfficial: { githubPersonalAccessToken: "ghp_test_token" },
        notion: { internalIntegrationToken: "ntn_test_token" },
        exa: { apiKey: "exa-key" },
      };
      assert.deepEqual(record.mcp, expected);

      // What the gateway in the sandbox was started with.
      const config = JSON.parse(new TextDecoder().decode(await sandbox.readFile("/etc/mcp-gateway/config.json")));
      assert.deepEqual(config, expected);
      assert.equal(new TextDecoder().decode(await sandbox.readFile("/etc/mcp-gateway/.token")), sandbox.capabilities.mcpGateway.token);

      const env = await sandbox.exec("env", { timeoutMs: 10_000 });
      assert.doesNotMatch(env.stdout, /ghp_test_token|ntn_test_token|GATEWAY_ACCESS_TOKEN/, "tokens stay with the gateway, not the agent's commands");
    } finally {
      await sandbox.close();
    }
  });

  test("a resumed sandbox offers its gateway again", async () => {
    const provider = providerFor(fake, { githubToken: "ghp_test_token" });
    const first = await provider.create({ taskId: "t-mcp-1", labels: { conversation: "C9:1.0" } });
    const token = first.capabilities.mcpGateway?.token;
    await first.close({ keep: true });
    const again = await provider.resume(first.id, { taskId: "t-mcp-2", labels: { conversation: "C9:1.0" } });
    try {
      assert.ok(again?.capabilities.mcpGateway);
      assert.equal(again.capabilities.mcpGateway.token, token);
    } finally {
      await again?.close();
    }
  });
});

describe("E2B_MCP_SERVERS", () => {
  test("is a JSON object of catalogue servers", () => {
    assert.equal(parseMcpServersEnv(undefined), undefined);
    assert.equal(parseMcpServersEnv("  "), undefined);
    assert.deepEqual(parseMcpServersEnv('{"exa":{"apiKey":"k"},"duckduckgo":{}}'), { exa: { apiKey: "k" }, duckduckgo: {} });
  });

  test("bad values name the variable and the problem", () => {
    assert.throws(() => parseMcpServersEnv("{exa"), /E2B_MCP_SERVERS is not valid JSON/);
    assert.throws(() => parseMcpServersEnv('["exa"]'), /E2B_MCP_SERVERS: must be a JSON object of MCP servers/);
    assert.throws(() => parseMcpServersEnv('{"exa":"key"}'), /E2B_MCP_SERVERS at exa/);
  });
});
