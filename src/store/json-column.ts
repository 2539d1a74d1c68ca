// A jsonb column as it comes back: parsed by pg, a string from PGlite's wire client.
export function jsonColumn<T>(value: unknown, fallback: T): T {
  if (value == null) return fallback;
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}
