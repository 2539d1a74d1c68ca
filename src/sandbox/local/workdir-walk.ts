// Opens a path inside a task's workdir so that what gets opened is inside it by
// construction, whatever the task's commands do to the tree at the same moment.
//
// The file tools run in our process, outside the isolation, with our rights; the
// commands of the task run at the same time and can rename, swap (renameat2
// RENAME_EXCHANGE) and relink anything in the workdir. A check on a path followed by
// an open of the same path by name is a race they win. So nothing here is ever opened
// by a name of more than one component:
//
// - the walk starts from a descriptor of the workdir itself (checked against the
//   device and inode it had the first time);
// - each component is opened relative to the descriptor of the directory before it,
//   through /proc/self/fd/<fd>/<name>: the kernel resolves that magic link to the open
//   directory object, so renaming or swapping any part of the path afterwards changes
//   nothing about what the next lookup sees;
// - every open has O_NOFOLLOW (a symbolic link fails instead of being followed),
//   O_NONBLOCK (a FIFO, a device or a leased file never blocks the thread) and
//   O_NOCTTY; intermediate components also O_DIRECTORY;
// - a symbolic link met on the way is read (readlink) and its target walked the same
//   way, component by component: a relative target from the directory holding the
//   link, an absolute one from the workdir if it lies under it. `..` goes back to the
//   directory descriptor we came from (never the kernel's `..`), and refusing to go
//   above the workdir is what makes a link out of it fail;
// - what was finally opened is checked by its descriptor: fstat for its type, and the
//   path the kernel gives for the descriptor must lie under the workdir's real path.
//
// Objects cannot move into or out of the workdir meanwhile: inside the isolation the
// workdir is its own bind mount, and rename(2) and link(2) across mounts fail (EXDEV).
//
// Elsewhere than Linux there is no /proc/self/fd; the walk then opens components by
// their full path, still one O_NOFOLLOW component at a time, and compares each
// descriptor with the path: narrower race, not none.
import fs from "node:fs";
import fsp, { type FileHandle } from "node:fs/promises";
import path from "node:path";
import { CodedError } from "../../shared/errors.ts";
import type { WorkdirRoot } from "./confine-path.ts";
import { isAtOrUnder } from "./confine-path.ts";
import { changedWhileOpening, fileError, isDirectory, kindOf, notDirectory, notRegularFile, outsideWorkdir, tooManyLinks, type PathNames } from "./file-errors.ts";

const C = fs.constants;
const SAFE = C.O_NOFOLLOW | C.O_NONBLOCK | C.O_NOCTTY;
const DIRECTORY_FLAGS = C.O_RDONLY | C.O_DIRECTORY | SAFE;
const READ_FLAGS = C.O_RDONLY | SAFE;
// No O_TRUNC: the file is truncated only once fstat said it is a regular file.
const WRITE_FLAGS = C.O_WRONLY | C.O_CREAT | SAFE;

const MAX_LINK_HOPS = 40;
/** Lookups redone because the tree changed under the walk (a link that stopped being one, a directory just made and gone). */
const MAX_RETRIES = 16;
/** Directories held open at once on the way down (for `..` in link targets). */
const MAX_DEPTH = 512;

const PROC_FD = "/proc/self/fd";
const useProcFd = process.platform === "linux";

/**
 * read: a regular file; write: a regular file, created (and its missing parent
 * directories made) if need be; directory: a directory.
 */
export type OpenIntent = "read" | "write" | "directory";

export interface OpenedInWorkdir {
  handle: FileHandle;
  stat: fs.Stats;
  /** The host path the kernel gives for the descriptor: under the workdir's real path. */
  realPath: string;
  names: PathNames;
}

interface Held {
  handle: FileHandle;
  /** The directory's real path as the walk reached it (for messages, and the non-Linux fallback). */
  path: string;
}

export class WorkdirOpener {
  readonly #root: WorkdirRoot;
  #identity: { dev: number; ino: number } | undefined;
  #rootHandle: Promise<FileHandle> | undefined;
  #users = 0;
  #disposed = false;

  constructor(root: WorkdirRoot) {
    this.#root = root;
  }

  get root(): WorkdirRoot {
    return this.#root;
  }

  /** The names a path gets in messages, and its components under the workdir; refuses `..` and absolute paths that leave it. */
  locate(requested: string): { names: PathNames; components: string[] } {
    if (requested.includes("\0")) {
      throw new CodedError("file_io", `The path ${JSON.stringify(requested)} contains a NUL byte; give a plain file path.`);
    }
    const root = this.#root;
    const shown = path.resolve(root.path, requested);
    const names = { requested, shown };
    let rel: string;
    if (isAtOrUnder(shown, root.path)) rel = path.relative(root.path, shown);
    else if (isAtOrUnder(shown, root.realPath)) rel = path.relative(root.realPath, shown);
    else throw outsideWorkdir(names, root.path);
    return { names, components: splitPath(rel) };
  }

