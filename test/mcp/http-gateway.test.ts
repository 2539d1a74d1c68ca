// MCP over Streamable HTTP with a bearer token, the way the E2B sandbox's gateway is reached.
// The fixture (fixtures/http-server.ts) serves server-everything, or tools named the way an
// aggregating gateway names them, on 127.0.0.1 and refuses requests without the token.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { OpenMcpToolsOptions } from "../../src/mcp/mcp-session.ts";
import { openTools, startHttpFixture, textOf, toolContext, type HttpFixture } from "./fixtures/harness.ts";

const TOKEN = "e2b-gateway-token-for-tests";

const open = (options: Partial<OpenMcpToolsOptions>) => openTools(options);

describe("MCP over Streamable HTTP", () => {
  let everything: HttpFixture;
  before(async () => {
    everything = await startHttpFixture("everything", TOKEN);
  });
  after(async () => {
    await everything?.stop();
  });

  it("reaches the gateway with its bearer token and names its tools mcp__gateway__<tool>", async () => {
    const { set, notes, call } = await open({ gateway: { url: everything.url, token: TOKEN } });
    try {
      assert.deepEqual(notes, []);
      assert.ok(set.tools.length > 5);
      assert.ok(
        set.tools.every((t) => t.name.startsWith("mcp__gateway__")),
        set.tools.map((t) => t.name).join(", "),
      );
      const out = await call("mcp__gateway__echo", { message: "through the gateway" });
      assert.equal(out.content, "Echo: through the gateway");
    } finally {
      await set.close();
    }
  });

  it("forwards progress over HTTP", async () => {
    const { set, call } = await open({ gateway: { url: everything.url, token: TOKEN }, progressNoteIntervalMs: 0 });
    try {
      const ctx = toolContext();
      const out = await call("mcp__gateway__trigger-long-running-operation", { duration: 0.6, steps: 3 }, ctx);
      assert.match(textOf(out), /Long running operation completed/);
      assert.ok(ctx.events.some((e) => e.type === "note" && /^mcp__gateway__trigger-long-running-operation: progress \d\/3/.test(e.message)));
    } finally {
      await set.close();
    }
  });

  it("goes on without the gateway when the token is wrong, and says why", async () => {
    const { set, notes } = await open({ gateway: { url: everything.url, token: "not-the-token" } });
    try {
      assert.deepEqual(set.tools, []);
      assert.equal(notes.length, 1);
      assert.equal(notes[0]!.level, "warn");
      assert.match(notes[0]!.message, /^The sandbox's MCP gateway could not start.*missing or wrong bearer token/);
      assert.ok(!notes[0]!.message.includes("not-the-token"), "the token leaked into the note");
    } finally {
      await set.close();
    }
  });

  it("sends a configured HTTP server's headers", async () => {
    const { set, call } = await open({
      servers: { remote: { kind: "http", url: everything.url, headers: { Authorization: `Bearer ${TOKEN}` } } },
    });
    try {
      assert.equal((await call("mcp__remote__get-sum", { a: 2, b: 3 })).isError, undefined);
      assert.match(textOf(await call("mcp__remote__get-sum", { a: 2, b: 3 })), /5/);
    } finally {
      await set.close();
    }
  });

  it("names an aggregating gateway's tools after their own server prefixes", async () => {
    const aggregate = await startHttpFixture("aggregate", TOKEN);
    const { set, call } = await open({ gateway: { url: aggregate.url, token: TOKEN } });
    try {
      assert.deepEqual(set.tools.map((t) => t.name).sort(), ["mcp__gateway__ping", "mcp__github__create_issue", "mcp__notion__search"]);
      assert.equal((await call("mcp__github__create_issue", { title: "Flaky test" })).content, 'created issue "Flaky test"');
      assert.equal((await call("mcp__notion__search", { query: "roadmap" })).content, "found pages for roadmap");
      assert.equal((await call("mcp__gateway__ping")).content, "pong");
    } finally {
      await set.close();
      await aggregate.stop();
    }
  });

  it("reports a gateway that dies mid-call, and later calls say it is unavailable", async () => {
    const doomed = await startHttpFixture("everything", TOKEN);
    // The timeout only bounds the test if losing the connection goes unnoticed.
    const { set, call } = await open({ gateway: { url: doomed.url, token: TOKEN }, callTimeoutMs: 20_000 });
    try {
      const ctx = toolContext();
      // The first progress notification proves the call is running; then the server dies.
      ctx.emit = () => void doomed.stop();
      const out = await call("mcp__gateway__trigger-long-running-operation", { duration: 30, steps: 30 }, ctx);
      assert.equal(out.isError, true);
      assert.match(textOf(out), /^MCP server "gateway" lost its connection while running "trigger-long-running-operation"/);
      const later = await call("mcp__gateway__echo", { message: "hello?" });
      assert.match(textOf(later), /MCP server "gateway" is unavailable for the rest of this task: it lost its connection/);
    } finally {
      await set.close();
      await doomed.stop();
    }
  });
});
