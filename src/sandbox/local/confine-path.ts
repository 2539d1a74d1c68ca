// Resolves a path a tool was given against the sandbox's working directory and
// refuses any that lands outside it, lexically (`..`, absolute paths) or through a
// symbolic link (checked on the real path, dangling links included).
import fs from "node:fs/promises";
import path from "node:path";
import { CodedError } from "../../shared/errors.ts";

export interface WorkdirRoot {
  /** The workdir as the sandbox shows it. */
  readonly path: string;
  /** The same directory with every symbolic link resolved. */
  readonly realPath: string;
}

export interface ConfinedPath {
  /** Absolute path under the workdir, as shown to the model. */
  readonly path: string;
  /** The real location (links resolved) to operate on. */
  readonly realPath: string;
}

const MAX_LINK_HOPS = 40;

export async function confinePath(root: WorkdirRoot, requested: string): Promise<ConfinedPath> {
  if (requested.includes("\0")) {
    throw new CodedError("file_io", `The path ${JSON.stringify(requested)} contains a NUL byte; give a plain file path.`);
  }
  const absolute = path.resolve(root.path, requested);
  if (!isAtOrUnder(absolute, root.path) && !isAtOrUnder(absolute, root.realPath)) {
    throw outside(requested, absolute, root);
  }
  const real = await resolveReal(absolute, 0);
  if (!isAtOrUnder(real, root.realPath)) {
    throw outside(requested, real, root, true);
  }
  return { path: absolute, realPath: real };
}

function outside(requested: string, resolved: string, root: WorkdirRoot, viaLink = false): CodedError {
  const how = viaLink ? `resolves through a symbolic link to ${resolved}` : `resolves to ${resolved}`;
  return new CodedError("outside_workdir",
    `The path ${JSON.stringify(requested)} ${how}, which is outside the sandbox's working directory ${root.path}. ` +
      "File tools only reach paths inside it: use a path relative to it, or an absolute path under it.",
  );
}

function isAtOrUnder(candidate: string, dir: string): boolean {
  const rel = path.relative(dir, candidate);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * The real path `p` stands for, even where it does not exist yet: the deepest
 * existing ancestor is resolved and the rest appended. A dangling link is followed
 * to where it points, since writing through it would create the file there.
 */
async function resolveReal(p: string, hops: number): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR") throw ioError(p, error);
  }
  const stat = await fs.lstat(p).catch(() => undefined);
  if (stat?.isSymbolicLink()) {
    if (hops >= MAX_LINK_HOPS) {
      throw new CodedError("file_io", `Too many levels of symbolic links at ${p}.`);
    }
    const target = await fs.readlink(p);
    return resolveReal(path.resolve(path.dirname(p), target), hops + 1);
  }
  const parent = path.dirname(p);
  if (parent === p) return p;
  return path.join(await resolveReal(parent, hops), path.basename(p));
}

function ioError(p: string, cause: unknown): CodedError {
  return new CodedError("file_io", `Could not resolve ${p}: ${(cause as Error).message}`, { cause });
}
