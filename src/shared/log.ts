// One pino logger per process, on stderr, with configured secrets scrubbed from every line.
// Lines are written asynchronously: stderr on a pipe is a blocking write on Linux, and a
// busy worker must not wait on whoever reads its logs.
import { pino, type Logger, type LevelWithSilent } from "pino";
import { createScrubber } from "./scrub-secrets.ts";

export type { Logger };

export interface LoggerOptions {
  level: LevelWithSilent;
  secrets: string[];
  name?: string;
  destination?: NodeJS.WritableStream;
  /** "line": one readable line per entry, for a person at a terminal (task, chat); default JSON. */
  format?: "json" | "line";
}

export function createLogger(options: LoggerOptions): Logger {
  let destination: pino.DestinationStream | undefined = options.destination;
  if (!destination) {
    const stderr = pino.destination({ dest: 2, sync: false });
    process.once("exit", () => stderr.flushSync());
    destination = stderr;
  }
  const scrubber = createScrubber(options.secrets);
  return pino(
    {
      level: options.level,
      ...(options.name ? { name: options.name } : {}),
      redact: { paths: ["*.token", "*.apiKey", "*.password", "headers.authorization", "*.headers.authorization"], censor: "[redacted]" },
      hooks: {
        streamWrite: (line: string) => scrubber.scrub(options.format === "line" ? readableLine(line) : line),
      },
    },
    destination,
  );
}

const LEVEL_NAMES: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warning", 50: "error", 60: "fatal" };
const HIDDEN = new Set(["level", "time", "pid", "hostname", "msg", "name"]);

/** `warning: message (key=value …)` from a pino JSON line. */
function readableLine(json: string): string {
  try {
    const entry = JSON.parse(json) as Record<string, unknown>;
    const extra = Object.entries(entry)
      .filter(([k]) => !HIDDEN.has(k))
      .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
    const level = LEVEL_NAMES[Number(entry["level"])] ?? "log";
    return `deep-agent ${level}: ${String(entry["msg"] ?? "")}${extra.length ? ` (${extra.join(", ")})` : ""}\n`;
  } catch {
    return json;
  }
}
