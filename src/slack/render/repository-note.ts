// What a task did on its GitHub repository, as the thread shows it under the answer: the draft
// pull request as a button, new commits pushed to it, nothing changed, or the work kept when it
// could not be delivered (the cause is the result's headline).
import type { types } from "@slack/bolt";
import type { RepositoryReport } from "../../shared/repository-report.ts";

const OPEN_PULL_REQUEST_ACTION_ID = "deep_agent_open_pull_request";

export interface RepositoryNote {
  text: string;
  blocks: types.KnownBlock[];
}

export function repositoryNote(report: RepositoryReport): RepositoryNote {
  const repo = `\`${report.repo}\``;
  const pr = report.pullRequest;
  const link = pr ? `<${pr.url}|#${pr.number}>` : "";
  const commits = report.commits ?? 0;
  const pushed = `${commits} new commit${commits === 1 ? "" : "s"}`;
  let text: string;
  switch (report.outcome) {
    case "opened":
      text = `📬 Opened draft pull request ${link} in ${repo} from branch \`${report.branch}\`.`;
      break;
    case "updated":
      text = `📬 Pushed ${pushed} to branch \`${report.branch}\`: draft pull request ${link} in ${repo} is updated.`;
      break;
    case "unchanged":
      text = pr ? `No new changes in ${repo}; pull request ${link} is as it was.` : `No files changed in ${repo}, so no pull request was opened.`;
      break;
    case "failed":
      text = `⚠️ The changes did not reach ${repo}${pr ? ` (pull request ${link})` : ""}. They are kept in the sandbox${report.diff ? " and attached as a diff" : ""}; reply in this thread to try again.`;
      break;
  }
  const blocks: types.KnownBlock[] = [{ type: "section", text: { type: "mrkdwn", text } }];
  if (pr) {
    blocks.push({
      type: "actions",
      elements: [{ type: "button", action_id: OPEN_PULL_REQUEST_ACTION_ID, text: { type: "plain_text", text: `Open pull request #${pr.number}` }, url: pr.url }],
    });
  }
  return { text: text.replace(/<([^|>]+)\|([^>]+)>/g, "$2 ($1)"), blocks };
}

/** The undelivered change, attached so nothing is lost. */
export function diffFileName(report: RepositoryReport, taskId: string): string {
  return `changes-${report.repo.replace(/[^\w.-]+/g, "-")}-${taskId.slice(0, 8)}.diff`;
}
