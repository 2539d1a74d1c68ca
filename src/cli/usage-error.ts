// Bad input on the command line: printed as one line, exit code 2, nothing changed.
import { CodedError } from "../shared/errors.ts";

export function usageError(message: string, options: { cause?: unknown } = {}): CodedError {
  return new CodedError("bad_input", message, options);
}

export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;
