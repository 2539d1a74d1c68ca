// e2b SDK errors turned into CodedErrors a user (or the model) can act on.
import { AuthenticationError, FileNotFoundError, InvalidArgumentError, NotFoundError, SandboxNotFoundError, TemplateError, TimeoutError } from "e2b";
import { CodedError } from "../../shared/errors.ts";

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** The sandbox itself is gone: killed, expired, or paused by someone else. */
export function isSandboxGone(error: unknown): boolean {
  if (error instanceof SandboxNotFoundError) return true;
  return error instanceof TimeoutError && /sandbox timeout|end of life|not running anymore/i.test(error.message);
}

function goneError(sandboxId: string, cause: unknown): CodedError {
  return new CodedError("sandbox_closed", `The E2B sandbox ${sandboxId} is no longer running (it reached its time limit or was killed); its files are gone.`, { cause });
}

/** A failed file operation on `path`. */
export function fileError(error: unknown, path: string, sandboxId: string): CodedError {
  if (error instanceof CodedError) return error;
  if (isSandboxGone(error)) return goneError(sandboxId, error);
  const message = messageOf(error);
  if (error instanceof FileNotFoundError || (error instanceof NotFoundError && !(error instanceof SandboxNotFoundError))) {
    return new CodedError("file_not_found", `${path} does not exist`, { cause: error });
  }
  if (/is a directory/i.test(message)) return new CodedError("is_directory", `${path} is a directory`, { cause: error });
  if (/not a directory/i.test(message)) {
    return new CodedError("not_directory", `${path} is not a directory (or a parent of it is a file)`, { cause: error });
  }
  return new CodedError("file_io", `E2B file operation on ${path} failed: ${message}`, { cause: error });
}

/** A failed command start or wait that is not the command's own exit status. */
export function commandError(error: unknown, cwd: string, sandboxId: string): CodedError {
  if (error instanceof CodedError) return error;
  if (isSandboxGone(error)) return goneError(sandboxId, error);
  const message = messageOf(error);
  if (error instanceof InvalidArgumentError && /cwd .* does not exist/.test(message)) {
    return new CodedError("file_not_found", `the working directory ${cwd} does not exist`, { cause: error });
  }
  return new CodedError("file_io", `E2B could not run the command: ${message}`, { cause: error });
}

export interface StartFailure {
  retry: boolean;
  message: string;
}

/** Why a sandbox did not start, and whether trying again could help. */
export function startFailure(error: unknown, template: string | undefined): StartFailure {
  const message = messageOf(error);
  if (error instanceof AuthenticationError) {
    if (/API key is required/i.test(message)) {
      return { retry: false, message: "E2B_API_KEY is not set; put your E2B API key in the environment (or use SANDBOX_PROVIDER=local)" };
    }
    return { retry: false, message: `E2B rejected the API key: E2B_API_KEY is wrong, expired or revoked (${message})` };
  }
  if (error instanceof TemplateError || error instanceof InvalidArgumentError) return { retry: false, message };
  if (error instanceof Error && error.name === "AbortError") return { retry: false, message: "sandbox creation was cancelled" };
  const status = statusOf(error);
  if (status === 404 || (status === 400 && /template/i.test(message))) {
    return {
      retry: false,
      message: `E2B template ${template ? `"${template}"` : "(default)"} was not found; check E2B_TEMPLATE (${message})`,
    };
  }
  if (/MCP gateway/i.test(message)) return { retry: false, message: `E2B's MCP gateway did not start: ${message}` };
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return { retry: false, message: `E2B refused to create the sandbox: ${message}` };
  }
  return { retry: true, message: `E2B could not start a sandbox: ${message}` };
}
