// Database reachable and migrated: what /readyz and `deep-agent health` report.
import type { Database } from "./database.ts";
import { pendingMigrations } from "./migrate.ts";

export interface DatabaseHealth {
  kind: string;
  description: string;
  reachable: boolean;
  migrated: boolean;
  pending: string[];
  error?: string;
}

export async function checkDatabase(db: Database): Promise<DatabaseHealth> {
  const base = { kind: db.kind, description: db.description };
  try {
    await db.query("SELECT 1");
  } catch (error) {
    return { ...base, reachable: false, migrated: false, pending: [], error: (error as Error).message };
  }
  try {
    const pending = await pendingMigrations(db);
    return { ...base, reachable: true, migrated: pending.length === 0, pending };
  } catch (error) {
    return { ...base, reachable: true, migrated: false, pending: [], error: (error as Error).message };
  }
}
