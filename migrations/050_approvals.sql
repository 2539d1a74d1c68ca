-- Approvals and spend limits.
--   * A task can wait for a person's decision (a tool call its rules require approval for, or its
--     spending limit reached): status 'waiting'. No worker holds it meanwhile; a decision (or the
--     timeout) queues it again and it resumes from its checkpoint.
--   * A continued task runs as a new pg-boss job: job_id names the job that runs it now (null: the
--     task id, its first job), so a cancel reaches the right one.
--   * Every request and its decision are kept with the task (who, when, what).

ALTER TABLE tasks DROP CONSTRAINT tasks_status_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_status_check
  CHECK (status IN ('queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'));
ALTER TABLE tasks ADD COLUMN job_id text;

DROP INDEX tasks_open_idx;
CREATE INDEX tasks_open_idx ON tasks (created_at) WHERE status IN ('queued', 'running', 'waiting');

CREATE TABLE task_approvals (
  id uuid PRIMARY KEY,
  task_id uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  -- 'tool': a tool call matched REQUIRE_APPROVAL; 'budget': the task reached TASK_BUDGET_USD.
  kind text NOT NULL CHECK (kind IN ('tool', 'budget')),
  -- The call waiting (kind 'tool'): its tool_use id in the conversation, tool and input. For a
  -- budget request, input holds { spent_usd, limit_usd, step_usd }.
  tool_use_id text,
  tool text,
  input jsonb NOT NULL DEFAULT '{}',
  -- The rule it matched, and one line for people ("execute: git push --force").
  rule text,
  summary text NOT NULL,
  -- Who may decide besides admins: the task's asker, as an actor key ("slack:U123", "cli:alice").
  asker text,
  -- The attempt that asked.
  attempt integer NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'timed_out', 'withdrawn')),
  -- An actor key; null for a timeout, or a request withdrawn because its task ended.
  decided_by text,
  requested_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  decided_at timestamptz,
  -- The Slack message showing the request (in the task's thread), updated with the decision.
  message_ts text
);

-- A task waits for one decision at a time.
CREATE UNIQUE INDEX task_approvals_pending_idx ON task_approvals (task_id) WHERE status = 'pending';
CREATE INDEX task_approvals_task_idx ON task_approvals (task_id, requested_at);
