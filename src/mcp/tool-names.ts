// Names the model sees for MCP tools: `mcp__<server>__<tool>`, fitted to the Messages API's
// rule ^[a-zA-Z0-9_-]{1,64}$ and kept unique across every server of the task.
import { createHash } from "node:crypto";

const MAX_TOOL_NAME_LENGTH = 64;

/** The server name used for gateway tools that carry no server prefix of their own. */
export const GATEWAY_SERVER_NAME = "gateway";

/**
 * Which server a gateway tool belongs to. E2B's gateway is Docker's MCP gateway, which
 * names an aggregated server's tools `<prefix>__<tool>` when it prefixes them and leaves
 * them bare otherwise.
 */
export function splitGatewayToolName(name: string): { server: string; tool: string } {
  const at = name.indexOf("__");
  if (at > 0 && at + 2 < name.length) {
    const prefix = name.slice(0, at);
    if (/^[a-zA-Z0-9-]+(?:_[a-zA-Z0-9-]+)*$/.test(prefix)) return { server: prefix, tool: name.slice(at + 2) };
  }
  return { server: GATEWAY_SERVER_NAME, tool: name };
}

/** `mcp__<server>__<tool>` with disallowed characters replaced and long names shortened. */
export function mcpToolName(server: string, tool: string): string {
  const raw = `mcp__${server}__${tool}`;
  const safe = raw.replace(/[^a-zA-Z0-9_-]/g, "_");
  if (safe.length <= MAX_TOOL_NAME_LENGTH) return safe;
  // A short hash of the full name keeps two long names that share a beginning apart.
  const hash = createHash("sha256").update(raw).digest("hex").slice(0, 6);
  return `${safe.slice(0, MAX_TOOL_NAME_LENGTH - 7)}_${hash}`;
}

/** Hands out names, adding `_2`, `_3`… when one is already taken. */
export class ToolNameRegistry {
  readonly #taken = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.#taken.add(name);
  }

  claim(server: string, tool: string): string {
    const base = mcpToolName(server, tool);
    let name = base;
    for (let n = 2; this.#taken.has(name); n++) {
      const suffix = `_${n}`;
      name = `${base.slice(0, MAX_TOOL_NAME_LENGTH - suffix.length)}${suffix}`;
    }
    this.#taken.add(name);
    return name;
  }
}
