// SQL of the Slack message ledger and thread inbox (migration 010), and the Slack-side reads of tasks.
import { openOf, queuedCount } from "./tasks.ts";

/** Returns a row only for the first delivery of a message. */
const claim = `
  INSERT INTO slack_messages (channel_id, message_ts, thread_ts, team_id, user_id, text, files)
  VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
  ON CONFLICT (channel_id, message_ts) DO NOTHING
  RETURNING message_ts`;

export const assign = `
  UPDATE slack_messages SET role = $3, task_id = $4
  WHERE channel_id = $1 AND message_ts = $2`;

/** Follow-ups of a task nobody has taken yet, marked taken in the same statement. */
export const takeInbox = `
  UPDATE slack_messages SET taken_at = clock_timestamp()
  WHERE task_id = $1 AND role = 'follow_up' AND taken_at IS NULL
  RETURNING channel_id, message_ts, thread_ts, team_id, user_id, text, files`;

/** One follow-up, if still untaken: whoever gets the row handles the message. */
export const takeOne = `
  UPDATE slack_messages SET taken_at = clock_timestamp()
  WHERE channel_id = $1 AND message_ts = $2 AND taken_at IS NULL
  RETURNING channel_id, message_ts, thread_ts, team_id, user_id, text, files`;

/** Follow-ups the given tasks took, for the history of a later task in the same thread. */
export const takenBy = `
  SELECT task_id, user_id, text, files, message_ts FROM slack_messages
  WHERE task_id = ANY($1::uuid[]) AND role = 'follow_up' AND taken_at IS NOT NULL
  ORDER BY message_ts`;

/** The thread's latest task; the placeholders name the channel's and the thread's parameters. */
const latestIn = (channel: string, thread: string) => `
  SELECT id, status, user_id, meta FROM tasks
  WHERE channel_id = ${channel} AND thread_ts = ${thread}
  ORDER BY created_at DESC, id DESC LIMIT 1`;

export const latestInThread = latestIn("$1", "$2");

/** The thread's tasks created before the given one, oldest first. */
export const earlierInThread = `
  SELECT t.id, t.user_id, t.text, t.status, t.result, t.error, t.meta
  FROM tasks t, tasks self
  WHERE self.id = $1 AND t.channel_id = self.channel_id AND t.thread_ts = self.thread_ts
    AND (t.created_at, t.id) < (self.created_at, self.id)
  ORDER BY t.created_at, t.id`;

export const openOfUser = openOf("$1");

export const recentOfUser = `
  SELECT id FROM tasks WHERE user_id = $1 AND source = 'slack'
  ORDER BY (status IN ('queued', 'running', 'waiting')) DESC, created_at DESC LIMIT $2`;

/**
 * A message taken in, in one round trip: claimed (a row only for its first delivery, as `claim`),
 * with what deciding about it needs — the thread's latest task (as `latestInThread`), the asker's
 * open tasks (as `openOfUser`), how many tasks wait, and the channel's default repository. The
 * reads see the tables as they were before the statement; the insert touches only slack_messages.
 */
export const takeIn = `
  WITH claimed AS (${claim})
  SELECT (SELECT count(*)::int FROM claimed) AS claimed,
         latest.id, latest.status, latest.user_id, latest.meta,
         (${openOf("$5")}) AS open,
         (${queuedCount}) AS waiting,
         (SELECT repo FROM channel_repos WHERE channel_id = $1) AS channel_repo
  FROM (SELECT 1) AS one
  LEFT JOIN (${latestIn("$1", "$3")}) AS latest ON true`;
