// jsonb columns: values written as JSON text (NUL-free: Postgres refuses \u0000 in jsonb, in a
// value or a key), and read back parsed by pg or as a string from PGlite's wire client.
import { NUL_SYMBOL } from "../shared/visible-text.ts";

export function jsonParam(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "string") return v.includes("\0") ? v.replaceAll("\0", NUL_SYMBOL) : v;
    if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).some((k) => k.includes("\0"))) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replaceAll("\0", NUL_SYMBOL), x]));
    }
    return v;
  });
}

export function jsonColumn<T>(value: unknown, fallback: T): T {
  if (value == null) return fallback;
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}
