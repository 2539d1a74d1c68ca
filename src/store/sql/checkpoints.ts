// SQL of the checkpoint store. A save lands only while its attempt holds the running task.

export const load = `SELECT turn, messages, todos, usage FROM task_checkpoints WHERE task_id = $1`;

export const save = `
  INSERT INTO task_checkpoints (task_id, attempt, turn, messages, todos, usage)
  SELECT $1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb
  WHERE EXISTS (SELECT 1 FROM tasks WHERE id = $1 AND attempt = $2 AND status = 'running')
  ON CONFLICT (task_id) DO UPDATE SET
    attempt = excluded.attempt, turn = excluded.turn, messages = excluded.messages,
    todos = excluded.todos, usage = excluded.usage, saved_at = clock_timestamp()
  RETURNING turn`;
