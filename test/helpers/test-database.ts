// Test databases: embedded PGlite always, and real Postgres too when TEST_DATABASE_URL is set.
// Each test gets its own data directory, and on Postgres its own database, so files running
// side by side never see each other's rows.
//
// An embedded target starts as a copy of an empty, initialised PGlite data directory (what
// PGlite's initdb leaves, before any deep-agent migration), made once per PGlite version and kept
// in the temp directory: initdb costs several seconds of CPU, a copy a fraction of one. To the
// product the copy is a brand-new database, exactly as Postgres targets are new databases.
// `fresh: true` leaves the data directory empty instead, for tests of a first start on nothing.
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdtemp, rename, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";

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

export async function createTarget(kind: TargetKind, options: { fresh?: boolean } = {}): Promise<TestTarget> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "da-q-"));
  if (kind === "pglite") {
    // The embedded adapter keeps its database in DATA_DIR/pgdata (src/store/adapters/pglite.ts).
    if (!options.fresh) await cp(await emptyPgliteDataDir(), path.join(dataDir, "pgdata"), { recursive: true });
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

/** The initialised, empty PGlite data directory targets are copied from; made on first use. */
export async function emptyPgliteDataDir(): Promise<string> {
  const pkg = path.join(path.dirname(fileURLToPath(import.meta.resolve("@electric-sql/pglite"))), "..", "package.json");
  const version = (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
  const dir = path.join(os.tmpdir(), `deep-agent-test-pgdata-${version}`);
  if (existsSync(path.join(dir, "PG_VERSION"))) return dir;
  // Built aside and renamed into place, so a directory under the final name is always whole;
  // files starting together may each build one, and the first rename wins.
  const building = await mkdtemp(`${dir}.building-`);
  const pglite = await PGlite.create({ dataDir: building });
  await pglite.close();
  try {
    await rename(building, dir);
  } catch {
    await rm(building, { recursive: true, force: true });
  }
  return dir;
}
