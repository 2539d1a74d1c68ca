// SQL of the spend report: tokens of the tasks created in the last $1 days, by who asked and where.

export const byAskerAndChannel = `
  SELECT user_id, channel_id, source, count(*)::int AS tasks,
    coalesce(sum((usage->>'input_tokens')::bigint), 0)::bigint AS input_tokens,
    coalesce(sum((usage->>'output_tokens')::bigint), 0)::bigint AS output_tokens,
    coalesce(sum((usage->>'cache_read_input_tokens')::bigint), 0)::bigint AS cache_read_input_tokens,
    coalesce(sum((usage->>'cache_creation_input_tokens')::bigint), 0)::bigint AS cache_creation_input_tokens
  FROM tasks
  WHERE created_at >= clock_timestamp() - make_interval(days => $1::int)
  GROUP BY user_id, channel_id, source`;
