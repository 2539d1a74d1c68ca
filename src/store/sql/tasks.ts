// SQL of the task repository. Writes of a running task are fenced by `attempt`, so a worker
// whose claim was taken over (it stalled, or was presumed dead) cannot overwrite the new one.

import { appendEvents } from "./transcripts.ts";

const columns = `id, source, dedupe_key, team_id, channel_id, thread_ts, user_id, text, status, todos, result, error,
  error_code, usage, attempt, turns, last_activity, worker, meta, cancel_requested_at, cancelled_by, sandbox_id,
  job_id, created_at, started_at, attempt_started_at, finished_at, updated_at, model`;

/** What a new task is given, $1–$10 of `insert` and `insertIfRoom` in this order. */
const newTaskColumns = "id, source, dedupe_key, team_id, channel_id, thread_ts, user_id, text, meta, model";

export const insert = `
  INSERT INTO tasks (${newTaskColumns})
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING ${columns}`;

export const byId = `SELECT ${columns} FROM tasks WHERE id = $1`;

export const byDedupeKey = `SELECT ${columns} FROM tasks WHERE dedupe_key = $1`;

/** The advisory lock that serialises enqueues, so the limits' check and the insert see the same queue. */
export const ENQUEUE_LOCK = 724313512;

export const queuedCount = "SELECT count(*)::int AS n FROM tasks WHERE status = 'queued'";

/** A person's tasks that count against MAX_TASKS_PER_USER; the placeholder names the person's parameter. */
export const openOf = (user: string) => `
  SELECT count(*)::int AS n FROM tasks WHERE user_id = ${user} AND status IN ('queued', 'running')`;

/**
 * Under ENQUEUE_LOCK, in one statement: the task is made ($1–$10 as in `insert`) only when no task
 * has its dedupe key, fewer than $12 wait, and the asker ($11; null: not counted) has fewer than
 * $13 open. Answers, either way, the task the dedupe key already has, how many waited and how many
 * of the asker's were open, with the new task's columns when it was made (null otherwise).
 */
export const insertIfRoom = `
  WITH room AS (
    SELECT (SELECT id FROM tasks WHERE dedupe_key = $3) AS existing, (${queuedCount}) AS depth,
      CASE WHEN $11::text IS NULL THEN 0 ELSE (${openOf("$11")}) END AS open
  ), made AS (
    INSERT INTO tasks (${newTaskColumns})
    SELECT $1::uuid, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10 FROM room
    WHERE room.existing IS NULL AND room.depth < $12::int AND ($13::int IS NULL OR room.open < $13::int)
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING ${columns}
  )
  SELECT room.existing, room.depth, room.open, made.* FROM room LEFT JOIN made ON true`;

export const openCounts = `
  SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued,
         count(*) FILTER (WHERE status = 'running')::int AS running,
         count(*) FILTER (WHERE status = 'waiting')::int AS waiting
  FROM tasks WHERE status IN ('queued', 'running', 'waiting')`;

/** Queued tasks get their 1-based place in line; running and waiting ones none. */
export const listOpen = `
  SELECT ${columns},
    CASE WHEN status = 'queued'
      THEN row_number() OVER (PARTITION BY status = 'queued' ORDER BY created_at, id)::int END AS position
  FROM tasks
  WHERE status IN ('queued', 'running', 'waiting')
  ORDER BY status = 'queued', created_at, id
  LIMIT $1`;

export const position = `
  SELECT count(*)::int AS n FROM tasks
  WHERE status = 'queued' AND (created_at, id) <= (SELECT created_at, id FROM tasks WHERE id = $1)`;

export const claim = `
  UPDATE tasks SET status = 'running', attempt = $2, worker = $3,
    started_at = coalesce(started_at, clock_timestamp()), attempt_started_at = clock_timestamp(),
    updated_at = clock_timestamp()
  WHERE id = $1 AND status IN ('queued', 'running') AND attempt < $2
  RETURNING ${columns}`;

