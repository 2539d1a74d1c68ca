// SQL of the repository records: channel defaults and each task's work on its repository.

const taskColumns = `task_id, repo, branch, base_branch, start_sha, pushed_sha, pr_number, pr_url, outcome, commits,
  error_code, error, diff, created_at, updated_at`;

export const channelDefault = "SELECT channel_id, repo, set_by, updated_at FROM channel_repos WHERE channel_id = $1";

export const setChannelDefault = `
  INSERT INTO channel_repos (channel_id, team_id, repo, set_by) VALUES ($1, $2, $3, $4)
  ON CONFLICT (channel_id) DO UPDATE SET team_id = EXCLUDED.team_id, repo = EXCLUDED.repo, set_by = EXCLUDED.set_by,
    updated_at = clock_timestamp()`;

export const clearChannelDefault = "DELETE FROM channel_repos WHERE channel_id = $1 RETURNING repo";

export const forTask = `SELECT ${taskColumns} FROM task_repos WHERE task_id = $1`;

/** The newest earlier task of the same conversation (channel and thread) that worked on a repository. */
export const conversationRepository = `
  SELECT r.task_id, r.repo, r.branch, r.base_branch, r.start_sha, r.pushed_sha, r.pr_number, r.pr_url, r.outcome,
    r.commits, r.error_code, r.error, r.diff, r.created_at, r.updated_at
  FROM task_repos r JOIN tasks t ON t.id = r.task_id, tasks self
  WHERE self.id = $1 AND t.channel_id = self.channel_id AND t.thread_ts = self.thread_ts
    AND t.id <> self.id AND (t.created_at, t.id) < (self.created_at, self.id)
  ORDER BY t.created_at DESC, t.id DESC LIMIT 1`;

/** A retried attempt starts the record again. */
export const start = `
  INSERT INTO task_repos (task_id, repo, branch, base_branch, start_sha, pushed_sha, pr_number, pr_url)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (task_id) DO UPDATE SET repo = EXCLUDED.repo, branch = EXCLUDED.branch, base_branch = EXCLUDED.base_branch,
    start_sha = EXCLUDED.start_sha, pushed_sha = EXCLUDED.pushed_sha, pr_number = EXCLUDED.pr_number, pr_url = EXCLUDED.pr_url,
    outcome = 'working', commits = 0, error_code = NULL, error = NULL, diff = NULL, updated_at = clock_timestamp()`;

export const finish = `
  UPDATE task_repos SET outcome = $2, pushed_sha = coalesce($3, pushed_sha), pr_number = coalesce($4, pr_number),
    pr_url = coalesce($5, pr_url), commits = $6, error_code = $7, error = $8, diff = $9, updated_at = clock_timestamp()
  WHERE task_id = $1`;
