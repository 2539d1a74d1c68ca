// Test databases: embedded PGlite always, and real Postgres too when TEST_DATABASE_URL is set.
// Each test gets its own data directory, and on Postgres its own database, so files running
// side by side never see each other's rows.
//
// An embedded target starts as a copy of an empty, initialised PGlite data directory (what
// PGlite's initdb leaves, before any deep-agent migration), made once per PGlite version and kept
// in the temp directory: initdb costs several seconds of CPU, a copy a fraction of one. To the
// product the copy is a brand-new database, exactly as Postgres targets are new databases.
// `fresh: true` leaves the data directory empty instead, for tests of a first start on nothing.
// `migrated: true` starts from what `deep-agent migrate` leaves (our migrations and pg-boss's
// schema), for tests about something else than migrating; every process still runs the
// migrations at start and finds nothing to do, as on any database but a new one. (Postgres
// targets are always new databases: migrating on a real server takes well under a second.)
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, readFileSync, readdirSync } from "node:fs";
import { cp, mkdtemp, rename, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe } from "node:test";
import pg from "pg";
import { PGlite } from "@electric-sql/pglite";

const execFileAsync = promisify(execFile);

/**
 * Where targets' data directories go: /dev/shm where there is one (a copy of a template costs a
 * fifth of what it costs on disk, and nothing is written back), the temp directory otherwise.
 */
function scratchRoot(): string {
  try {
    accessSync("/dev/shm", constants.W_OK);
    return "/dev/shm";
  } catch {
    return os.tmpdir();
  }
}

export type TargetKind = "pglite" | "postgres";

export function databaseTargets(): TargetKind[] {
  return process.env["TEST_DATABASE_URL"] ? ["pglite", "postgres"] : ["pglite"];
}

/**
 * Declares a file's suites once per database target (`fn` calls describe). With more than one
 * target their suites run side by side, under one suite naming the targets: each has its own
 * database and doubles, and a file's run then takes as long as its slowest target, not the sum.
 * Inside each target's suite the tests keep running one after another (node:test would otherwise
 * hand the outer suite's concurrency down to them).
 */
export function eachDatabase(fn: (kind: TargetKind) => void): void {
  const kinds = databaseTargets();
  if (kinds.length === 1) {
    fn(kinds[0]!);
    return;
  }
  describe(`on ${kinds.join(" and ")}, side by side`, { concurrency: kinds.length }, () => {
    for (const kind of kinds) describe(kind, { concurrency: 1 }, () => fn(kind));
  });
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

export async function createTarget(kind: TargetKind, options: { fresh?: boolean; migrated?: boolean } = {}): Promise<TestTarget> {
  const dataDir = await mkdtemp(path.join(scratchRoot(), "da-q-"));
  if (kind === "pglite") {
    // The embedded adapter keeps its database in DATA_DIR/pgdata (src/store/adapters/pglite.ts).
    if (!options.fresh) await copyDir(options.migrated ? await migratedPgliteDataDir() : await emptyPgliteDataDir(), path.join(dataDir, "pgdata"));
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

/** `cp -R`: a third of the CPU fs.cp spends on a data directory's thousand files. */
async function copyDir(from: string, to: string): Promise<void> {
  try {
    await execFileAsync("cp", ["-R", from, to]);
  } catch {
    await rm(to, { recursive: true, force: true });
    await cp(from, to, { recursive: true });
  }
}

const packageVersion = (name: string) => {
  const pkg = path.join(path.dirname(fileURLToPath(import.meta.resolve(name))), "..", "package.json");
  return (JSON.parse(readFileSync(pkg, "utf8")) as { version: string }).version;
};

/**
 * A template data directory, made by `build` on first use and kept under `name` in the temp
 * directory. Built aside and renamed into place, so a directory under the final name is always
 * whole; files starting together may each build one, and the first rename wins.
 */
async function template(name: string, build: (dir: string) => Promise<void>): Promise<string> {
  const dir = path.join(os.tmpdir(), name);
  if (existsSync(path.join(dir, "PG_VERSION"))) return dir;
  const building = await mkdtemp(`${dir}.building-`);
  try {
    await build(building);
    await rename(building, dir);
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    if (!existsSync(path.join(dir, "PG_VERSION"))) throw error;
  }
  return dir;
}

/** The initialised, empty PGlite data directory (PGlite's initdb, nothing else). */
export function emptyPgliteDataDir(): Promise<string> {
  return template(`deep-agent-test-pgdata-${packageVersion("@electric-sql/pglite")}`, async (dir) => {
    const pglite = await PGlite.create({ dataDir: dir });
    await pglite.close();
  });
}

/**
 * The PGlite data directory `deep-agent migrate` leaves on an empty one. Named by everything that
 * decides its content (PGlite and pg-boss versions, the migrations and the code applying them),
 * so a change to any of them makes a new one.
 */
export async function migratedPgliteDataDir(): Promise<string> {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const hash = createHash("sha256").update(packageVersion("@electric-sql/pglite")).update(packageVersion("pg-boss"));
  const migrations = path.join(root, "migrations");
  for (const file of readdirSync(migrations).sort()) hash.update(file).update(readFileSync(path.join(migrations, file)));
  for (const file of ["src/store/migrate.ts", "src/store/sql/migrations.ts", "src/queue/open-queue.ts", "src/queue/boss.ts", "src/queue/queue-policy.ts"]) {
    hash.update(file).update(readFileSync(path.join(root, file)));
  }
  const empty = await emptyPgliteDataDir();
  return template(`deep-agent-test-pgdata-migrated-${hash.digest("hex").slice(0, 16)}`, async (dir) => {
    const { loadConfig } = await import("../../src/config/env.ts");
    const { createLogger } = await import("../../src/shared/log.ts");
    const { openQueueStack } = await import("../../src/queue/open-queue.ts");
    const dataDir = `${dir}.data`;
    await copyDir(empty, path.join(dataDir, "pgdata"));
    try {
      const stack = await openQueueStack(loadConfig({ DATA_DIR: dataDir }), createLogger({ level: "silent", secrets: [] }), { role: "command", supervise: false });
      await stack.close();
      await rm(dir, { recursive: true, force: true });
      await rename(path.join(dataDir, "pgdata"), dir);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
}