  /** Opens `requested` for `intent`; the caller closes the handle. */
  async open(requested: string, intent: OpenIntent, signal?: AbortSignal): Promise<OpenedInWorkdir> {
    const { names, components } = this.locate(requested);
    const { handle, path: walked } = await this.#walk(components, intent, names, signal);
    try {
      const stat = await handle.stat();
      if (!useProcFd) await checkSamePlace(handle, walked, names);
      const realPath = useProcFd ? await this.#verifyInside(handle, stat, names) : walked;
      checkType(stat, intent, names);
      return { handle, stat, realPath, names };
    } catch (error) {
      await handle.close().catch(() => {});
      throw fileError(error, names);
    }
  }

  /** Closes the workdir's descriptor once no walk uses it any more; later opens fail with code "sandbox_closed". */
  dispose(): void {
    this.#disposed = true;
    this.#releaseRoot(0);
  }

  /**
   * The workdir's descriptor, shared by every walk of this sandbox and opened once: the
   * walks all start from the directory object it had then (checked by device and inode
   * if it ever has to be opened again), whatever becomes of its name.
   */
  async #acquireRoot(names: PathNames): Promise<Held> {
    if (this.#disposed) {
      throw new CodedError("sandbox_closed", `The sandbox is closed; ${JSON.stringify(names.requested)} was not opened.`);
    }
    this.#users++;
    try {
      this.#rootHandle ??= this.#openRoot().catch((error: unknown) => {
        this.#rootHandle = undefined;
        throw error;
      });
      return { handle: await this.#rootHandle, path: this.#root.realPath };
    } catch (error) {
      this.#releaseRoot(1);
      throw error;
    }
  }

  #releaseRoot(count: number): void {
    this.#users -= count;
    if (this.#disposed && this.#users === 0 && this.#rootHandle) {
      const closing = this.#rootHandle;
      this.#rootHandle = undefined;
      void closing.then((h) => h.close()).catch(() => {});
    }
  }

  async #openRoot(): Promise<FileHandle> {
    const root = this.#root;
    let handle: FileHandle;
    try {
      handle = await fsp.open(root.realPath, DIRECTORY_FLAGS);
    } catch (error) {
      throw new CodedError("file_io", `Could not open the sandbox's working directory ${root.path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      const stat = await handle.stat();
      if (useProcFd && !(await fsp.stat(`${PROC_FD}/${handle.fd}`).catch(() => undefined))) {
        throw new CodedError("file_io", `File tools need /proc mounted (to open paths safely inside ${root.path}), and it is not.`);
      }
      this.#identity ??= { dev: stat.dev, ino: stat.ino };
      if (stat.dev !== this.#identity.dev || stat.ino !== this.#identity.ino) {
        throw new CodedError("file_io", `The sandbox's working directory ${root.path} was replaced by another directory; file tools stop here.`);
      }
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
    return handle;
  }

  async #walk(components: string[], intent: OpenIntent, names: PathNames, signal?: AbortSignal): Promise<Held> {
    const root = this.#root;
    const rootHeld = await this.#acquireRoot(names);
    const held: Held[] = [rootHeld];
    // Still to walk, last component first (pop() takes the next one).
    const queue = components.slice().reverse();
    let hops = 0;
    let retries = 0;
    let madeDirs = 0;
    // The last link target followed, for the message when a walk leaves the workdir.
    let viaLink: string | undefined;
    const retry = (name: string) => {
      if (++retries > MAX_RETRIES) throw changedWhileOpening(names);
      queue.push(name);
    };
    let result: Held | undefined;
    try {
      for (;;) {
        signal?.throwIfAborted();
        const name = queue.pop();
        if (name === undefined) {
          // The path ends at a directory the walk already holds (the workdir, or one reached by `..`).
          const top = held.at(-1)!;
          if (top !== rootHeld) {
            result = held.pop()!;
            return result;
          }
          // The shared descriptor stays ours: the caller gets its own, of the same directory.
          result = { handle: await fsp.open(useProcFd ? `${PROC_FD}/${top.handle.fd}/.` : top.path, DIRECTORY_FLAGS), path: top.path };
          return result;
        }
        if (name === "" || name === ".") continue;
        if (name === "..") {
          if (held.length === 1) throw outsideWorkdir(names, root.path, viaLink ?? names.shown);
          closeSoon(held.pop()!);
          continue;
        }
        const parent = held.at(-1)!;
        const child = childPath(parent, name);
        const last = queue.length === 0;
        const flags = !last ? DIRECTORY_FLAGS : intent === "read" ? READ_FLAGS : intent === "write" ? WRITE_FLAGS : DIRECTORY_FLAGS;
        let handle: FileHandle;
        try {
          handle = await fsp.open(child, flags, 0o666);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === "ELOOP" || code === "ENOTDIR") {
            // O_NOFOLLOW met a link (ELOOP; ENOTDIR along with O_DIRECTORY), or a file is where a directory should be.
            const target = await readLink(child);
            if (target === "gone") {
              retry(name);
              continue;
            }
            if (target === null) {
              // Not a link (any more). ELOOP: it was one a moment ago. ENOTDIR: a file, or it
              // was a link and is a directory now; lstat never follows, never opens.
              const now = code === "ENOTDIR" ? await fsp.lstat(child).catch(() => undefined) : undefined;
              if (code === "ELOOP" || now === undefined || now.isDirectory() || now.isSymbolicLink()) {
                retry(name);
                continue;
              }
              throw notDirectory(names, error);
            }
            if (++hops > MAX_LINK_HOPS) throw tooManyLinks(names);
            viaLink = path.resolve(parent.path, target);
            if (path.isAbsolute(target)) {
              // From the workdir, if the target lies under it (by either of its names).
              const normal = path.normalize(target);
              const base = isAtOrUnder(normal, root.realPath) ? root.realPath : isAtOrUnder(normal, root.path) ? root.path : undefined;
              if (base === undefined) throw outsideWorkdir(names, root.path, normal);
              while (held.length > 1) closeSoon(held.pop()!);
              queue.push(...splitPath(path.relative(base, normal)).reverse());
            } else {
              queue.push(...splitPath(target).reverse());
            }
            continue;
          }
          if (code === "ENOENT" && intent === "write" && !last) {
            // mkdir -p, one component at a time; mkdir(2) never follows a link at the last component.
            const made = await fsp.mkdir(child, 0o777).then(
              () => true,
              (e: NodeJS.ErrnoException) => {
                if (e.code !== "EEXIST") throw e;
                return false;
              },
            );
            // Open what was just made; if something else got there first, that is a retry.
            if (made && ++madeDirs <= MAX_DEPTH) queue.push(name);
            else retry(name);
            continue;
          }
          throw error;
        }
        if (last) {
          result = { handle, path: path.join(parent.path, name) };
          return result;
        }
        held.push({ handle, path: path.join(parent.path, name) });
        if (held.length > MAX_DEPTH) {
          throw new CodedError("file_io", `${JSON.stringify(names.requested)} goes more than ${MAX_DEPTH} directories deep; use execute for it.`);
        }
        if (!useProcFd) await checkSamePlace(handle, path.join(parent.path, name), names);
      }
    } catch (error) {
      throw fileError(error, names);
    } finally {
      // Not waited for: nothing uses these descriptors any more, and their numbers stay taken until closed.
      for (const h of held) if (h !== result && h !== rootHeld) closeSoon(h);
      this.#releaseRoot(1);
    }
  }

  /** The descriptor's own path must lie under the workdir; returns that path. */
  async #verifyInside(handle: FileHandle, stat: fs.Stats, names: PathNames): Promise<string> {
    const root = this.#root;
    let real = await fsp.readlink(`${PROC_FD}/${handle.fd}`);
    if (real.endsWith(" (deleted)") && stat.nlink === 0) real = real.slice(0, -" (deleted)".length);
    if (!isAtOrUnder(real, root.realPath)) throw outsideWorkdir(names, root.path, real);
    return real;
  }
}

