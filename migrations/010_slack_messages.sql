-- Slack messages the intake has taken in. One row per message, so a redelivered event, or a
-- mention that also arrives as a plain message event, is handled once; and the inbox of
-- messages sent to a task while it runs (taken by the running agent before its next model call).

CREATE TABLE slack_messages (
  channel_id text NOT NULL,
  message_ts text NOT NULL,
  thread_ts text NOT NULL,
  team_id text,
  user_id text,
  text text NOT NULL DEFAULT '',
  -- Files attached to the message: [{ id, name, url, size, mimetype }].
  files jsonb NOT NULL DEFAULT '[]',
  -- 'task': it started task_id; 'follow_up': it was sent to task_id while that ran.
  role text NOT NULL DEFAULT 'pending' CHECK (role IN ('pending', 'task', 'follow_up', 'ignored')),
  task_id uuid REFERENCES tasks (id) ON DELETE CASCADE,
  -- When a running agent (or the task started after it) took this follow-up.
  taken_at timestamptz,
  received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (channel_id, message_ts)
);

CREATE INDEX slack_messages_inbox_idx ON slack_messages (task_id) WHERE role = 'follow_up' AND taken_at IS NULL;
CREATE INDEX slack_messages_task_idx ON slack_messages (task_id) WHERE task_id IS NOT NULL;
CREATE INDEX tasks_user_open_idx ON tasks (user_id) WHERE status IN ('queued', 'running');
