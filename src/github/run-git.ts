// Runs `git` on this machine for the network half of repository work (clone, fetch, push), in a
// directory of ours that no task has touched. The environment is built, not inherited: no global
// or system git configuration, no prompts, no credential helpers — and the credential, when one
// is needed, only in this one process's environment (see credentials.ts), never in its arguments.
import { spawn } from "node:child_process";
import os from "node:os";

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunGitOptions {
  cwd: string;
  /** Extra environment for this one command (the credential). */
  env?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Output kept per stream; git's own messages are short, pack data never comes through here. */
const MAX_OUTPUT_CHARS = 64 * 1024;
const FALLBACK_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export function runGit(args: string[], options: RunGitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {
      PATH: process.env["PATH"] || FALLBACK_PATH,
      HOME: os.tmpdir(),
      LANG: "C",
      LC_ALL: "C",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_TERMINAL_PROMPT: "0",
      GIT_ASKPASS: "/bin/false",
      SSH_ASKPASS: "/bin/false",
      ...options.env,
    };
    // Hooks never run in our directories, and nothing asks for credentials another way.
    const child = spawn("git", ["-c", "core.hooksPath=/dev/null", "-c", "credential.helper=", ...args], {
      cwd: options.cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      signal: options.signal,
      timeout: options.timeoutMs,
      killSignal: "SIGKILL",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      if (stdout.length < MAX_OUTPUT_CHARS) stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      if (stderr.length < MAX_OUTPUT_CHARS) stderr += d;
    });
    child.on("error", (error) => {
      // A cancel kills git and ends in "close" like any other stop; anything else (no git at all) is a real error.
      if (error.name !== "AbortError") reject(error);
    });
    child.on("close", (code, signal) => {
      const killed = signal ? `\n(git was stopped by ${signal}${options.signal?.aborted ? ": cancelled" : ": it ran out of time"})` : "";
      resolve({ code: code ?? 128, stdout, stderr: stderr + killed });
    });
  });
}
