-- Transcripts (issue 11): every engine event of a task, in order, for its page and `deep-agent show`.
--   * seq is one sequence for all tasks; within a task it orders the events (one writer at a time).
--   * payload is the event as stored: scrubbed of configured secrets and cut to size before it is written.
--   * The secret that signs transcript links when TRANSCRIPT_SECRET is unset: made once, shared by all processes.

CREATE TABLE task_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  at timestamptz NOT NULL
);

CREATE INDEX task_events_task_idx ON task_events (task_id, seq);

-- Retention prunes by when a task finished.
CREATE INDEX tasks_finished_idx ON tasks (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE transcript_secret (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  secret text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
