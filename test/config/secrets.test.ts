// Which values the scrubber takes out: the environment's keys and tokens, and the secrets that
// live elsewhere (MCP_CONFIG headers and env values, E2B_MCP_SERVERS, the database password).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../src/config/env.ts";
import { secretValues } from "../../src/config/secrets.ts";
import { createScrubber } from "../../src/shared/scrub-secrets.ts";

test("secrets come from the environment, MCP_CONFIG, E2B_MCP_SERVERS and DATABASE_URL", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secrets-"));
  const mcp = path.join(dir, "mcp.json");
  fs.writeFileSync(
    mcp,
    JSON.stringify({ mcpServers: { a: { url: "https://x/mcp", headers: { Authorization: "Bearer hdr-token-123" } }, b: { command: "srv", env: { TOKEN: "env-token-456", SHORT: "abc" } } } }),
  );
  try {
    const config = loadConfig({
      ANTHROPIC_API_KEY: "sk-ant-key-789",
      MCP_CONFIG: mcp,
      E2B_MCP_SERVERS: JSON.stringify({ exa: { apiKey: "exa-key-000" } }),
      DATABASE_URL: "postgres://app:db%40pass-111@localhost/db",
    });
    const secrets = secretValues(config);
    for (const s of ["sk-ant-key-789", "Bearer hdr-token-123", "hdr-token-123", "env-token-456", "exa-key-000", "db@pass-111"]) assert.ok(secrets.includes(s), `${s} is a secret`);
    assert.ok(!secrets.includes("abc"), "values too short to be tokens are not scrubbed");
    const scrubber = createScrubber(secrets);
    assert.equal(scrubber.scrub('token hdr-token-123 and db%40pass-111 and "env-token-456"'), 'token [secret] and [secret] and "[secret]"');
    assert.deepEqual(scrubber.scrubDeep({ blocks: [{ text: "exa-key-000" }], n: 1, file: Buffer.from("exa-key-000") }).blocks, [{ text: "[secret]" }]);
    assert.equal(scrubber.foundIn(Buffer.from("xx sk-ant-key-789 yy")), true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
