// What one MCP tool call costs: N `echo` calls to server-everything over stdio, through the
// AgentTool the model would call (parse, call, result conversion), one after another.
// Usage: npx node bench/mcp-roundtrip.ts [calls=200]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pino } from "pino";
import type { ToolContext } from "../src/agent/tool.ts";
import type { Sandbox } from "../src/sandbox/port.ts";
import { openMcpTools } from "../src/mcp/mcp-session.ts";
import { median, ms, percentile } from "./stats.ts";

const calls = Number(process.argv[2] ?? 200);

const require = createRequire(import.meta.url);
const manifestPath = require.resolve("@modelcontextprotocol/server-everything/package.json");
const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { bin: Record<string, string> };
const bin = path.join(path.dirname(manifestPath), Object.values(manifest.bin)[0]!);

const t0 = performance.now();
const set = await openMcpTools({
  servers: { everything: { kind: "stdio", command: process.execPath, args: [bin, "stdio"], env: {} } },
  logger: pino({ level: "silent" }),
  signal: new AbortController().signal,
  onNote: (note) => console.error(note.message),
});
const startMs = performance.now() - t0;

const echo = set.tools.find((t) => t.name === "mcp__everything__echo");
if (!echo) throw new Error("server-everything offered no echo tool");
const ctx: ToolContext = {
  sandbox: {} as Sandbox,
  signal: new AbortController().signal,
  toolUseId: "bench",
  emit: () => {},
  maxCommandMs: 600_000,
};

try {
  for (let i = 0; i < 10; i++) await echo.run(echo.parse({ message: "warm-up" }), ctx);
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    const out = await echo.run(echo.parse({ message: `call ${i}` }), ctx);
    times.push(performance.now() - start);
    if (out.isError || out.content !== `Echo: call ${i}`) throw new Error(`unexpected result: ${JSON.stringify(out)}`);
  }
  console.log(`MCP echo over stdio (server-everything), ${calls} calls`);
  console.log(`  start + list tools: ${ms(startMs)}`);
  console.log(`  median: ${ms(median(times))}`);
  console.log(`  p90:    ${ms(percentile(times, 90))}`);
} finally {
  await set.close();
}
