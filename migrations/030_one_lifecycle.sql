-- One error vocabulary, one task lifecycle.
--   * A failure is a code from src/shared/errors.ts and a detail.
--   * Who asked to cancel is kept with the task (an actor key: "slack:U123", "cli:alice").
--   * The sandbox a task ran in is kept with the task, so a later task of the same conversation
--     (channel and thread) can continue in it, whatever intake started them.
--   * The Slack event ledger was never used: the message ledger (slack_messages) dedupes.
--   * A scheduled run's progress card is posted before its task is queued; its ts is kept with
--     the run so a retried firing does not post a second one.

ALTER TABLE tasks RENAME COLUMN failure_reason TO error_code;
UPDATE tasks SET error_code = 'sandbox_unavailable' WHERE error_code = 'sandbox_error';
ALTER TABLE tasks ADD COLUMN cancelled_by text;
ALTER TABLE tasks ADD COLUMN sandbox_id text;

DROP TABLE slack_events;

ALTER TABLE schedule_runs ADD COLUMN progress_ts text;
