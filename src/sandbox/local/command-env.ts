// The environment a command gets: built from an allowlist, never copied from ours,
// so our own secrets (ANTHROPIC_API_KEY, SLACK_*, E2B_*, GITHUB_TOKEN, DATABASE_URL…)
// cannot reach a command the model wrote.
import os from "node:os";

const FALLBACK_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export function commandEnvironment(options: { workdir: string; tmpdir: string }): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env["PATH"] || FALLBACK_PATH,
    HOME: options.workdir,
    TMPDIR: options.tmpdir,
    LANG: process.env["LANG"] || "C.UTF-8",
    TERM: "dumb",
    SHELL: "/bin/bash",
    USER: safeUserName(),
    // Nobody is at a terminal: tools must neither page nor prompt nor colour.
    NO_COLOR: "1",
    PAGER: "cat",
    GIT_PAGER: "cat",
    GIT_TERMINAL_PROMPT: "0",
    DEBIAN_FRONTEND: "noninteractive",
  };
  env["LOGNAME"] = env["USER"]!;
  for (const name of ["LC_ALL", "LC_CTYPE", "TZ"]) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  return env;
}

let userName: string | undefined;

/** Ours, looked up once: it reads the user database, and it cannot change while we run. */
function safeUserName(): string {
  if (userName === undefined) {
    try {
      userName = os.userInfo().username;
    } catch {
      userName = "sandbox";
    }
  }
  return userName;
}
