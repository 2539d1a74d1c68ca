// Servers that misbehave: the task keeps going and the model reads what happened.
// The misbehaving fixture is a real MCP server built with the SDK (fixtures/misbehaving-server.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { OpenMcpToolsOptions } from "../../src/mcp/mcp-session.ts";
import { closedPort, fixtureServer, npmServer, openTools, textOf, toolContext } from "./fixtures/harness.ts";

const open = (overrides: Partial<OpenMcpToolsOptions> = {}) => openTools({ servers: { flaky: fixtureServer("misbehaving-server.ts") }, ...overrides });

describe("misbehaving MCP servers", () => {
  it("lists tools across every page of a paged tools/list", async () => {
    // None of the npm reference servers pages its tool list; the fixture serves two tools per page.
    const { set } = await open();
    try {
      assert.deepEqual(
        set.tools.map((t) => t.name),
        ["mcp__flaky__echo", "mcp__flaky__crash", "mcp__flaky__hang", "mcp__flaky__big", "mcp__flaky__fail", "mcp__flaky__reject", "mcp__flaky__files_read_all"],
      );
    } finally {
      await set.close();
    }
  });

  it("gives a schema-less tool an object schema and a description", async () => {
    const { set, tool, call } = await open();
    try {
      const odd = tool("mcp__flaky__files_read_all");
      assert.deepEqual(odd.inputSchema, { type: "object", properties: {} });
      assert.match(odd.description, /files\.read all/);
      assert.equal((await call("mcp__flaky__files_read_all")).content, "read all files");
    } finally {
      await set.close();
    }
  });

  it("reports a server that dies mid-call, and later calls say it is unavailable", async () => {
    const { set, call } = await open();
    try {
      const crashed = await call("mcp__flaky__crash");
      assert.equal(crashed.isError, true);
      assert.match(textOf(crashed), /^MCP server "flaky" stopped while running "crash"/);
      assert.match(textOf(crashed), /fixture: crashing on purpose/);
      const later = await call("mcp__flaky__echo", { text: "anyone there?" });
      assert.equal(later.isError, true);
      assert.match(textOf(later), /MCP server "flaky" is unavailable for the rest of this task: it stopped/);
    } finally {
      await set.close();
    }
  });

  it("times out a call that never answers, and later calls say the server is unavailable", async () => {
    const { set, call } = await open({ callTimeoutMs: 300 });
    try {
      const hung = await call("mcp__flaky__hang");
      assert.equal(hung.isError, true);
      assert.match(textOf(hung), /MCP server "flaky" timed out after 0\.3 s without a result or progress while running "hang"/);
      const later = await call("mcp__flaky__echo", { text: "hello?" });
      assert.equal(later.isError, true);
      assert.match(textOf(later), /is unavailable for the rest of this task: it timed out after 0\.3 s/);
    } finally {
      await set.close();
    }
  });

  it("bounds a call by the task's remaining time", async () => {
    const { set, call } = await open();
    try {
      const out = await call("mcp__flaky__hang", {}, toolContext({ maxCommandMs: 200 }));
      assert.equal(out.isError, true);
      assert.match(textOf(out), /timed out after 0\.2 s/);
    } finally {
      await set.close();
    }
  });

  it("cancels a call through the task's signal and keeps the server usable", async () => {
    const { set, call } = await open();
    try {
      const controller = new AbortController();
      const pending = call("mcp__flaky__hang", {}, toolContext({ signal: controller.signal }));
      setTimeout(() => controller.abort(new Error("user cancelled")), 50);
      const out = await pending;
      assert.equal(out.isError, true);
      assert.match(textOf(out), /cancelled/);
      assert.equal((await call("mcp__flaky__echo", { text: "still here" })).content, "echo: still here");
    } finally {
      await set.close();
    }
  });

  it("passes the server's own errors to the model and keeps the server usable", async () => {
    const { set, call } = await open();
    try {
      const failed = await call("mcp__flaky__fail");
      assert.equal(failed.isError, true);
      assert.equal(failed.content, "the widget is broken");
      const rejected = await call("mcp__flaky__reject");
      assert.equal(rejected.isError, true);
      assert.match(textOf(rejected), /MCP server "flaky" returned an error for "reject": reject always refuses/);
      assert.equal((await call("mcp__flaky__echo", { text: "ok" })).content, "echo: ok");
    } finally {
      await set.close();
    }
  });

  it("cuts a huge result to the configured limit with a note", async () => {
    const { set, call } = await open({ maxResultChars: 5_000 });
    try {
      const out = await call("mcp__flaky__big", { size: 200_000 });
      const text = textOf(out);
      assert.ok(text.length < 5_200, `kept ${text.length} characters`);
      assert.match(text, /195,000 characters cut: the result had 200,000 characters/);
    } finally {
      await set.close();
    }
  });

  it("goes on without servers that fail to start, with a warning naming each and why", async () => {
    const { set, notes } = await open({
      servers: {
        missing: { kind: "stdio", command: "no-such-mcp-server-command", args: [], env: {} },
        exits: { kind: "stdio", command: process.execPath, args: ["-e", "console.error('GITHUB_TOKEN is not set'); process.exit(1)"], env: {} },
        everything: npmServer("@modelcontextprotocol/server-everything", ["stdio"]),
        unreachable: { kind: "http", url: `http://127.0.0.1:${await closedPort()}/mcp`, headers: {} },
      },
    });
    try {
      assert.ok(set.tools.some((t) => t.name === "mcp__everything__echo"));
      assert.ok(set.tools.every((t) => t.name.startsWith("mcp__everything__")));
      const byServer = (name: string) => notes.find((n) => n.message.includes(`"${name}"`));
      assert.equal(notes.length, 3);
      assert.ok(notes.every((n) => n.level === "warn"));
      assert.match(byServer("missing")!.message, /could not start.*command "no-such-mcp-server-command" was not found/);
      assert.match(byServer("exits")!.message, /could not start.*exited while starting.*GITHUB_TOKEN is not set/);
      assert.match(byServer("unreachable")!.message, /could not start.*fetch failed \(ECONNREFUSED\)/);
    } finally {
      await set.close();
    }
  });

  it("stops starting servers when the task is cancelled", async () => {
    const controller = new AbortController();
    const opening = open({
      servers: { silent: { kind: "stdio", command: process.execPath, args: ["-e", "setInterval(() => {}, 1000)"], env: {} } },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("task cancelled")), 100);
    await assert.rejects(opening, /task cancelled/);
  });

  it("gives up on a server that never finishes starting", async () => {
    const { set, notes } = await open({
      servers: { silent: { kind: "stdio", command: process.execPath, args: ["-e", "setInterval(() => {}, 1000)"], env: {} } },
      connectTimeoutMs: 300,
    });
    try {
      assert.deepEqual(set.tools, []);
      assert.match(notes[0]!.message, /MCP server "silent" could not start.*did not finish starting within 0\.3 s/);
    } finally {
      await set.close();
    }
  });
});
