// SQL of the Slack event ledger.

/** Returns a row only for the first delivery of an event id. */
export const record = `
  INSERT INTO slack_events (event_id, task_id) VALUES ($1, $2)
  ON CONFLICT (event_id) DO NOTHING
  RETURNING event_id`;

export const taskFor = `SELECT task_id FROM slack_events WHERE event_id = $1`;

export const prune = `DELETE FROM slack_events WHERE received_at < now() - make_interval(days => $1)`;
