// `deep-agent task` end to end with the other adapters: an E2B sandbox (the real e2b SDK
// against loopback stand-ins) and MCP servers from MCP_CONFIG (real servers from npm).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startMessagesApi, type ScriptFn } from "../doubles/messages-api.ts";
import { startFakeE2B } from "../doubles/e2b/fake-e2b.ts";
import { binOf } from "../mcp/fixtures/harness.ts";
import { cleanEnv, runCli } from "../helpers/run-cli.ts";

async function tempDir() {
  return mkdtemp(path.join(os.tmpdir(), "deep-agent-int-"));
}

test("task runs in an E2B sandbox when SANDBOX_PROVIDER=e2b", async () => {
  const script: ScriptFn = (_req, ctx) =>
    ctx.call === 0
      ? { toolCalls: [{ name: "execute", input: { command: "echo from-e2b > where.txt && cat where.txt && echo $HOME" } }] }
      : { text: `sandbox said: ${ctx.lastToolResults()[0]!.content.split("\n").slice(0, 2).join(" | ")}` };
  const api = await startMessagesApi({ script });
  const fake = await startFakeE2B();
  const dir = await tempDir();
  try {
    const env = cleanEnv({
      ANTHROPIC_API_KEY: "k",
      ANTHROPIC_BASE_URL: api.baseURL,
      DATA_DIR: dir,
      SANDBOX_PROVIDER: "e2b",
      E2B_API_KEY: fake.apiKey,
      E2B_API_URL: fake.apiUrl,
      E2B_SANDBOX_URL: fake.sandboxUrl,
    });
    const r = await runCli(["task", "where are you?", "--json"], { env, cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.match(out.result, /^sandbox said: from-e2b \| /);
    const bad = await runCli(["task", "x"], { env: { ...env, E2B_MCP_SERVERS: "[1,2]" }, cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /E2B_MCP_SERVERS: must be a JSON object/);
  } finally {
    await fake.close();
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("task offers MCP_CONFIG servers as mcp__<server>__<tool>, and the answer uses the real result", async () => {
  const script: ScriptFn = (req, ctx) => {
    if (ctx.call === 0) {
      assert.ok(
        req.body.tools?.some((t) => t.name === "mcp__everything__echo"),
        "the echo tool is offered",
      );
      return { toolCalls: [{ name: "mcp__everything__echo", input: { message: "ping-42" } }] };
    }
    return { text: `the server answered: ${ctx.lastToolResults()[0]!.content}` };
  };
  const api = await startMessagesApi({ script });
  const dir = await tempDir();
  try {
    const config = path.join(dir, "mcp.json");
    await writeFile(config, JSON.stringify({ mcpServers: { everything: { command: process.execPath, args: [binOf("@modelcontextprotocol/server-everything")] } } }));
    const env = cleanEnv({ ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: api.baseURL, DATA_DIR: dir, SANDBOX_ISOLATION: "none", MCP_CONFIG: config });
    const r = await runCli(["task", "echo through mcp"], { env, cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /the server answered: .*ping-42/);

    await writeFile(config, JSON.stringify({ mcpServers: { broken: { args: ["x"] } } }));
    const bad = await runCli(["task", "x"], { env, cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^deep-agent: MCP_CONFIG: mcpServers\.broken: .*"command" or "url"/);
  } finally {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
});
