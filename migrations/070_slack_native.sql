-- Slack-native answers (issue 10).
--   * The model a request chose with `model=<id>` (one of AGENT_MODELS) is kept with its task, so
--     whichever worker runs it uses that model; null means the configured default.
--   * Feedback on a result (the thumbs under it): one row per task and person, the last press wins.

ALTER TABLE tasks ADD COLUMN model text;

CREATE TABLE task_feedback (
  task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  user_id text NOT NULL,
  value text NOT NULL CHECK (value IN ('positive', 'negative')),
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (task_id, user_id)
);
