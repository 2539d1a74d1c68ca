// The one scrubber: every configured secret (and its URL- and JSON-encoded forms) replaced by "[secret]" in
// whatever leaves the process — log lines, Slack payloads, the terminal, stored transcripts.

export interface Scrubber {
  /** The text with every secret replaced. */
  scrub(text: string): string;
  /** Strings anywhere in a plain JSON-like value scrubbed; binary data and other objects pass as they are. */
  scrubDeep<T>(value: T): T;
  /** Whether any secret occurs in the bytes (binary files are dropped rather than altered). */
  foundIn(bytes: Uint8Array): boolean;
}

const SECRET_MARK = "[secret]";

export function createScrubber(secrets: readonly string[]): Scrubber {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 6) continue;
    forms.add(secret);
    // As it appears in a URL, and inside a JSON string (a log line).
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so a secret that contains another is replaced whole.
  const sorted = [...forms].sort((a, b) => b.length - a.length);
  const pattern = sorted.length > 0 ? new RegExp(sorted.map(escapeRegExp).join("|"), "g") : null;
  const buffers = sorted.map((s) => Buffer.from(s, "utf8"));
  const scrub = (text: string): string => (pattern && text.length >= 6 ? text.replace(pattern, SECRET_MARK) : text);
  const scrubDeep = (value: unknown): unknown => {
    if (typeof value === "string") return scrub(value);
    if (Array.isArray(value)) return value.map(scrubDeep);
    if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v)]));
    }
    return value;
  };
  return {
    scrub,
    scrubDeep: <T>(value: T) => (pattern ? (scrubDeep(value) as T) : value),
    foundIn: (bytes) => buffers.some((b) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(b)),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
