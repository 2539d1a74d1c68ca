// Picks the adapter: Postgres when DATABASE_URL is set, embedded PGlite under DATA_DIR otherwise.
import type { Config } from "../config/env.ts";
import type { Database } from "./database.ts";
import { openPostgres } from "./adapters/pg.ts";
import { openEmbedded } from "./adapters/pglite.ts";
import type { OwnerRole } from "./embedded/owner-lock.ts";

export async function openDatabase(
  config: Pick<Config, "DATABASE_URL" | "DATA_DIR">,
  options: {
    role: OwnerRole;
    applicationName?: string;
    /** Prepare repeated statements (the default); off only for the benches' bare baseline. */
    prepareStatements?: boolean;
  },
): Promise<Database> {
  if (config.DATABASE_URL) {
    return openPostgres({
      connectionString: config.DATABASE_URL,
      ...(options.applicationName ? { applicationName: options.applicationName } : {}),
      ...(options.prepareStatements === false ? { prepareStatements: false } : {}),
    });
  }
  return openEmbedded({ dataDir: config.DATA_DIR, role: options.role, ...(options.prepareStatements === false ? { prepareStatements: false } : {}) });
}