function closeSoon(h: Held): void {
  h.handle.close().catch(() => {});
}

function checkType(stat: fs.Stats, intent: OpenIntent, names: PathNames): void {
  if (intent === "directory") {
    if (!stat.isDirectory()) throw notDirectory(names);
    return;
  }
  if (stat.isDirectory()) throw isDirectory(names);
  if (!stat.isFile()) throw notRegularFile(names, kindOf(stat));
}

/** A name inside an open directory, as a path the kernel resolves through the descriptor. */
function childPath(dir: Held, name: string): string {
  return useProcFd ? `${PROC_FD}/${dir.handle.fd}/${name}` : path.join(dir.path, name);
}

/** A link's target; null when `p` is not a link, "gone" when nothing is there any more. */
async function readLink(p: string): Promise<string | null | "gone"> {
  try {
    return await fsp.readlink(p);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EINVAL") return null;
    if (code === "ENOENT") return "gone";
    throw error;
  }
}

/** Without /proc/self/fd: the directory just opened must still be the one at its path. */
async function checkSamePlace(handle: FileHandle, p: string, names: PathNames): Promise<void> {
  const [opened, there] = await Promise.all([handle.stat(), fsp.lstat(p).catch(() => undefined)]);
  if (!there || opened.dev !== there.dev || opened.ino !== there.ino) throw changedWhileOpening(names);
}

function splitPath(p: string): string[] {
  return p.split(path.sep).filter((c) => c !== "" && c !== ".");
}
