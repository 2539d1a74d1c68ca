// The workdir a local sandbox's paths are confined to, and the lexical test of a path
// against it. Opening paths safely inside it is workdir-walk.ts's job: a check of a
// path followed by an open of the same name races the task's own commands.
import path from "node:path";

export interface WorkdirRoot {
  /** The workdir as the sandbox shows it. */
  readonly path: string;
  /** The same directory with every symbolic link resolved. */
  readonly realPath: string;
}

export function isAtOrUnder(candidate: string, dir: string): boolean {
  const rel = path.relative(dir, candidate);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
