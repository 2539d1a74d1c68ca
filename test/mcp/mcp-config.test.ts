import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { hasCode } from "../../src/shared/errors.ts";
import { loadMcpConfig } from "../../src/mcp/mcp-config.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mcp-config-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configFile(content: string): Promise<string> {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, content);
  return file;
}

/** Loads the file and returns the configuration error message it must fail with. */
async function failure(content: string | null): Promise<string> {
  const file = content === null ? path.join(dir, "missing.json") : await configFile(content);
  const error = await loadMcpConfig(file).then(
    () => assert.fail("expected a configuration error"),
    (e: unknown) => e,
  );
  assert.ok(hasCode(error, "config_invalid"), `expected a config_invalid error, got ${String(error)}`);
  assert.match(error.message, /^MCP_CONFIG: /);
  assert.ok(!error.message.includes("\n"), `message should be one line: ${error.message}`);
  return error.message;
}

describe("loadMcpConfig", () => {
  it("reads stdio and HTTP servers with their defaults", async () => {
    const file = await configFile(
      JSON.stringify({
        mcpServers: {
          github: { command: "npx", args: ["-y", "@modelcontextprotocol/server-github"], env: { GITHUB_TOKEN: "x" } },
          memory: { command: "mcp-server-memory" },
          docs: { type: "http", url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer t" } },
          search: { url: "http://127.0.0.1:9000/mcp" },
        },
      }),
    );
    assert.deepEqual(await loadMcpConfig(file), {
      github: { kind: "stdio", command: "npx", args: ["-y", "@modelcontextprotocol/server-github"], env: { GITHUB_TOKEN: "x" } },
      memory: { kind: "stdio", command: "mcp-server-memory", args: [], env: {} },
      docs: { kind: "http", url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer t" } },
      search: { kind: "http", url: "http://127.0.0.1:9000/mcp", headers: {} },
    });
  });

  it("accepts an empty server list and extra top-level keys of a shared config file", async () => {
    assert.deepEqual(await loadMcpConfig(await configFile('{"mcpServers": {}, "theme": "dark"}')), {});
  });

  it("names a missing file", async () => {
    const message = await failure(null);
    assert.match(message, /^MCP_CONFIG: cannot read .*missing\.json: no such file$/);
  });

  it("names bad JSON", async () => {
    assert.match(await failure('{"mcpServers": {'), /is not valid JSON/);
  });

  it("rejects a file without mcpServers, or of the wrong shape", async () => {
    assert.match(await failure("{}"), /the file has no "mcpServers" object/);
    assert.match(await failure("[]"), /must be a JSON object with a "mcpServers" object/);
    assert.match(await failure('{"mcpServers": ["github"]}'), /mcpServers: must be an object of server names/);
  });

  it("says which server needs a command or a url", async () => {
    assert.match(await failure('{"mcpServers": {"github": {"args": []}}}'), /mcpServers\.github: needs either "command" or "url"/);
    assert.match(await failure('{"mcpServers": {"github": {"command": "x", "url": "http://a/mcp"}}}'), /mcpServers\.github: has both "command" and "url"/);
    assert.match(await failure('{"mcpServers": {"github": "npx github"}}'), /mcpServers\.github: must be an object/);
  });

  it("rejects server names that cannot be part of a tool name", async () => {
    assert.match(await failure('{"mcpServers": {"my server": {"command": "x"}}}'), /mcpServers\["my server"\]: server names may use only letters, digits/);
    assert.match(await failure('{"mcpServers": {"a__b": {"command": "x"}}}'), /mcpServers\.a__b: server names/);
    assert.match(await failure(`{"mcpServers": {"${"s".repeat(33)}": {"command": "x"}}}`), /at most 32 characters/);
  });

  it("names the field that has the wrong type", async () => {
    assert.match(await failure('{"mcpServers": {"fs": {"command": "x", "args": "--root /"}}}'), /mcpServers\.fs\.args: must be a list of strings/);
    assert.match(await failure('{"mcpServers": {"fs": {"command": "x", "args": [1]}}}'), /mcpServers\.fs\.args\[0\]: each argument must be a string/);
    assert.match(await failure('{"mcpServers": {"fs": {"command": "x", "env": {"DEBUG": true}}}}'), /mcpServers\.fs\.env\.DEBUG: each environment variable value must be a string/);
    assert.match(await failure('{"mcpServers": {"fs": {"command": ""}}}'), /mcpServers\.fs\.command: must not be empty/);
    assert.match(await failure('{"mcpServers": {"web": {"url": "ftp://example.com"}}}'), /mcpServers\.web\.url: must be an http:\/\/ or https:\/\/ URL/);
    assert.match(await failure('{"mcpServers": {"web": {"url": "http://a/mcp", "headers": ["x"]}}}'), /mcpServers\.web\.headers: must be an object of header names/);
  });

  it("rejects unknown and misplaced fields instead of ignoring them", async () => {
    assert.match(await failure('{"mcpServers": {"fs": {"command": "x", "agrs": []}}}'), /mcpServers\.fs: unknown field "agrs"/);
    assert.match(await failure('{"mcpServers": {"web": {"url": "http://a/mcp", "args": []}}}'), /mcpServers\.web: "args" only applies to a "command" server/);
    assert.match(await failure('{"mcpServers": {"web": {"type": "sse", "url": "http://a/sse"}}}'), /mcpServers\.web\.type: .*SSE-only servers are not supported/);
  });
});
