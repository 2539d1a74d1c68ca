-- Tasks, their per-turn checkpoints, and Slack event ids already turned into tasks.

CREATE TABLE tasks (
  id uuid PRIMARY KEY,
  source text NOT NULL CHECK (source IN ('cli', 'slack', 'schedule')),
  -- The same request (a redelivered Slack event, a retried command) maps to one task.
  dedupe_key text UNIQUE,
  team_id text,
  channel_id text,
  thread_ts text,
  user_id text,
  text text NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  todos jsonb NOT NULL DEFAULT '[]',
  result text,
  error text,
  failure_reason text,
  usage jsonb NOT NULL DEFAULT '{"input_tokens":0,"output_tokens":0,"cache_read_input_tokens":0,"cache_creation_input_tokens":0}',
  -- Which pg-boss attempt holds the task (retry count + 1); writes of older attempts are refused.
  attempt integer NOT NULL DEFAULT 0,
  turns integer NOT NULL DEFAULT 0,
  last_activity text,
  worker text,
  -- Intake-specific details (Slack message timestamps, schedule id...).
  meta jsonb NOT NULL DEFAULT '{}',
  cancel_requested_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  started_at timestamptz,
  attempt_started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX tasks_open_idx ON tasks (created_at) WHERE status IN ('queued', 'running');
CREATE INDEX tasks_thread_idx ON tasks (channel_id, thread_ts) WHERE thread_ts IS NOT NULL;

-- The conversation after the last finished turn of a task's current attempt.
CREATE TABLE task_checkpoints (
  task_id uuid PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  turn integer NOT NULL,
  messages jsonb NOT NULL,
  todos jsonb NOT NULL,
  usage jsonb NOT NULL,
  saved_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE slack_events (
  event_id text PRIMARY KEY,
  task_id uuid REFERENCES tasks (id) ON DELETE SET NULL,
  received_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
