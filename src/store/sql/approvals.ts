// SQL of the approval records. A decision lands only on a pending request: the first one wins.

const columns = `id, task_id, kind, tool_use_id, tool, input, rule, summary, asker, attempt, status, decided_by,
  requested_at, decided_at, message_ts`;

export const insert = `
  INSERT INTO task_approvals (id, task_id, kind, tool_use_id, tool, input, rule, summary, asker, attempt, message_ts)
  VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11)
  RETURNING ${columns}`;

export const byId = `SELECT ${columns} FROM task_approvals WHERE id = $1`;

export const pendingOfTask = `SELECT ${columns} FROM task_approvals WHERE task_id = $1 AND status = 'pending'`;

export const ofTask = `SELECT ${columns} FROM task_approvals WHERE task_id = $1 ORDER BY requested_at, id`;

export const decide = `
  UPDATE task_approvals SET status = $2, decided_by = $3, decided_at = clock_timestamp()
  WHERE id = $1 AND status = 'pending'
  RETURNING ${columns}`;

export const setMessage = `
  UPDATE task_approvals SET message_ts = $2 WHERE id = $1
  RETURNING ${columns}`;
