// Deletes a sandbox directory for good. Tools leave read-only trees behind (Go's
// module cache, `chmod -w` in tests), which a non-root user cannot delete until the
// directories are writable again.
import fs from "node:fs/promises";
import path from "node:path";

export async function removeTree(dir: string): Promise<void> {
  // Most sandboxes end empty (or were never used): one call instead of a walk's lstat, readdir and rmdir.
  if (await removeEmpty(dir)) return;
  try {
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 2 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EACCES" && code !== "EPERM") throw error;
    await makeWritable(dir);
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 2 });
  }
}

/** True when `dir` is gone: it was an empty directory, or there was nothing. */
async function removeEmpty(dir: string): Promise<boolean> {
  try {
    await fs.rmdir(dir);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT";
  }
}

async function makeWritable(dir: string): Promise<void> {
  const stat = await fs.lstat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) return;
  await fs.chmod(dir, stat.mode | 0o700).catch(() => {});
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory()) await makeWritable(path.join(dir, entry.name));
  }
}
