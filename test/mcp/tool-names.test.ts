import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ToolNameRegistry, mcpToolName, splitGatewayToolName } from "../../src/mcp/tool-names.ts";

const API_RULE = /^[a-zA-Z0-9_-]{1,64}$/;

describe("MCP tool names", () => {
  it("are mcp__<server>__<tool>", () => {
    assert.equal(mcpToolName("github", "create_issue"), "mcp__github__create_issue");
    assert.equal(mcpToolName("everything", "get-tiny-image"), "mcp__everything__get-tiny-image");
  });

  it("replace characters the Messages API does not allow", () => {
    const name = mcpToolName("fs", "files.read all");
    assert.equal(name, "mcp__fs__files_read_all");
    assert.match(name, API_RULE);
  });

  it("stay within 64 characters, and long names that share a beginning stay apart", () => {
    const a = mcpToolName("server", `${"very_long_tool_name_".repeat(4)}alpha`);
    const b = mcpToolName("server", `${"very_long_tool_name_".repeat(4)}beta`);
    assert.match(a, API_RULE);
    assert.match(b, API_RULE);
    assert.notEqual(a, b);
  });

  it("are unique even when two tools sanitise to the same name", () => {
    const names = new ToolNameRegistry();
    const first = names.claim("fs", "read.file");
    const second = names.claim("fs", "read file");
    const third = names.claim("fs", "read_file");
    assert.equal(first, "mcp__fs__read_file");
    assert.equal(second, "mcp__fs__read_file_2");
    assert.equal(third, "mcp__fs__read_file_3");
    const long = new ToolNameRegistry();
    const x = long.claim("s", "t".repeat(80));
    const y = long.claim("s", "t".repeat(80));
    assert.notEqual(x, y);
    assert.match(y, API_RULE);
  });

  it("take the server from a gateway tool's own prefix, and use gateway otherwise", () => {
    assert.deepEqual(splitGatewayToolName("github__create_issue"), { server: "github", tool: "create_issue" });
    assert.deepEqual(splitGatewayToolName("notion__API-post-search"), { server: "notion", tool: "API-post-search" });
    assert.deepEqual(splitGatewayToolName("create_issue"), { server: "gateway", tool: "create_issue" });
    assert.deepEqual(splitGatewayToolName("__hidden"), { server: "gateway", tool: "__hidden" });
    assert.deepEqual(splitGatewayToolName("trailing__"), { server: "gateway", tool: "trailing__" });
  });
});
