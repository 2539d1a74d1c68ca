// Deterministic token counting and a prompt-cache simulation, so tests can check usage exactly.
// A token is 4 characters of the canonical JSON of a prompt part (one tool, one system block,
// or one message content block); cache_control never counts and never changes identity.
import { createHash, type Hash } from "node:crypto";
import { blocksOf } from "./conversation.ts";
import type { CountTokensRequest } from "./request-schema.ts";
import type { InputUsage, MessageUsage } from "./types.ts";

export function tokensForChars(chars: number): number {
  return Math.ceil(chars / 4);
}

// Parts repeat from request to request (the tools, the system prompt, earlier turns): their
// canonical JSON is looked up by their plain JSON, which the engine makes much faster.
const canonicalOfJson = new Map<string, string>();
const CANONICAL_CACHE_ENTRIES = 10_000;

/** canonicalJson of a part, remembered by its plain JSON. */
function canonicalPart(value: unknown): string {
  const plain = JSON.stringify(value);
  let canonical = canonicalOfJson.get(plain);
  if (canonical === undefined) {
    canonical = canonicalJson(value);
    if (canonicalOfJson.size >= CANONICAL_CACHE_ENTRIES) canonicalOfJson.clear();
    canonicalOfJson.set(plain, canonical);
  }
  return canonical;
}

/** JSON with sorted keys and every `cache_control` removed: the identity of a prompt part. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([key, v]) => key !== "cache_control" && v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, v]) => `${JSON.stringify(key)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Tokens of one prompt part (a tool, a system block, a content block): what tests compare with. */
export function tokensOf(part: unknown): number {
  return tokensForChars(canonicalJson(part).length);
}

type Ttl = "5m" | "1h";

export interface PromptPart {
  /** Where the part sits and what it is; equal keys in equal order mean an equal prefix. */
  key: string;
  tokens: number;
  /** Set when the part carries cache_control: the prefix through it is a cache breakpoint. */
  breakpoint?: Ttl;
}

function ttlOf(cacheControl: unknown): Ttl | undefined {
  if (cacheControl === null || typeof cacheControl !== "object") return undefined;
  return (cacheControl as { ttl?: unknown }).ttl === "1h" ? "1h" : "5m";
}

function part(where: unknown[], block: Record<string, unknown>): PromptPart {
  const breakpoint = ttlOf(block.cache_control);
  const canonical = canonicalPart(block);
  const p: PromptPart = { key: `${JSON.stringify(where)}${canonical}`, tokens: tokensForChars(canonical.length) };
  if (breakpoint) p.breakpoint = breakpoint;
  return p;
}

// One request's parts are read three times (depth check, count, cache): worked out once per body.
// Read-only to callers except the automatic breakpoint, which promptParts sets itself.
const partsOfBody = new WeakMap<CountTokensRequest, PromptPart[]>();

/** The prompt in cache order: tools, then system, then messages. */
function promptParts(body: CountTokensRequest): PromptPart[] {
  const known = partsOfBody.get(body);
  if (known) return known;
  const parts: PromptPart[] = [];
  for (const tool of body.tools ?? []) parts.push(part(["tool"], tool));
  const system = typeof body.system === "string" ? [{ type: "text", text: body.system }] : (body.system ?? []);
  for (const block of system) parts.push(part(["system"], block));
  body.messages.forEach((message, i) => {
    for (const block of blocksOf(message.content)) parts.push(part(["message", i, message.role], block));
  });
  // Top-level cache_control (automatic caching) puts the breakpoint on the last part.
  const last = parts.at(-1);
  const auto = ttlOf(body.cache_control);
  if (last && auto && !last.breakpoint) last.breakpoint = auto;
  partsOfBody.set(body, parts);
  return parts;
}

export function inputTokens(body: CountTokensRequest): number {
  return promptParts(body).reduce((sum, p) => sum + p.tokens, 0);
}

export function breakpointCount(body: CountTokensRequest): number {
  return promptParts(body).filter((p) => p.breakpoint).length;
}

// The real API also finds an entry written at an earlier block, up to 20 blocks before a
// breakpoint; that is what makes a breakpoint that moves to the newest message pay off.
const LOOKBACK_BLOCKS = 20;

export interface PromptCache {
  /** Usage for this request; `commit()` writes its breakpoints to the cache once it is served. */
  measure(body: CountTokensRequest): { usage: InputUsage; commit(): void };
  clear(): void;
}

export function createPromptCache(): PromptCache {
  const written = new Set<string>();
  return {
    clear: () => written.clear(),
    measure(body) {
      const parts = promptParts(body);
      const hashes = prefixHashes(body.model, parts);
      const cumulative: number[] = [];
      parts.reduce((sum, p, i) => (cumulative[i] = sum + p.tokens), 0);
      const tokensThrough = (i: number) => (i < 0 ? 0 : cumulative[i]!);
      const breakpoints = parts.flatMap((p, i) => (p.breakpoint ? [i] : []));

      let readEnd = -1;
      for (const b of breakpoints) {
        for (let p = b; p >= Math.max(0, b - LOOKBACK_BLOCKS + 1); p--) {
          if (written.has(hashes[p]!)) {
            readEnd = Math.max(readEnd, p);
            break;
          }
        }
      }
      const byTtl = { "5m": 0, "1h": 0 };
      let from = readEnd;
      for (const b of breakpoints) {
        if (b <= readEnd) continue;
        byTtl[parts[b]!.breakpoint!] += tokensThrough(b) - tokensThrough(from);
        from = b;
      }
      const read = tokensThrough(readEnd);
      const creation = byTtl["5m"] + byTtl["1h"];
      const usage: InputUsage = {
        input_tokens: tokensThrough(parts.length - 1) - read - creation,
        cache_creation_input_tokens: creation,
        cache_read_input_tokens: read,
        cache_creation: { ephemeral_5m_input_tokens: byTtl["5m"], ephemeral_1h_input_tokens: byTtl["1h"] },
      };
      return {
        usage,
        commit: () => {
          for (const b of breakpoints) written.add(hashes[b]!);
        },
      };
    },
  };
}

// hashes[i] identifies the prefix through part i (caches are per model, as in the real API).
function prefixHashes(model: string, parts: PromptPart[]): string[] {
  const running: Hash = createHash("sha256").update(model);
  return parts.map((p) => running.update(`\n${p.key}`).copy().digest("hex"));
}

export function sumUsage(usages: readonly MessageUsage[]): MessageUsage {
  const total: MessageUsage = {
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
  };
  for (const u of usages) {
    total.input_tokens += u.input_tokens;
    total.output_tokens += u.output_tokens;
    total.cache_creation_input_tokens += u.cache_creation_input_tokens;
    total.cache_read_input_tokens += u.cache_read_input_tokens;
    total.cache_creation.ephemeral_5m_input_tokens += u.cache_creation.ephemeral_5m_input_tokens;
    total.cache_creation.ephemeral_1h_input_tokens += u.cache_creation.ephemeral_1h_input_tokens;
  }
  return total;
}
