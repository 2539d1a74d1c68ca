// One pino logger per process, on stderr, with configured secrets scrubbed from every line.
// Lines are written asynchronously: stderr on a pipe is a blocking write on Linux, and a
// busy worker must not wait on whoever reads its logs.
import { pino, type Logger, type LevelWithSilent } from "pino";
import { scrubSecrets } from "./scrub-secrets.ts";

export type { Logger };

export function createLogger(options: { level: LevelWithSilent; secrets: string[]; name?: string; destination?: NodeJS.WritableStream }): Logger {
  let destination: pino.DestinationStream | undefined = options.destination;
  if (!destination) {
    const stderr = pino.destination({ dest: 2, sync: false });
    process.once("exit", () => stderr.flushSync());
    destination = stderr;
  }
  const secrets = options.secrets;
  return pino(
    {
      level: options.level,
      ...(options.name ? { name: options.name } : {}),
      redact: { paths: ["*.token", "*.apiKey", "*.password", "headers.authorization", "*.headers.authorization"], censor: "[redacted]" },
      ...(secrets.length > 0 ? { hooks: { streamWrite: (line: string) => scrubSecrets(line, secrets) } } : {}),
    },
    destination,
  );
}
