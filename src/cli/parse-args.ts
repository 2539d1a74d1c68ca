// Strict argument parsing: an unknown flag or a missing value is a UsageError, not a guess.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { usageError } from "./usage-error.ts";

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig["options"]>>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, "") : String(error);
    throw usageError(`${command}: ${message}; run \`deep-agent help\` for usage`, { cause: error });
  }
}
