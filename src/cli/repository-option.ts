// The repository of a task started from the command line: `--repo owner/name`, else
// `repo=owner/name` in the text (`repo=none`: none). Checked before anything runs or is queued:
// a malformed name is bad input, a repository the token cannot read is refused — both exit 2.
import os from "node:os";
import type { AgentOutcome } from "../agent/run-options.ts";
import type { RepositoryService } from "../runtime/github-access.ts";
import { checkOutRepository, deliverRepository, taskBranch, type RepositoryCheckout } from "../runtime/repository-steps.ts";
import type { Sandbox } from "../sandbox/port.ts";
import { formatRepo, parseRepoName, repoInText, type RepoName } from "../shared/repo-ref.ts";
import type { RepositoryReport } from "../shared/repository-report.ts";
import { cliActor, describeActor } from "../tasks/actor.ts";
import { usageError } from "./usage-error.ts";

/** The named repository (checked readable), "none" for `repo=none`, or null when none is named. */
export async function chosenRepository(command: string, flag: string | undefined, text: string, service: RepositoryService): Promise<RepoName | "none" | null> {
  let repo: RepoName;
  if (flag !== undefined) {
    const parsed = parseRepoName(flag);
    if ("problem" in parsed) throw usageError(`${command}: --repo: ${parsed.problem}`);
    repo = parsed.repo;
  } else {
    const said = repoInText(text);
    if (said.kind === "bad") throw usageError(`${command}: ${said.problem}`);
    if (said.kind === "unsaid") return null;
    if (said.kind === "none") return "none";
    repo = said.repo;
  }
  // Throws repo_unreadable / github_auth (exit 2), github_unavailable / github_rate_limited (exit 1).
  await service.github.repository(repo);
  return repo;
}

export interface CliRepository {
  repo: string;
  /** Clones into the sandbox; the note for the prompt. */
  checkOut(sandbox: Sandbox, signal: AbortSignal): Promise<string>;
  /** Commit, push, draft pull request; a delivery that fails fails the task, keeping its answer. */
  finish(outcome: AgentOutcome, sandbox: Sandbox, signal: AbortSignal): Promise<{ outcome: AgentOutcome; report?: RepositoryReport }>;
}

export async function cliRepository(command: string, flag: string | undefined, text: string, service: RepositoryService, taskId: string): Promise<CliRepository | null> {
  const repo = await chosenRepository(command, flag, text, service);
  if (repo === null || repo === "none") return null;
  const plan = { repo, branch: taskBranch(taskId), taskId };
  let checkout: RepositoryCheckout | null = null;
  return {
    repo: formatRepo(repo),
    async checkOut(sandbox, signal) {
      checkout = await checkOutRepository(service, sandbox, plan, signal);
      return checkout.note;
    },
    async finish(outcome, sandbox, signal) {
      if (!checkout || outcome.status !== "succeeded") return { outcome };
      const { report } = await deliverRepository(service, sandbox, checkout, { result: outcome.result, taskText: text, requestedBy: describeActor(cliActor(localUser())) }, signal);
      if (report.outcome !== "failed" || !report.failure) return { outcome, report };
      return { outcome: { ...outcome, status: "failed", failure: report.failure }, report };
    },
  };
}

function localUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return "cli";
  }
}
