// PGlite is one process's database: the first process to open DATA_DIR owns it and others
// talk to it through a socket. This file holds who the owner is: DATA_DIR/db.lock with its pid.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync } from "node:fs";
import path from "node:path";

export type OwnerRole = "server" | "command";

export interface LockInfo {
  pid: number;
  role: OwnerRole;
}

function lockPath(dataDir: string): string {
  return path.join(dataDir, "db.lock");
}

export function socketPath(dataDir: string): string {
  return path.join(dataDir, "db.sock");
}

/** Takes the lock; null when a live process holds it. A lock left by a dead process is taken over. */
export function tryAcquireLock(dataDir: string, role: OwnerRole): { release(): void } | null {
  const file = lockPath(dataDir);
  for (let i = 0; i < 3; i++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, JSON.stringify({ pid: process.pid, role } satisfies LockInfo));
      closeSync(fd);
      return {
        release() {
          const holder = readLock(dataDir);
          if (holder?.pid === process.pid) unlinkQuietly(file);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = readLock(dataDir);
      if (holder && isAlive(holder.pid)) return null;
      // The holder died (SIGKILL, power loss) without releasing: its lock is stale.
      unlinkQuietly(file);
    }
  }
  return null;
}

export function readLock(dataDir: string): LockInfo | null {
  try {
    const parsed = JSON.parse(readFileSync(lockPath(dataDir), "utf8")) as Partial<LockInfo>;
    if (typeof parsed.pid !== "number") return null;
    return { pid: parsed.pid, role: parsed.role === "server" ? "server" : "command" };
  } catch {
    // Missing, or being written right now (empty): treat as no readable holder yet.
    return null;
  }
}

export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
