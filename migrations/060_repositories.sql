-- Repositories (GitHub). A channel's default repository (`/agent repo owner/name`), and what each
-- task did on its repository: the branch it works on, the commit its work started from, what it
-- pushed, its draft pull request, and — when delivery failed — why, with the undelivered diff.
-- A follow-up in the same thread continues from the newest row of its conversation.

CREATE TABLE channel_repos (
  channel_id text PRIMARY KEY,
  team_id text,
  -- owner/name
  repo text NOT NULL,
  -- Slack user id of whoever set it.
  set_by text,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE task_repos (
  task_id uuid PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
  repo text NOT NULL,
  branch text NOT NULL,
  -- The branch pull requests go to (the repository's default branch).
  base_branch text NOT NULL,
  -- A commit GitHub has that the sandbox's work is measured from.
  start_sha text NOT NULL,
  -- The newest commit of the branch pushed by this task or an earlier one of its conversation.
  pushed_sha text,
  pr_number integer,
  pr_url text,
  outcome text NOT NULL DEFAULT 'working' CHECK (outcome IN ('working', 'opened', 'updated', 'unchanged', 'failed')),
  commits integer NOT NULL DEFAULT 0,
  error_code text,
  error text,
  diff text,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
