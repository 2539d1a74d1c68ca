// A task's work on a GitHub repository, around the agent's run, for the worker and `deep-agent
// task` alike. Before: the repository is cloned on our side (shallow, one branch) and unpacked in
// the sandbox as a direct subdirectory of the workdir, on the task's branch; the agent is told
// where. After: what changed is committed in the sandbox (author: the bot; the asker in a
// trailer), handed back as a git bundle, pushed from our side, and a draft pull request is opened
// (or the conversation's one updated). GITHUB_TOKEN never enters the sandbox: the sandbox gets
// an archive and gives a bundle; git with the token runs only in our own temporary directories.
import type { Sandbox } from "../sandbox/port.ts";
import { CodedError, failureOf } from "../shared/errors.ts";
import { formatRepo, type RepoName } from "../shared/repo-ref.ts";
import type { PullRequestRef, RepositoryReport } from "../shared/repository-report.ts";
import type { RepositoryService } from "./github-access.ts";
import { commitMessage, pullRequestBody, pullRequestTitle, type PullRequestContext } from "./pull-request-text.ts";
import { commitCommand, inSandbox, MAX_DIFF_BYTES, shellQuote } from "./sandbox-git.ts";

export interface RepositoryPlan {
  repo: RepoName;
  /** deep-agent/<short id of the task that started the branch> */
  branch: string;
  /** Where this branch's work stands, when an earlier task of the conversation (or attempt) made it. */
  continued?: {
    baseBranch: string;
    startSha: string;
    pushedSha: string | null;
    pullRequest: PullRequestRef | null;
  };
  taskId: string;
}

export interface RepositoryCheckout {
  plan: RepositoryPlan;
  /** The clone, relative to the sandbox's workdir (a direct subdirectory). */
  dir: string;
  baseBranch: string;
  /** A commit GitHub has, that the work in the sandbox is measured from. */
  since: string;
  /** What this task found on the branch: its newest pushed commit and open pull request. */
  pushedSha: string | null;
  pullRequest: PullRequestRef | null;
  /** For the agent's prompt: where the repository is and what happens to changes. */
  note: string;
}

export interface Delivery {
  report: RepositoryReport;
  /** The branch's newest commit on GitHub after this task (for the next task of the conversation). */
  pushedSha: string | null;
}

export type DeliveryContext = Omit<PullRequestContext, "taskId">;

export function taskBranch(taskId: string): string {
  return `deep-agent/${taskId.replace(/-/g, "").slice(0, 8)}`;
}

/** Clones (or finds, in a resumed sandbox) the repository. Throws CodedError: repo_unreadable, github_*… */
export async function checkOutRepository(service: RepositoryService, sandbox: Sandbox, plan: RepositoryPlan, signal?: AbortSignal): Promise<RepositoryCheckout> {
  const { github } = service;
  const name = formatRepo(plan.repo);
  const remoteUrl = `${github.gitUrl}/${name}.git`;
  const short = plan.taskId.replace(/-/g, "").slice(0, 8);
  const preferred = /^[A-Za-z0-9_]/.test(plan.repo.name) ? plan.repo.name : `repo-${plan.repo.name}`;
  const continued = plan.continued;

  const found = await probe(sandbox, preferred, signal);
  if (found && found.url === remoteUrl && continued) {
    // A resumed sandbox of the conversation: the clone, and any unpushed work, are still there.
    return checkout(plan, preferred, continued.baseBranch, continued.pushedSha ?? continued.startSha, continued);
  }
  const dir = found ? `${preferred}-${short}` : preferred;
  const info = continued ? null : await github.repository(plan.repo, signal);
  const baseBranch = continued?.baseBranch ?? info!.defaultBranch;
  // A follow-up starts from the branch as GitHub has it; if it was never pushed, from the base again.
  let cloned = continued ? await github.cloneArchive(plan.repo, plan.branch, service.identity, signal) : null;
  const onBranch = cloned !== null;
  cloned ??= await github.cloneArchive(plan.repo, baseBranch, service.identity, signal);
  if (!cloned) throw new CodedError("repo_unreadable", `${name} has no branch ${baseBranch} to start from`);
  const archive = `.deep-agent-clone-${short}.tar`;
  await sandbox.writeFile(archive, cloned.archive);
  await inSandbox(
    sandbox,
    `unpacking the clone of ${name}`,
    `mkdir -p -- ${shellQuote(dir)} && tar -xf ${shellQuote(archive)} -C ${shellQuote(dir)}; status=$?; rm -f -- ${shellQuote(archive)}; exit $status`,
    { ...(signal ? { signal } : {}) },
  );
  if (!onBranch) await inSandbox(sandbox, "creating the task's branch", `git checkout --quiet -B ${shellQuote(plan.branch)}`, { cwd: dir, ...(signal ? { signal } : {}) });
  return checkout(plan, dir, baseBranch, cloned.sha, continued && onBranch ? continued : undefined, onBranch ? cloned.sha : null);
}

function checkout(plan: RepositoryPlan, dir: string, baseBranch: string, since: string, continued?: RepositoryPlan["continued"], pushedOverride?: string | null): RepositoryCheckout {
  const pushedSha = pushedOverride !== undefined ? pushedOverride : (continued?.pushedSha ?? null);
  const pullRequest = continued?.pullRequest ?? null;
  const name = formatRepo(plan.repo);
  const after = pullRequest
    ? `pushes it to that branch, which updates this conversation's draft pull request #${pullRequest.number}`
    : "pushes it to that branch and opens a draft pull request";
  const note = [
    `The GitHub repository ${name} is checked out in \`${dir}/\` (relative to the working directory), on branch \`${plan.branch}\`, made from \`${baseBranch}\`. Make the changes the task asks for there.`,
    `When you finish, deep-agent commits whatever you changed in \`${dir}/\` and ${after}. The sandbox has no GitHub credentials, so do not try to push, fetch or open pull requests yourself; commit only if you want several commits.`,
    "End your answer with a summary for the pull request: its first line is the title (under 72 characters), then what changed and how you checked it.",
  ].join(" ");
  return { plan, dir, baseBranch, since, pushedSha, pullRequest, note };
}

