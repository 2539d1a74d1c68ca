// What a failed git command against GitHub means, from what git printed. Git's wording is stable
// across versions for these cases, and GitHub's own messages (GH006…) come through as "remote:".
import { CodedError } from "../shared/errors.ts";

/** The lines worth showing of git's output: the remote's and git's own errors, at most a few. */
export function gitMessage(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^(remote:|fatal:|error:|!|\(git was)/.test(l) && !/^remote:\s*$/.test(l));
  return (lines.length > 0 ? lines : stderr.trim().split("\n").slice(-3)).slice(0, 6).join(" ").slice(0, 600);
}

const NETWORK =
  /could not resolve host|failed to connect|connection (?:refused|timed out|reset)|operation timed out|ran out of time|returned error: 5\d\d|unable to access[^\n]*: (?:recv|send|ssl|gnutls)|early eof|the remote end hung up unexpectedly/i;

export function cloneError(stderr: string, repo: string): CodedError {
  const said = gitMessage(stderr);
  if (/returned error: 40[13]|authentication failed|could not read username|invalid username or (?:password|token)/i.test(stderr)) {
    return new CodedError("repo_unreadable", `GitHub refused to let deep-agent read ${repo} (${said}); check that GITHUB_TOKEN can read it (contents:read)`);
  }
  if (/repository not found|returned error: 404|not found/i.test(stderr)) {
    return new CodedError("repo_unreadable", `${repo} does not exist or GITHUB_TOKEN cannot read it (${said})`);
  }
  if (NETWORK.test(stderr)) return new CodedError("github_unavailable", `could not reach GitHub to clone ${repo} (${said})`);
  return new CodedError("github_unavailable", `cloning ${repo} failed (${said})`, { transient: false });
}

export function pushError(stderr: string, repo: string, branch: string): CodedError {
  const said = gitMessage(stderr);
  if (/GH006|protected branch/i.test(stderr)) {
    return new CodedError("branch_protected", `GitHub refused the push to ${branch} of ${repo}: the branch is protected (${said})`);
  }
  if (/\[rejected\]|non-fast-forward|fetch first|stale info/i.test(stderr)) {
    return new CodedError("push_rejected", `GitHub refused the push to ${branch} of ${repo}: the branch changed there since this task's work began (${said})`);
  }
  if (/returned error: 40[13]|permission to .* denied|write access to repository not granted|authentication failed/i.test(stderr)) {
    return new CodedError("push_rejected", `GitHub refused the push to ${repo}: GITHUB_TOKEN may not write to it; it needs contents:write (${said})`);
  }
  if (NETWORK.test(stderr)) return new CodedError("github_unavailable", `could not reach GitHub to push to ${repo} (${said})`);
  return new CodedError("push_rejected", `GitHub refused the push to ${branch} of ${repo} (${said})`);
}
