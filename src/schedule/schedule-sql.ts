// SQL of the schedule records and their runs.

const scheduleColumns = `s.id, s.cron, s.timezone, s.text, s.team_id, s.channel_id, s.created_by, s.created_via, s.status,
  s.paused_reason, s.resumed_at, s.created_at, s.updated_at`;

const runColumns = `r.job_id, r.schedule_id, r.occurrence, r.outcome, r.task_id, r.thread_ts, r.progress_ts, r.detail, r.fired_at,
  t.status AS task_status`;

/** Serialises adds, so the per-channel limit holds with many people adding at once. */
export const addLock = "SELECT pg_advisory_xact_lock(724313520)";

export const insert = `
  INSERT INTO schedules (id, cron, timezone, text, team_id, channel_id, created_by, created_via)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (id) DO NOTHING
  RETURNING *`;

export const byId = `SELECT ${scheduleColumns} FROM schedules s WHERE s.id = $1`;

export const lockById = `SELECT ${scheduleColumns} FROM schedules s WHERE s.id = $1 FOR UPDATE`;

export const countInChannel = "SELECT count(*)::int AS n FROM schedules WHERE channel_id IS NOT DISTINCT FROM $1";

/** Every schedule ($1 false) or one channel's ($1 true, $2 the channel, null for no channel), each with its latest run. */
export const list = `
  SELECT ${scheduleColumns},
    lr.outcome AS last_outcome, lr.fired_at AS last_fired_at, lr.task_id AS last_task_id, lr.detail AS last_detail,
    lt.status AS last_task_status, lt.result AS last_task_result, lt.error AS last_task_error
  FROM schedules s
  LEFT JOIN LATERAL (
    SELECT r.outcome, r.fired_at, r.task_id, r.detail FROM schedule_runs r
    WHERE r.schedule_id = s.id ORDER BY r.fired_at DESC LIMIT 1
  ) lr ON true
  LEFT JOIN tasks lt ON lt.id = lr.task_id
  WHERE NOT $1::boolean OR s.channel_id IS NOT DISTINCT FROM $2::text
  ORDER BY s.created_at, s.id`;

export const remove = "DELETE FROM schedules WHERE id = $1 RETURNING id";

export const pause = `
  UPDATE schedules SET status = 'paused', paused_reason = $2, updated_at = clock_timestamp()
  WHERE id = $1 RETURNING *`;

export const resume = `
  UPDATE schedules SET status = 'active', paused_reason = NULL, resumed_at = clock_timestamp(), updated_at = clock_timestamp()
  WHERE id = $1 RETURNING *`;

export const runByJob = `
  SELECT ${runColumns} FROM schedule_runs r LEFT JOIN tasks t ON t.id = r.task_id WHERE r.job_id = $1`;

/** The latest run that started (or is starting) a task, other than the given job's. */
export const latestStartedRun = `
  SELECT ${runColumns} FROM schedule_runs r LEFT JOIN tasks t ON t.id = r.task_id
  WHERE r.schedule_id = $1 AND r.job_id <> $2 AND r.outcome IN ('starting', 'started')
  ORDER BY r.fired_at DESC LIMIT 1`;

/** The latest runs that count towards pausing (started or failed to start), newest first. */
export const countedRuns = `
  SELECT ${runColumns} FROM schedule_runs r LEFT JOIN tasks t ON t.id = r.task_id
  WHERE r.schedule_id = $1 AND r.outcome IN ('started', 'failed') AND r.fired_at > $2
  ORDER BY r.fired_at DESC LIMIT $3`;

export const runsOf = `
  SELECT ${runColumns} FROM schedule_runs r LEFT JOIN tasks t ON t.id = r.task_id
  WHERE r.schedule_id = $1 ORDER BY r.fired_at`;

export const insertRun = `
  INSERT INTO schedule_runs (job_id, schedule_id, occurrence, outcome, task_id, thread_ts, detail)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (job_id) DO NOTHING`;

export const updateRun = `
  UPDATE schedule_runs SET
    outcome = coalesce($2, outcome),
    task_id = coalesce($3::uuid, task_id),
    thread_ts = coalesce($4, thread_ts),
    detail = coalesce($5, detail),
    progress_ts = coalesce($6, progress_ts),
    updated_at = clock_timestamp()
  WHERE job_id = $1`;
