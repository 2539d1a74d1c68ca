// The local socket protocol between the process owning an embedded database and the others:
// one JSON object per line. Dates, bigints and bytes survive the trip with tagged values.
import { z } from "zod";

export const requestSchema = z.discriminatedUnion("op", [
  z.object({ id: z.number(), op: z.literal("query"), sql: z.string(), params: z.array(z.unknown()).optional(), tx: z.number().optional() }),
  z.object({ id: z.number(), op: z.literal("begin") }),
  z.object({ id: z.number(), op: z.literal("commit"), tx: z.number() }),
  z.object({ id: z.number(), op: z.literal("rollback"), tx: z.number() }),
]);
export type WireRequest = z.infer<typeof requestSchema>;

export type WireResponse = { id: number; ok: true; rows?: unknown[]; tx?: number } | { id: number; ok: false; error: { message: string; code?: string } };

export function encode(value: unknown): string {
  return `${JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    if (raw instanceof Date) return { $date: raw.toISOString() };
    if (typeof raw === "bigint") return { $bigint: raw.toString() };
    if (raw instanceof Uint8Array) return { $bytes: Buffer.from(raw).toString("base64") };
    return v;
  })}\n`;
}

export function decode(line: string): unknown {
  return JSON.parse(line, (_key, v) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1) {
        if (keys[0] === "$date") return new Date(v.$date);
        if (keys[0] === "$bigint") return BigInt(v.$bigint);
        if (keys[0] === "$bytes") return new Uint8Array(Buffer.from(v.$bytes, "base64"));
      }
    }
    return v;
  });
}

/** Splits a byte stream into lines and hands each to onLine. */
export function lineReader(onLine: (line: string) => void): (chunk: Buffer) => void {
  let buffered = "";
  return (chunk) => {
    buffered += chunk.toString("utf8");
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.length > 0) onLine(line);
      newline = buffered.indexOf("\n");
    }
  };
}
