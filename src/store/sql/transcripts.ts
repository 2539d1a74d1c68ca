// SQL of transcripts: a task's events (appended in batches), the link secret, and retention.

/** Inserts the events of the JSON array in parameter `events` ({kind, payload, at}), in its order. */
export function appendEvents(task: string, attempt: string, events: string): string {
  return `
  INSERT INTO task_events (task_id, attempt, kind, payload, at)
  SELECT ${task}, ${attempt}, e->>'kind', e->'payload', (e->>'at')::timestamptz
  FROM jsonb_array_elements(${events}::jsonb) WITH ORDINALITY AS x(e, n)
  ORDER BY n`;
}

export const append = appendEvents("$1", "$2", "$3");

export const after = `
  SELECT seq, attempt, kind, payload, at FROM task_events
  WHERE task_id = $1 AND seq > $2
  ORDER BY seq
  LIMIT $3`;

export const count = `SELECT count(*)::int AS n FROM task_events WHERE task_id = $1`;

/** The stored secret, made by the first process that asks (the CTE's insert is invisible to its SELECT, hence the union). */
export const secret = `
  WITH made AS (
    INSERT INTO transcript_secret (only_row, secret) VALUES (true, $1)
    ON CONFLICT (only_row) DO NOTHING
    RETURNING secret
  )
  SELECT secret FROM made
  UNION ALL
  SELECT secret FROM transcript_secret
  LIMIT 1`;

const finishedBefore = `SELECT id FROM tasks WHERE finished_at < clock_timestamp() - make_interval(days => $1::int)`;

export const pruneEvents = `WITH gone AS (DELETE FROM task_events WHERE task_id IN (${finishedBefore}) RETURNING 1) SELECT count(*)::int AS n FROM gone`;

export const pruneCheckpoints = `WITH gone AS (DELETE FROM task_checkpoints WHERE task_id IN (${finishedBefore}) RETURNING 1) SELECT count(*)::int AS n FROM gone`;
