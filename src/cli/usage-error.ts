// Bad input on the command line: printed as one line, exit code 2, nothing changed.
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UsageError";
  }
}

export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;
