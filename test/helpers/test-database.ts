// Test databases: embedded PGlite always, and real Postgres too when TEST_DATABASE_URL is set.
// Each test gets its own data directory, and on Postgres its own database, so files running
// side by side never see each other's rows.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export type TargetKind = "pglite" | "postgres";

export function databaseTargets(): TargetKind[] {
  return process.env["TEST_DATABASE_URL"] ? ["pglite", "postgres"] : ["pglite"];
}

export interface TestTarget {
  kind: TargetKind;
  dataDir: string;
  /** Set on Postgres; unset means the embedded database under dataDir. */
  databaseUrl?: string;
  /** Environment for a deep-agent process on this database. */
  env: Record<string, string>;
  /** Config fields the store needs. */
  config: { DATABASE_URL: string | undefined; DATA_DIR: string };
  cleanup(): Promise<void>;
}

export async function createTarget(kind: TargetKind): Promise<TestTarget> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "da-q-"));
  if (kind === "pglite") {
    return {
      kind,
      dataDir,
      env: { DATA_DIR: dataDir },
      config: { DATABASE_URL: undefined, DATA_DIR: dataDir },
      cleanup: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const admin = process.env["TEST_DATABASE_URL"]!;
  const name = `da_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await adminQuery(admin, `CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  return {
    kind,
    dataDir,
    databaseUrl,
    env: { DATA_DIR: dataDir, DATABASE_URL: databaseUrl },
    config: { DATABASE_URL: databaseUrl, DATA_DIR: dataDir },
    async cleanup() {
      await adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(connectionString: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
