// One pino logger per process, on stderr, with configured secrets scrubbed from every line.
import { pino, type Logger, type LevelWithSilent } from "pino";
import { Writable } from "node:stream";
import { scrubSecrets } from "./scrub-secrets.ts";

export type { Logger };

export function createLogger(options: { level: LevelWithSilent; secrets: string[]; name?: string; destination?: NodeJS.WritableStream }): Logger {
  const out = options.destination ?? process.stderr;
  const stream =
    options.secrets.length === 0
      ? out
      : new Writable({
          write(chunk: Buffer, _encoding, callback) {
            out.write(scrubSecrets(chunk.toString("utf8"), options.secrets));
            callback();
          },
        });
  return pino(
    {
      level: options.level,
      ...(options.name ? { name: options.name } : {}),
      redact: { paths: ["*.token", "*.apiKey", "*.password", "headers.authorization", "*.headers.authorization"], censor: "[redacted]" },
    },
    stream,
  );
}
