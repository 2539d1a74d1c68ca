-- Recurring jobs. pg-boss keeps the cron itself (its schedule table, keyed by our id, fires a job
-- into the schedule queue); this is our record beside it: what to run, where to post, who made
-- it, and every firing with its outcome.

CREATE TABLE schedules (
  -- Short, so people can type it: `/agent unschedule k3m9x2qa`.
  id text PRIMARY KEY,
  cron text NOT NULL,
  timezone text NOT NULL,
  text text NOT NULL,
  team_id text,
  -- Where runs post; null for a command-line schedule that only stores its results.
  channel_id text,
  -- Slack user id, or the local user for the command line.
  created_by text,
  created_via text NOT NULL CHECK (created_via IN ('slack', 'cli')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
  paused_reason text,
  -- Failures before this instant do not count towards pausing again.
  resumed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX schedules_channel_idx ON schedules (channel_id);

-- One row per pg-boss job of the schedule queue: the job id makes a retried job (or a job handed
-- out twice) one run, not two.
CREATE TABLE schedule_runs (
  job_id text PRIMARY KEY,
  schedule_id text NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
  -- The cron occurrence this run is for.
  occurrence timestamptz NOT NULL,
  -- starting: claimed, task not yet created; started: task created; skipped: the previous run was
  -- still going; failed: no task could be started; paused: this firing paused the schedule.
  outcome text NOT NULL CHECK (outcome IN ('starting', 'started', 'skipped', 'failed', 'paused')),
  task_id uuid REFERENCES tasks (id) ON DELETE SET NULL,
  -- The Slack thread of the run ("Scheduled: …" parent message).
  thread_ts text,
  detail text,
  fired_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE INDEX schedule_runs_latest_idx ON schedule_runs (schedule_id, fired_at DESC);
