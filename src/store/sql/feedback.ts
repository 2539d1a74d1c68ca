// SQL of feedback on task results (migration 070): one row per task and person, the last press wins.

export const record = `
  INSERT INTO task_feedback (task_id, user_id, value) VALUES ($1, $2, $3)
  ON CONFLICT (task_id, user_id) DO UPDATE SET value = EXCLUDED.value, updated_at = clock_timestamp()`;

export const ofTask = `
  SELECT user_id, value FROM task_feedback WHERE task_id = $1 ORDER BY created_at, user_id`;

export const counts = `
  SELECT count(*) FILTER (WHERE value = 'positive')::int AS positive,
         count(*) FILTER (WHERE value = 'negative')::int AS negative
  FROM task_feedback`;
