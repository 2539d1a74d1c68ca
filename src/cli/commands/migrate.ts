// `deep-agent migrate`: applies our migrations and pg-boss's, then exits. `start` does the same.
import { loadConfig } from "../../config/env.ts";
import { secretValues } from "../../config/secrets.ts";
import { createLogger } from "../../shared/log.ts";
import { openQueueStack } from "../../queue/open-queue.ts";
import { parseCommandArgs } from "../parse-args.ts";
import { usageError, exitCodes } from "../usage-error.ts";

export async function run(args: string[]): Promise<number> {
  const { positionals } = parseCommandArgs("migrate", args, {});
  if (positionals.length > 0) throw usageError(`migrate: takes no arguments (got "${positionals[0]}"); usage: deep-agent migrate`);
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevelExplicit ? config.LOG_LEVEL : "warn", secrets: secretValues(config) });
  const stack = await openQueueStack(config, logger, { role: "command", supervise: false });
  try {
    const where = stack.db.description;
    console.log(stack.applied.length > 0 ? `migrated ${where}: applied ${stack.applied.join(", ")}` : `${where} is up to date`);
    return exitCodes.ok;
  } finally {
    await stack.close();
  }
}
