// Git commands the worker runs inside a task's sandbox, through the sandbox port, on the task's
// own clone. None of them needs a credential or the network: the clone arrives as an archive and
// the commits leave as a bundle (github/git-remote.ts does the network half on our side).
import { shellQuote } from "../agent/shell-quote.ts";
import type { ExecResult, Sandbox } from "../sandbox/port.ts";
import { CodedError } from "../shared/errors.ts";

const STEP_TIMEOUT_MS = 5 * 60_000;
/** The diff kept when delivery fails: enough to redo the work by hand, bounded. */
export const MAX_DIFF_BYTES = 1024 * 1024;

export { shellQuote };

/** Runs one step; a non-zero exit is an error naming the step, unless `allowFailure`. */
export async function inSandbox(
  sandbox: Sandbox,
  what: string,
  command: string,
  options: { cwd?: string; signal?: AbortSignal; allowFailure?: boolean; maxOutputBytes?: number } = {},
): Promise<ExecResult> {
  const result = await sandbox.exec(command, {
    timeoutMs: STEP_TIMEOUT_MS,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    maxOutputBytes: options.maxOutputBytes ?? 64 * 1024,
  });
  if (result.exitCode !== 0 && !options.allowFailure) {
    const said = (result.stderr || result.stdout).trim().split("\n").slice(-3).join(" ").slice(0, 400);
    throw new CodedError("sandbox_unavailable", `${what} failed in the sandbox (exit ${result.exitCode}${result.timedOut ? ", timed out" : ""}): ${said}`, {
      transient: false,
    });
  }
  return result;
}

/** The git options every worker-run commit uses: the bot as author, none of the clone's hooks or signing. */
export function commitCommand(identity: { name: string; email: string }, messageFile: string): string {
  return [
    "git",
    "-c core.hooksPath=/dev/null",
    "-c commit.gpgSign=false",
    `-c user.name=${shellQuote(identity.name)}`,
    `-c user.email=${shellQuote(identity.email)}`,
    "commit --quiet --no-verify",
    `--file=${shellQuote(messageFile)}`,
  ].join(" ");
}
