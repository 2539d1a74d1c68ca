// What became of a task's work on a GitHub repository, as every surface shows it: the Slack
// thread (a button to the pull request), the command line (`pull_request` in --json), the record.
import type { Failure } from "./errors.ts";

export interface PullRequestRef {
  url: string;
  number: number;
}

export interface RepositoryReport {
  /** owner/name */
  repo: string;
  branch: string;
  /**
   * opened: a draft pull request was opened; updated: new commits went to the branch of an open
   * one; unchanged: nothing changed, nothing pushed; failed: the work could not be delivered.
   */
  outcome: "opened" | "updated" | "unchanged" | "failed";
  pullRequest?: PullRequestRef;
  /** Commits pushed by this task. */
  commits?: number;
  /** Why delivery failed (outcome "failed"). */
  failure?: Failure;
  /** The undelivered change as a diff, so nothing is lost (outcome "failed"; cut when huge). */
  diff?: string;
}
