// Applies migrations/NNN_name.sql in order, each once. Every runner takes the same transaction
// lock first, so processes starting together apply each file exactly once between them.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import type { Database } from "./database.ts";
import * as sql from "./sql/migrations.ts";

const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => /^\d+_[\w-]+\.sql$/.test(f));
  const migrations = files.map((file) => ({
    version: Number(file.split("_")[0]),
    name: path.basename(file, ".sql"),
    sql: readFileSync(path.join(dir, file), "utf8"),
  }));
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw new Error(`two migrations share version ${migrations[i]!.version}: ${migrations[i - 1]!.name} and ${migrations[i]!.name}`);
    }
  }
  return migrations;
}

/** Applies what is missing; returns the names applied by this call. */
export async function migrate(db: Database, migrations = loadMigrations()): Promise<string[]> {
  // Every start but the first: nothing missing, seen with two reads and no lock.
  if ((await pendingMigrations(db, migrations)).length === 0) return [];
  return db.transaction(async (tx) => {
    await tx.query(sql.lock);
    await tx.query(sql.createTable);
    const { rows } = await tx.query<{ version: number }>(sql.applied);
    const done = new Set(rows.map((r) => r.version));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      try {
        await tx.query(m.sql);
      } catch (error) {
        throw new Error(`migration ${m.name} failed: ${(error as Error).message}`, { cause: error });
      }
      await tx.query(sql.record, [m.version, m.name]);
      applied.push(m.name);
    }
    return applied;
  });
}

/** Migrations not yet applied (all of them when the table does not exist). */
export async function pendingMigrations(db: Database, migrations = loadMigrations()): Promise<string[]> {
  const { rows: exists } = await db.query<{ present: boolean }>(sql.tableExists);
  if (!exists[0]?.present) return migrations.map((m) => m.name);
  const { rows } = await db.query<{ version: number }>(sql.applied);
  const done = new Set(rows.map((r) => r.version));
  return migrations.filter((m) => !done.has(m.version)).map((m) => m.name);
}
