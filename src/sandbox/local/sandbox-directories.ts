// The two directories of each local sandbox (its workdir and its private TMPDIR), made under
// <dataDir>/sandboxes and <dataDir>/sandbox-tmp. The parents' real paths are looked up once:
// a directory that mkdir has just made under a real parent is itself real (mkdir makes a
// directory; it never follows a link), so a new sandbox costs two mkdirs and no realpath.
// Anything else (a retried task's directory that is still there, a parent that went away)
// takes the long way: mkdir -p, then the real paths.
import fs from "node:fs/promises";
import path from "node:path";
import { CodedError } from "../../shared/errors.ts";
import type { WorkdirRoot } from "./confine-path.ts";

export interface MadeDirectories {
  root: WorkdirRoot;
  /** The TMPDIR's real path. */
  tmpdir: string;
}

interface Parents {
  work: string;
  tmp: string;
}

export class SandboxDirectories {
  readonly #workParent: string;
  readonly #tmpParent: string;
  #parents: Promise<Parents> | undefined;

  constructor(dataDir: string) {
    this.#workParent = path.join(dataDir, "sandboxes");
    this.#tmpParent = path.join(dataDir, "sandbox-tmp");
  }

  /** Where the workdirs are: one directory per sandbox id. */
  get workParent(): string {
    return this.#workParent;
  }

  workdirOf(id: string): string {
    return path.join(this.#workParent, id);
  }

  tmpdirOf(id: string): string {
    return path.join(this.#tmpParent, id);
  }

  /** Throws a CodedError "sandbox_unavailable" naming both directories. */
  async make(id: string): Promise<MadeDirectories> {
    try {
      const parents = await this.#realParents();
      const work = path.join(parents.work, id);
      const tmp = path.join(parents.tmp, id);
      const fresh = await Promise.all([makeFresh(work), makeFresh(tmp)]);
      if (fresh[0] && fresh[1]) return { root: { path: this.workdirOf(id), realPath: work }, tmpdir: tmp };
    } catch {
      // A parent went away or cannot be used: looked up again next time; the long way says what is wrong.
      this.#parents = undefined;
    }
    return this.#makeTheLongWay(id);
  }

  async #makeTheLongWay(id: string): Promise<MadeDirectories> {
    const workdir = this.workdirOf(id);
    const tmpdir = this.tmpdirOf(id);
    try {
      await Promise.all([fs.mkdir(workdir, { recursive: true }), fs.mkdir(tmpdir, { recursive: true })]);
      const [realWork, realTmp] = await Promise.all([fs.realpath(workdir), fs.realpath(tmpdir)]);
      return { root: { path: workdir, realPath: realWork }, tmpdir: realTmp };
    } catch (error) {
      throw new CodedError("sandbox_unavailable", `Could not create the sandbox directories ${workdir} and ${tmpdir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  #realParents(): Promise<Parents> {
    this.#parents ??= (async () => {
      await Promise.all([fs.mkdir(this.#workParent, { recursive: true }), fs.mkdir(this.#tmpParent, { recursive: true })]);
      const [work, tmp] = await Promise.all([fs.realpath(this.#workParent), fs.realpath(this.#tmpParent)]);
      return { work, tmp };
    })();
    return this.#parents;
  }
}

/** True when mkdir made `dir` now; false when something was already there. */
async function makeFresh(dir: string): Promise<boolean> {
  try {
    await fs.mkdir(dir);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}