export const progress = `
  UPDATE tasks SET
    todos = coalesce($3::jsonb, todos),
    usage = coalesce($4::jsonb, usage),
    turns = coalesce($5::int, turns),
    last_activity = coalesce($6::text, last_activity),
    updated_at = clock_timestamp()
  WHERE id = $1 AND attempt = $2 AND status = 'running'`;

/** With the attempt's last transcript events ($10), so the transcript is whole the moment the outcome is. */
export const finish = `
  WITH events AS (${appendEvents("$1", "$2", "$10")})
  UPDATE tasks SET status = $3, result = $4, error = $5, error_code = $6,
    todos = $7::jsonb, usage = $8::jsonb, turns = $9,
    finished_at = clock_timestamp(), updated_at = clock_timestamp()
  WHERE id = $1 AND attempt = $2 AND status = 'running'
  RETURNING ${columns}`;

/** Back in line (released on shutdown, or failed and about to be retried). */
export const requeue = `
  UPDATE tasks SET status = 'queued', error = $3, error_code = $4, updated_at = clock_timestamp()
  WHERE id = $1 AND attempt = $2 AND status = 'running'`;

/** The first request wins: a second cancel does not change who cancelled. */
export const requestCancel = `
  UPDATE tasks SET cancel_requested_at = coalesce(cancel_requested_at, clock_timestamp()),
    cancelled_by = coalesce(cancelled_by, $2), updated_at = clock_timestamp()
  WHERE id = $1
  RETURNING ${columns}`;

/** Settles a task nobody is running any more (queued, waiting for a decision, or its worker is gone). */
export const settleUnowned = `
  UPDATE tasks SET status = $2, error = $3, error_code = $4,
    finished_at = clock_timestamp(), updated_at = clock_timestamp()
  WHERE id = $1 AND status IN ('queued', 'running', 'waiting') AND ($5::int IS NULL OR attempt = $5)
  RETURNING ${columns}`;

export const idsByPrefix = `
  SELECT id FROM tasks WHERE id::text LIKE $1 || '%' ORDER BY created_at DESC LIMIT 2`;

/** A task still open, or the sandbox of one (a kept conversation sandbox is named after the task that made it). */
export const isOpen = `
  SELECT EXISTS (SELECT 1 FROM tasks WHERE (id = $1 OR sandbox_id = $1::text) AND status IN ('queued', 'running', 'waiting')) AS open`;

export const setSandbox = `
  UPDATE tasks SET sandbox_id = $3 WHERE id = $1 AND attempt = $2 AND status = 'running'`;

/** The sandbox of the newest earlier task of the same conversation (channel and thread) that ran in one. */
export const conversationSandbox = `
  SELECT t.sandbox_id FROM tasks t, tasks self
  WHERE self.id = $1 AND t.channel_id = self.channel_id AND t.thread_ts = self.thread_ts
    AND t.id <> self.id AND t.sandbox_id IS NOT NULL AND (t.created_at, t.id) < (self.created_at, self.id)
  ORDER BY t.created_at DESC, t.id DESC LIMIT 1`;

export const threadHasOpenTask = `
  SELECT EXISTS (SELECT 1 FROM tasks WHERE channel_id = $1 AND thread_ts = $2 AND status IN ('queued', 'running', 'waiting')) AS open`;

/** The attempt stops to wait for a person's decision; its worker lets go of it. */
export const markWaiting = `
  UPDATE tasks SET status = 'waiting', worker = NULL, updated_at = clock_timestamp()
  WHERE id = $1 AND attempt = $2 AND status = 'running'
  RETURNING ${columns}`;

/** A decision came: back in line, as the job $2. */
export const resumeWaiting = `
  UPDATE tasks SET status = 'queued', job_id = $2, updated_at = clock_timestamp()
  WHERE id = $1 AND status = 'waiting'
  RETURNING ${columns}`;

/** Holds the task's row until the transaction ends (a decision and a cancel cannot cross). */
export const lock = `SELECT status FROM tasks WHERE id = $1 FOR UPDATE`;
