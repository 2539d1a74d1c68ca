// GitHub for repository work, as one object: the REST API (Octokit) and git over HTTPS, both
// with GITHUB_TOKEN, both run from this process. The sandbox never talks to GitHub with it.
import { CodedError } from "../shared/errors.ts";
import type { Logger } from "../shared/log.ts";
import type { RepoName } from "../shared/repo-ref.ts";
import type { PullRequestRef } from "../shared/repository-report.ts";
import { createGitHubApi, type DraftPullRequest, type RepositoryInfo } from "./github-api.ts";
import { createGitRemote, type ClonedArchive, type CloneIdentity } from "./git-remote.ts";

export type { ClonedArchive, CloneIdentity, DraftPullRequest, RepositoryInfo };

export interface GitHubOptions {
  gitUrl: string;
  apiUrl: string;
  token?: string;
  logger: Logger;
  /** Per git command; default 10 minutes. */
  gitTimeoutMs?: number;
}

export interface GitHub {
  /** The web and git base (GITHUB_URL). */
  readonly gitUrl: string;
  /** Throws github_auth (no token), repo_unreadable, github_rate_limited, github_unavailable. */
  repository(repo: RepoName, signal?: AbortSignal): Promise<RepositoryInfo>;
  /** A shallow clone of one branch as a tar archive; null when the branch does not exist. */
  cloneArchive(repo: RepoName, branch: string, identity: CloneIdentity, signal?: AbortSignal): Promise<ClonedArchive | null>;
  /** Pushes HEAD of a bundle made against `base` to `branch` (never forced). */
  pushBundle(repo: RepoName, bundle: Uint8Array, base: string, branch: string, signal?: AbortSignal): Promise<void>;
  openPullFor(repo: RepoName, branch: string, signal?: AbortSignal): Promise<PullRequestRef | null>;
  createDraftPull(repo: RepoName, pull: DraftPullRequest, signal?: AbortSignal): Promise<PullRequestRef>;
}

export function createGitHub(options: GitHubOptions): GitHub {
  const api = createGitHubApi({ apiUrl: options.apiUrl, logger: options.logger, ...(options.token ? { token: options.token } : {}) });
  const git = createGitRemote({ gitUrl: options.gitUrl, ...(options.token ? { token: options.token } : {}), ...(options.gitTimeoutMs ? { timeoutMs: options.gitTimeoutMs } : {}) });
  const needsToken =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (!options.token) {
        throw new CodedError("github_auth", "GITHUB_TOKEN is not set; working on repositories needs a token with contents:write and pull_requests:write");
      }
      return fn(...args);
    };
  return {
    gitUrl: options.gitUrl,
    repository: needsToken(api.repository),
    cloneArchive: needsToken(git.cloneArchive),
    pushBundle: needsToken(git.pushBundle),
    openPullFor: needsToken(api.openPullFor),
    createDraftPull: needsToken(api.createDraftPull),
  };
}
