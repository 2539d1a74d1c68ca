// Repository records: a channel's default repository, and each task's work on its repository
// (branch, start commit, pushes, pull request, and the undelivered diff when delivery failed).
import type { Queryable, Row } from "./database.ts";
import { failureFrom, type Failure } from "../shared/errors.ts";
import { NUL_SYMBOL } from "../shared/visible-text.ts";
import * as sql from "./sql/repositories.ts";

export interface ChannelRepository {
  channelId: string;
  repo: string;
  setBy: string | null;
  updatedAt: Date;
}

export type RepositoryOutcome = "working" | "opened" | "updated" | "unchanged" | "failed";

export interface TaskRepository {
  taskId: string;
  repo: string;
  branch: string;
  baseBranch: string;
  startSha: string;
  pushedSha: string | null;
  pullRequest: { number: number; url: string } | null;
  outcome: RepositoryOutcome;
  commits: number;
  failure: Failure | null;
  diff: string | null;
}

export interface RepositoryStart {
  repo: string;
  branch: string;
  baseBranch: string;
  startSha: string;
  pushedSha: string | null;
  pullRequest: { number: number; url: string } | null;
}

export interface RepositoryFinish {
  outcome: Exclude<RepositoryOutcome, "working">;
  pushedSha?: string;
  pullRequest?: { number: number; url: string };
  commits: number;
  failure?: Failure;
  diff?: string;
}

export function createRepositoryRepo(db: Queryable) {
  return {
    async channelDefault(channelId: string): Promise<ChannelRepository | null> {
      const { rows } = await db.query(sql.channelDefault, [channelId]);
      const r = rows[0];
      return r ? { channelId: String(r["channel_id"]), repo: String(r["repo"]), setBy: (r["set_by"] as string | null) ?? null, updatedAt: new Date(String(r["updated_at"])) } : null;
    },
    async setChannelDefault(channelId: string, teamId: string | null, repo: string, setBy: string | null): Promise<void> {
      await db.query(sql.setChannelDefault, [channelId, teamId, repo, setBy]);
    },
    /** The repository that was the default, or null when there was none. */
    async clearChannelDefault(channelId: string): Promise<string | null> {
      const { rows } = await db.query<{ repo: string }>(sql.clearChannelDefault, [channelId]);
      return rows[0]?.repo ?? null;
    },
    async forTask(taskId: string): Promise<TaskRepository | null> {
      const { rows } = await db.query(sql.forTask, [taskId]);
      return rows[0] ? toTaskRepository(rows[0]) : null;
    },
    /** Where the conversation's repository work stands: the newest earlier task of the thread that had one. */
    async conversationRepository(taskId: string): Promise<TaskRepository | null> {
      const { rows } = await db.query(sql.conversationRepository, [taskId]);
      return rows[0] ? toTaskRepository(rows[0]) : null;
    },
    async start(taskId: string, s: RepositoryStart): Promise<void> {
      await db.query(sql.start, [taskId, s.repo, s.branch, s.baseBranch, s.startSha, s.pushedSha, s.pullRequest?.number ?? null, s.pullRequest?.url ?? null]);
    },
    async finish(taskId: string, f: RepositoryFinish): Promise<void> {
      await db.query(sql.finish, [
        taskId,
        f.outcome,
        f.pushedSha ?? null,
        f.pullRequest?.number ?? null,
        f.pullRequest?.url ?? null,
        f.commits,
        f.failure?.code ?? null,
        f.failure ? noNul(f.failure.detail) : null,
        f.diff === undefined ? null : noNul(f.diff),
      ]);
    },
  };
}

export type RepositoryRepo = ReturnType<typeof createRepositoryRepo>;

// Postgres text cannot hold NUL.
function noNul(text: string): string {
  return text.includes("\0") ? text.replaceAll("\0", NUL_SYMBOL) : text;
}

function toTaskRepository(r: Row): TaskRepository {
  const prNumber = r["pr_number"] == null ? null : Number(r["pr_number"]);
  return {
    taskId: String(r["task_id"]),
    repo: String(r["repo"]),
    branch: String(r["branch"]),
    baseBranch: String(r["base_branch"]),
    startSha: String(r["start_sha"]),
    pushedSha: (r["pushed_sha"] as string | null) ?? null,
    pullRequest: prNumber !== null && r["pr_url"] ? { number: prNumber, url: String(r["pr_url"]) } : null,
    outcome: r["outcome"] as RepositoryOutcome,
    commits: Number(r["commits"] ?? 0),
    failure: failureFrom(r["error_code"] as string | null, r["error"] as string | null),
    diff: (r["diff"] as string | null) ?? null,
  };
}
