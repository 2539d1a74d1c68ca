// GitHub's REST API through Octokit: the repository (can the token read it, its default branch)
// and the draft pull request of a task's branch. Errors become CodedErrors (api-errors.ts).
import type { Octokit } from "@octokit/rest";
import { CodedError } from "../shared/errors.ts";
import type { Logger } from "../shared/log.ts";
import { formatRepo, type RepoName } from "../shared/repo-ref.ts";
import type { PullRequestRef } from "../shared/repository-report.ts";
import { apiError } from "./api-errors.ts";

export interface RepositoryInfo {
  defaultBranch: string;
  private: boolean;
}

export interface DraftPullRequest {
  branch: string;
  base: string;
  title: string;
  body: string;
}

const CALL_TIMEOUT_MS = 30_000;

export function createGitHubApi(options: { apiUrl: string; token?: string; logger: Logger }) {
  const log = options.logger;
  // Loaded on first use: most processes (and tasks) never talk to GitHub.
  let client: Promise<Octokit> | undefined;
  const octokit = () =>
    (client ??= import("@octokit/rest").then(
      ({ Octokit }) =>
        new Octokit({
          baseUrl: options.apiUrl,
          userAgent: "deep-agent",
          ...(options.token ? { auth: options.token } : {}),
          log: { debug: () => {}, info: () => {}, warn: (message: string) => log.warn({ github: message }, "GitHub API"), error: () => {} },
        }),
    ));
  const request = (signal: AbortSignal | undefined) => ({
    request: { signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(CALL_TIMEOUT_MS)]) : AbortSignal.timeout(CALL_TIMEOUT_MS) },
  });
  const unreadable = (repo: RepoName) => () => new CodedError("repo_unreadable", `${formatRepo(repo)} does not exist or GITHUB_TOKEN cannot read it`);

  return {
    /** Throws repo_unreadable when the token cannot see it (GitHub answers 404 or 403 alike). */
    async repository(repo: RepoName, signal?: AbortSignal): Promise<RepositoryInfo> {
      try {
        const { data } = await (await octokit()).rest.repos.get({ owner: repo.owner, repo: repo.name, ...request(signal) });
        return { defaultBranch: data.default_branch, private: data.private };
      } catch (error) {
        throw apiError(error, `looking up ${formatRepo(repo)}`, unreadable(repo));
      }
    },

    /** The open pull request whose head is `branch`, if any. */
    async openPullFor(repo: RepoName, branch: string, signal?: AbortSignal): Promise<PullRequestRef | null> {
      try {
        const { data } = await (await octokit()).rest.pulls.list({ owner: repo.owner, repo: repo.name, head: `${repo.owner}:${branch}`, state: "open", per_page: 5, ...request(signal) });
        const pull = data.find((p) => p.head.ref === branch);
        return pull ? { url: pull.html_url, number: pull.number } : null;
      } catch (error) {
        throw apiError(error, `looking for the pull request of ${branch} in ${formatRepo(repo)}`, unreadable(repo));
      }
    },

    async createDraftPull(repo: RepoName, pull: DraftPullRequest, signal?: AbortSignal): Promise<PullRequestRef> {
      try {
        const { data } = await (await octokit()).rest.pulls.create({
          owner: repo.owner,
          repo: repo.name,
          head: pull.branch,
          base: pull.base,
          title: pull.title,
          body: pull.body,
          draft: true,
          ...request(signal),
        });
        return { url: data.html_url, number: data.number };
      } catch (error) {
        throw apiError(
          error,
          `opening a draft pull request from ${pull.branch} in ${formatRepo(repo)}`,
          () => new CodedError("pull_request_failed", `GitHub refused to open a pull request in ${formatRepo(repo)}: GITHUB_TOKEN needs pull_requests:write`),
        );
      }
    },
  };
}
