// The reference MCP servers from npm, spawned over stdio, used through the AgentTools the
// model would call.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { AgentTool } from "../../src/agent/tool.ts";
import { openMcpTools, type McpNote, type McpToolSet } from "../../src/mcp/mcp-session.ts";
import { npmServer, quietLogger, textOf, toolContext } from "./fixtures/harness.ts";

const SECRET = "sk-ant-test-secret-that-must-stay-here";

let dir: string;
let set: McpToolSet;
const notes: McpNote[] = [];

function tool(name: string): AgentTool {
  const found = set.tools.find((t) => t.name === name);
  assert.ok(found, `no tool ${name} among ${set.tools.map((t) => t.name).join(", ")}`);
  return found;
}

async function call(name: string, input: unknown, ctx = toolContext()) {
  const t = tool(name);
  return t.run(t.parse(input), ctx);
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "mcp-stdio-"));
  await writeFile(path.join(dir, "notes.txt"), "remember the milk\n");
  // Our own environment holds secrets like this; servers must not see them.
  process.env["DEEP_AGENT_TEST_SECRET"] = SECRET;
  set = await openMcpTools({
    servers: {
      everything: npmServer("@modelcontextprotocol/server-everything", ["stdio"], { GREETING: "hello from config" }),
      filesystem: npmServer("@modelcontextprotocol/server-filesystem", [dir]),
      memory: npmServer("@modelcontextprotocol/server-memory", [], { MEMORY_FILE_PATH: path.join(dir, "memory.jsonl") }),
    },
    logger: quietLogger,
    signal: new AbortController().signal,
    onNote: (note) => notes.push(note),
    // Every progress notification becomes a note, so the test sees them all.
    progressNoteIntervalMs: 0,
  });
});

after(async () => {
  delete process.env["DEEP_AGENT_TEST_SECRET"];
  await set?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("npm MCP servers over stdio", () => {
  it("starts all three servers and offers their tools under mcp__<server>__<tool>", () => {
    assert.deepEqual(notes, []);
    const names = set.tools.map((t) => t.name);
    for (const name of ["mcp__everything__echo", "mcp__filesystem__read_text_file", "mcp__memory__create_entities"]) {
      assert.ok(names.includes(name), `${name} missing from ${names.join(", ")}`);
    }
    for (const t of set.tools) {
      assert.match(t.name, /^[a-zA-Z0-9_-]{1,64}$/);
      assert.equal(t.inputSchema.type, "object");
    }
    assert.equal(new Set(names).size, names.length);
  });

  it("echoes through the AgentTool with the server's description and schema", async () => {
    const echo = tool("mcp__everything__echo");
    assert.equal(echo.description, "Echoes back the input string");
    assert.deepEqual(echo.inputSchema.required, ["message"]);
    assert.ok("message" in echo.inputSchema.properties);
    const out = await call("mcp__everything__echo", { message: "hello MCP" });
    assert.equal(out.isError, undefined);
    assert.equal(out.content, "Echo: hello MCP");
  });

  it("returns the server's validation error to the model instead of throwing", async () => {
    const out = await call("mcp__everything__echo", { message: 42 });
    assert.equal(out.isError, true);
    assert.match(textOf(out), /message/);
    assert.throws(() => tool("mcp__everything__echo").parse("not an object"));
  });

  it("forwards progress of a long-running operation as notes, and progress keeps the call alive", async () => {
    // Progress arrives every 0.25 s; the whole call takes 2.5 s, longer than the 1.5 s timeout,
    // so it only succeeds because each progress notification resets the timeout.
    const short = await openMcpTools({
      servers: { everything: npmServer("@modelcontextprotocol/server-everything", ["stdio"]) },
      logger: quietLogger,
      signal: new AbortController().signal,
      onNote: () => {},
      callTimeoutMs: 1_500,
      progressNoteIntervalMs: 0,
    });
    try {
      const t = short.tools.find((x) => x.name === "mcp__everything__trigger-long-running-operation")!;
      const ctx = toolContext();
      const out = await t.run(t.parse({ duration: 2.5, steps: 10 }), ctx);
      assert.equal(out.isError, undefined, textOf(out));
      assert.match(textOf(out), /Long running operation completed/);
      const progress = ctx.events.flatMap((e) => (e.type === "note" && e.message.includes("progress") ? [e.message] : []));
      assert.ok(progress.length >= 1, "no progress notes");
      assert.match(progress[0]!, /^mcp__everything__trigger-long-running-operation: progress \d+\/10/);
    } finally {
      await short.close();
    }
  });

  it("turns an MCP image into a Messages API image block", async () => {
    const out = await call("mcp__everything__get-tiny-image", {});
    assert.ok(Array.isArray(out.content));
    const image = out.content.find((b) => b.type === "image");
    assert.ok(image && image.type === "image");
    assert.equal(image.source.media_type, "image/png");
    assert.ok(Buffer.from(image.source.data, "base64").subarray(1, 4).toString() === "PNG");
  });

  it("shows resource links with their URIs", async () => {
    const out = await call("mcp__everything__get-resource-links", { count: 2 });
    assert.match(textOf(out), /resource link: .* demo:\/\/resource\//);
  });

  it("passes only the configured variables and a minimal PATH to the server", async () => {
    const out = await call("mcp__everything__get-env", {});
    const env = JSON.parse(textOf(out)) as Record<string, string>;
    assert.equal(env["GREETING"], "hello from config");
    assert.ok(!textOf(out).includes(SECRET), "our secret reached the server");
    const allowed = new Set(["PATH", "GREETING", "HOME", "LOGNAME", "SHELL", "TERM", "USER"]);
    assert.deepEqual(
      Object.keys(env).filter((k) => !allowed.has(k)),
      [],
    );
  });

  it("reads a file through server-filesystem", async () => {
    const out = await call("mcp__filesystem__read_text_file", { path: path.join(dir, "notes.txt") });
    assert.equal(out.isError, undefined, textOf(out));
    assert.match(textOf(out), /remember the milk/);
    const outside = await call("mcp__filesystem__read_text_file", { path: "/etc/hostname" });
    assert.equal(outside.isError, true);
  });

  it("keeps state across calls to server-memory", async () => {
    const created = await call("mcp__memory__create_entities", {
      entities: [{ name: "deep-agent", entityType: "project", observations: ["runs Claude in sandboxes"] }],
    });
    assert.equal(created.isError, undefined, textOf(created));
    const found = await call("mcp__memory__search_nodes", { query: "deep-agent" });
    assert.match(textOf(found), /runs Claude in sandboxes/);
    assert.match(await readFile(path.join(dir, "memory.jsonl"), "utf8"), /deep-agent/);
  });

  it("stops the servers on close, after which their tools say they are unavailable", async () => {
    const own = await openMcpTools({
      servers: { everything: npmServer("@modelcontextprotocol/server-everything", ["stdio"]) },
      logger: quietLogger,
      signal: new AbortController().signal,
      onNote: () => {},
    });
    const echo = own.tools.find((t) => t.name === "mcp__everything__echo")!;
    await own.close();
    await own.close();
    const out = await echo.run(echo.parse({ message: "late" }), toolContext());
    assert.equal(out.isError, true);
    assert.match(textOf(out), /MCP server "everything" is unavailable/);
  });
});
