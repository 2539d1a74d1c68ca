// SQL of the migration runner.

/** Held until the migrating transaction ends; the key is arbitrary but fixed ("deep-agent"). */
export const lock = "SELECT pg_advisory_xact_lock(724313511)";

export const createTable = `CREATE TABLE IF NOT EXISTS deep_agent_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

export const applied = "SELECT version FROM deep_agent_migrations ORDER BY version";

export const record = "INSERT INTO deep_agent_migrations (version, name) VALUES ($1, $2)";

export const tableExists = "SELECT to_regclass('deep_agent_migrations') IS NOT NULL AS present";