/** Whether the workdir already holds a clone at `dir`: its origin URL, or null. */
async function probe(sandbox: Sandbox, dir: string, signal?: AbortSignal): Promise<{ url: string } | null> {
  const result = await inSandbox(sandbox, "looking for an earlier clone", `if [ -d ${shellQuote(dir)}/.git ]; then git -C ${shellQuote(dir)} config --get remote.origin.url; else echo; fi`, {
    allowFailure: true,
    ...(signal ? { signal } : {}),
  });
  const url = result.stdout.trim();
  return result.exitCode === 0 && url ? { url } : result.exitCode === 0 ? null : { url: "" };
}

/** Commits, pushes and opens (or updates) the draft pull request. Never throws: a failure is in the report. */
export async function deliverRepository(service: RepositoryService, sandbox: Sandbox, co: RepositoryCheckout, context: DeliveryContext, signal?: AbortSignal): Promise<Delivery> {
  const { github, scrubber } = service;
  const { plan, dir } = co;
  const repo = formatRepo(plan.repo);
  const short = plan.taskId.replace(/-/g, "").slice(0, 8);
  const ctx: PullRequestContext = { ...context, taskId: plan.taskId, result: scrubber.scrub(context.result), taskText: scrubber.scrub(context.taskText) };
  const base = { repo, branch: plan.branch };
  const opt = signal ? { signal } : {};
  let head = co.since;
  let commits = 0;
  try {
    const messageFile = `.deep-agent-commit-${short}.txt`;
    await sandbox.writeFile(messageFile, commitMessage(ctx));
    await inSandbox(
      sandbox,
      "committing the changes",
      `git add -A && { git diff --cached --quiet || ${commitCommand(service.identity, `../${messageFile}`)}; }; status=$?; rm -f -- ../${shellQuote(messageFile)}; exit $status`,
      { cwd: dir, ...opt },
    );
    head = (await inSandbox(sandbox, "reading the branch's head", "git rev-parse --verify HEAD", { cwd: dir, ...opt })).stdout.trim();
    if (head !== co.since) {
      const counted = await inSandbox(sandbox, "counting the new commits", `git rev-list --count HEAD --not ${shellQuote(co.since)}`, { cwd: dir, ...opt });
      commits = Number.parseInt(counted.stdout.trim(), 10) || 0;
    }
  } catch (error) {
    return { report: { ...base, outcome: "failed", failure: failureOf(error) }, pushedSha: co.pushedSha };
  }

  let pushedSha = co.pushedSha;
  if (commits > 0) {
    try {
      const bundleFile = `.deep-agent-push-${short}.bundle`;
      await inSandbox(sandbox, "bundling the commits", `git bundle create --quiet ../${shellQuote(bundleFile)} HEAD --not ${shellQuote(co.since)}`, { cwd: dir, ...opt });
      const bundle = await sandbox.readFile(bundleFile, opt);
      await inSandbox(sandbox, "removing the bundle", `rm -f -- ${shellQuote(bundleFile)}`, { allowFailure: true, ...opt });
      await github.pushBundle(plan.repo, bundle, co.since, plan.branch, signal);
      pushedSha = head;
    } catch (error) {
      const diff = await diffOf(sandbox, dir, co.since, signal);
      return { report: { ...base, outcome: "failed", failure: failureOf(error), ...(diff ? { diff: scrubber.scrub(diff) } : {}) }, pushedSha };
    }
  }
  // Nothing new and nothing on GitHub yet: no pull request.
  if (!pushedSha) return { report: { ...base, outcome: "unchanged" }, pushedSha };
  try {
    const open = await github.openPullFor(plan.repo, plan.branch, signal);
    if (open) return { report: { ...base, outcome: commits > 0 ? "updated" : "unchanged", pullRequest: open, commits }, pushedSha };
    // The conversation's pull request was closed or merged, and nothing new came: nothing to open.
    if (commits === 0 && co.pullRequest) return { report: { ...base, outcome: "unchanged" }, pushedSha };
    const pullRequest = await github.createDraftPull(
      plan.repo,
      { branch: plan.branch, base: co.baseBranch, title: scrubber.scrub(pullRequestTitle(ctx)), body: scrubber.scrub(pullRequestBody(ctx)) },
      signal,
    );
    return { report: { ...base, outcome: "opened", pullRequest, commits }, pushedSha };
  } catch (error) {
    return { report: { ...base, outcome: "failed", failure: failureOf(error), commits }, pushedSha };
  }
}

async function diffOf(sandbox: Sandbox, dir: string, since: string, signal?: AbortSignal): Promise<string | null> {
  const result = await inSandbox(sandbox, "reading the diff", `git diff --no-color --no-ext-diff ${shellQuote(since)} HEAD`, {
    cwd: dir,
    allowFailure: true,
    maxOutputBytes: MAX_DIFF_BYTES,
    ...(signal ? { signal } : {}),
  }).catch(() => null);
  if (result?.exitCode !== 0) return null;
  return result.droppedBytes > 0 ? `${result.stdout}\n… (${result.droppedBytes} more bytes of diff not kept)\n` : result.stdout;
}
