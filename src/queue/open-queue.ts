// Opens what every queue-using command needs: the database (migrated) and pg-boss on it.
import type { PgBoss } from "pg-boss";
import type { Config } from "../config/env.ts";
import type { Logger } from "../shared/log.ts";
import type { Database } from "../store/database.ts";
import { openDatabase } from "../store/open-database.ts";
import { migrate } from "../store/migrate.ts";
import { queuePolicy, type QueuePolicy } from "./queue-policy.ts";

export interface QueueStack {
  db: Database;
  boss: PgBoss;
  policy: QueuePolicy;
  /** Our migrations applied by this call. */
  applied: string[];
  close(): Promise<void>;
}

export async function openQueueStack(config: Config, logger: Logger, options: { role: "server" | "command"; supervise: boolean; schedule?: boolean }): Promise<QueueStack> {
  // pg-boss (some 150 modules with its telemetry API) loads while the database connects and migrates.
  const bossModule = import("./boss.ts");
  bossModule.catch(() => {});
  const db = await openDatabase(config, { role: options.role, applicationName: options.role === "server" ? "deep-agent" : "deep-agent-cli" });
  try {
    const applied = await migrate(db);
    if (applied.length > 0) logger.info({ applied }, "database migrated");
    const policy = queuePolicy(config);
    const { startBoss } = await bossModule;
    const boss = await startBoss(db, policy, {
      supervise: options.supervise,
      schedule: options.schedule ?? false,
      ...(config.TEST_SCHEDULE_TICK_SECONDS ? { cronIntervalSeconds: config.TEST_SCHEDULE_TICK_SECONDS } : {}),
      logger,
    });
    return {
      db,
      boss,
      policy,
      applied,
      async close() {
        await boss.stop({ graceful: true, close: true, timeout: 5_000 }).catch((error: unknown) => logger.warn({ err: error }, "queue stop failed"));
        await db.close();
      },
    };
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}
