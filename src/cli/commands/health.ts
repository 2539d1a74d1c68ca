// `deep-agent health`: one JSON health report on stdout; exit 0 when the database is reachable
// and migrated, 1 otherwise. Changes nothing.
import { loadConfig } from "../../config/env.ts";
import { secretValues } from "../../config/secrets.ts";
import { createLogger } from "../../shared/log.ts";
import { openDatabase } from "../../store/open-database.ts";
import { checkDatabase } from "../../store/readiness.ts";
import { createTaskRepo } from "../../store/task-repo.ts";
import { parseCommandArgs } from "../parse-args.ts";
import { usageError, exitCodes } from "../usage-error.ts";

export async function run(args: string[]): Promise<number> {
  const { positionals } = parseCommandArgs("health", args, {});
  if (positionals.length > 0) throw usageError(`health: takes no arguments (got "${positionals[0]}"); usage: deep-agent health`);
  const config = loadConfig();
  createLogger({ level: config.LOG_LEVEL, secrets: secretValues(config) });
  let report: Record<string, unknown>;
  let healthy = false;
  try {
    const db = await openDatabase(config, { role: "command", applicationName: "deep-agent-health" });
    try {
      const database = await checkDatabase(db);
      healthy = database.reachable && database.migrated;
      const queue = healthy ? await createTaskRepo(db).openCounts() : null;
      report = { ok: healthy, database, ...(queue ? { queue } : {}) };
    } finally {
      await db.close();
    }
  } catch (error) {
    report = { ok: false, database: { reachable: false, error: (error as Error).message } };
  }
  const sandbox = { provider: config.SANDBOX_PROVIDER, ...(config.SANDBOX_PROVIDER === "local" ? { isolation: config.SANDBOX_ISOLATION } : {}) };
  const model = { configured: Boolean(config.ANTHROPIC_API_KEY), model: config.AGENT_MODEL, ...(config.ANTHROPIC_BASE_URL ? { baseURL: config.ANTHROPIC_BASE_URL } : {}) };
  const slack = { intake: Boolean(config.SLACK_BOT_TOKEN), mode: config.SLACK_APP_TOKEN ? "socket" : "http" };
  console.log(JSON.stringify({ ...report, model, sandbox, slack }, null, 2));
  return healthy ? exitCodes.ok : exitCodes.failure;
}
