// The file tools of the local sandbox: read, write and list, confined to the workdir.
// These run in our process (not through the isolation), so confinement is checked here.
import fs from "node:fs/promises";
import path from "node:path";
import type { FileEntry } from "../port.ts";
import { CodedError } from "../../shared/errors.ts";
import { confinePath, type WorkdirRoot } from "./confine-path.ts";

export async function readWorkdirFile(root: WorkdirRoot, requested: string): Promise<Uint8Array> {
  const target = await confinePath(root, requested);
  try {
    const stat = await fs.stat(target.realPath);
    if (stat.isDirectory()) throw isDirectory(requested, target.path);
    return new Uint8Array(await fs.readFile(target.realPath));
  } catch (error) {
    throw fileError(error, requested, target.path);
  }
}

export async function writeWorkdirFile(root: WorkdirRoot, requested: string, content: string | Uint8Array): Promise<void> {
  const target = await confinePath(root, requested);
  try {
    await fs.mkdir(path.dirname(target.realPath), { recursive: true });
    await fs.writeFile(target.realPath, content);
  } catch (error) {
    throw fileError(error, requested, target.path);
  }
}

export async function listWorkdir(root: WorkdirRoot, requested: string): Promise<FileEntry[]> {
  const target = await confinePath(root, requested);
  try {
    const dirents = await fs.readdir(target.realPath, { withFileTypes: true });
    const entries = await Promise.all(
      dirents.map(async (d): Promise<FileEntry> => {
        const entry: FileEntry = {
          name: d.name,
          path: path.join(target.path, d.name),
          type: d.isDirectory() ? "dir" : d.isFile() ? "file" : d.isSymbolicLink() ? "symlink" : "other",
        };
        if (d.isFile()) {
          // A file can vanish between readdir and stat; it is listed without a size then.
          const stat = await fs.lstat(path.join(target.realPath, d.name)).catch(() => undefined);
          if (stat) entry.size = stat.size;
        }
        return entry;
      }),
    );
    return entries.sort(dirsFirstByName);
  } catch (error) {
    throw fileError(error, requested, target.path);
  }
}

function dirsFirstByName(a: FileEntry, b: FileEntry): number {
  const rank = (e: FileEntry) => (e.type === "dir" ? 0 : 1);
  return rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function isDirectory(requested: string, resolved: string): CodedError {
  return new CodedError("is_directory",
    `${JSON.stringify(requested)} (${resolved}) is a directory, not a file; list it to see what it holds.`,
  );
}

/** Node's errno errors, turned into the port's codes with a message naming the path. */
function fileError(error: unknown, requested: string, resolved: string): CodedError {
  if (error instanceof CodedError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${JSON.stringify(requested)} (${resolved})`;
  switch (code) {
    case "ENOENT":
      return new CodedError("file_not_found", `No such file or directory in the sandbox: ${where}.`, { cause: error });
    case "EISDIR":
      return isDirectory(requested, resolved);
    case "ENOTDIR":
      return new CodedError("not_directory",
        `${where} is not a directory: it, or a part of the path, is a file.`,
        { cause: error },
      );
    default:
      return new CodedError("file_io", `Could not access ${where}: ${(error as Error).message}`, { cause: error });
  }
}
