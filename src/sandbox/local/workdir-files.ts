// The file tools of the local sandbox: read, write and list, confined to the workdir.
// They run in our process, not through the isolation, so they must be safe against
// the task's own commands changing the tree at the same moment: every path is opened
// component by component from a descriptor of the workdir (workdir-walk.ts), only
// regular files are read or written, nothing can block, reads stop as soon as they
// have what was asked, and each operation has a time limit (file-op-gate.ts).
import fsp from "node:fs/promises";
import path from "node:path";
import type { FileEntry, ReadFileOptions, ReadTextOptions, TextSlice } from "../port.ts";
import type { WorkdirRoot } from "./confine-path.ts";
import { fileError, tooLarge } from "./file-errors.ts";
import { FileOpGate } from "./file-op-gate.ts";
import { readTextSlice, readWhole, writeWhole } from "./text-slice.ts";
import { WorkdirOpener, type OpenedInWorkdir } from "./workdir-walk.ts";

export interface WorkdirFileLimits {
  /** Per operation, waiting included. */
  timeoutMs: number;
  /** Operations of one sandbox at once. */
  concurrency: number;
  /** readFile without maxBytes refuses bigger files ("too_large"). */
  maxReadBytes: number;
  /** readText: bytes of returned text at most (a caller may ask for less). */
  maxTextBytes: number;
  /** readText: longest line returned whole, in characters, unless the caller says. */
  maxLineChars: number;
  /** readText: how far it reads on through one unending line, and past the slice to count the lines left. */
  scanAheadBytes: number;
  /** list: entries returned at most (the rest of a huge directory is left out). */
  maxListEntries: number;
}

const DEFAULT_FILE_LIMITS: WorkdirFileLimits = {
  timeoutMs: 30_000,
  concurrency: 2,
  maxReadBytes: 64 * 1024 * 1024,
  maxTextBytes: 256 * 1024,
  maxLineChars: 2000,
  scanAheadBytes: 8 * 1024 * 1024,
  maxListEntries: 10_000,
};

export class WorkdirFiles {
  readonly #opener: WorkdirOpener;
  readonly #gate: FileOpGate;
  readonly #limits: WorkdirFileLimits;

  constructor(root: WorkdirRoot, limits: Partial<WorkdirFileLimits> = {}) {
    this.#limits = { ...DEFAULT_FILE_LIMITS, ...limits };
    this.#opener = new WorkdirOpener(root);
    this.#gate = new FileOpGate({ timeoutMs: this.#limits.timeoutMs, concurrency: this.#limits.concurrency });
  }

  /** Later operations fail with code "sandbox_closed"; the workdir's descriptor is closed once running ones end. */
  close(): void {
    this.#opener.dispose();
  }

  get limits(): Readonly<WorkdirFileLimits> {
    return this.#limits;
  }

  read(requested: string, options: ReadFileOptions = {}): Promise<Uint8Array> {
    const maxBytes = Math.min(options.maxBytes ?? this.#limits.maxReadBytes, this.#limits.maxReadBytes);
    return this.#gate.run(`Reading ${JSON.stringify(requested)}`, options.signal, (signal) =>
      this.#withOpened(requested, "read", signal, async (f) => {
        if (f.stat.size > maxBytes) {
          throw tooLarge(f.names, f.stat.size, maxBytes, "read parts of it with read_file's offset and limit, or work on it with execute (head, sed, grep).");
        }
        return readWhole(f.handle, f.stat.size, signal);
      }),
    );
  }

  readText(requested: string, options: ReadTextOptions = {}): Promise<TextSlice> {
    const limits = this.#limits;
    const spec = {
      offset: Math.max(0, Math.floor(options.offset ?? 0)),
      limit: Math.max(1, Math.floor(options.limit ?? Number.MAX_SAFE_INTEGER)),
      maxBytes: Math.max(1, Math.min(options.maxBytes ?? limits.maxTextBytes, limits.maxTextBytes)),
      maxLineChars: Math.max(1, options.maxLineChars ?? limits.maxLineChars),
      scanAheadBytes: limits.scanAheadBytes,
    };
    return this.#gate.run(`Reading ${JSON.stringify(requested)}`, options.signal, (signal) =>
      this.#withOpened(requested, "read", signal, (f) => readTextSlice(f.handle, f.stat.size, spec, signal)),
    );
  }

  write(requested: string, content: string | Uint8Array, signal?: AbortSignal): Promise<void> {
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    return this.#gate.run(`Writing ${JSON.stringify(requested)}`, signal, (inner) =>
      this.#withOpened(requested, "write", inner, async (f) => {
        // Truncated only now that it is known to be a regular file inside the workdir.
        await f.handle.truncate(0);
        await writeWhole(f.handle, bytes, inner);
      }),
    );
  }

  list(requested: string, signal?: AbortSignal): Promise<FileEntry[]> {
    return this.#gate.run(`Listing ${JSON.stringify(requested)}`, signal, (inner) =>
      this.#withOpened(requested, "directory", inner, async (f) => {
        const entries: FileEntry[] = [];
        // Read through the descriptor: the magic link is the directory that was opened.
        const dir = await fsp.opendir(descriptorPath(f), { bufferSize: 64 });
        try {
          for await (const d of dir) {
            inner.throwIfAborted();
            const entry: FileEntry = {
              name: d.name,
              path: path.join(f.names.shown, d.name),
              type: d.isDirectory() ? "dir" : d.isFile() ? "file" : d.isSymbolicLink() ? "symlink" : "other",
            };
            if (d.isFile()) {
              // lstat never follows the name and never opens the file. A file can vanish
              // between readdir and lstat; it is listed without a size then.
              const stat = await fsp.lstat(path.join(descriptorPath(f), d.name)).catch(() => undefined);
              if (stat?.isFile()) entry.size = stat.size;
            }
            entries.push(entry);
            if (entries.length >= this.#limits.maxListEntries) break;
          }
        } finally {
          await dir.close().catch(() => {});
        }
        return entries.sort(dirsFirstByName);
      }),
    );
  }

  /**
   * The directory `requested` names, opened safely, for the time `use` runs: `use` gets a
   * path that reaches exactly that directory (through the descriptor, on Linux).
   */
  async withDirectory<T>(requested: string, use: (dirPath: string) => Promise<T>): Promise<T> {
    const opened = await this.#gate.run(`Opening ${JSON.stringify(requested)}`, undefined, async (signal) => {
      const f = await this.#opener.open(requested, "directory", signal);
      if (signal.aborted) {
        // Abandoned at its time limit: nobody will close it but us.
        await f.handle.close().catch(() => {});
        throw signal.reason;
      }
      return f;
    });
    try {
      return await use(descriptorPath(opened));
    } finally {
      await opened.handle.close().catch(() => {});
    }
  }

  async #withOpened<T>(requested: string, intent: "read" | "write" | "directory", signal: AbortSignal | undefined, use: (f: OpenedInWorkdir) => Promise<T>): Promise<T> {
    const opened = await this.#opener.open(requested, intent, signal);
    try {
      return await use(opened);
    } catch (error) {
      throw fileError(error, opened.names);
    } finally {
      await opened.handle.close().catch(() => {});
    }
  }
}

/** A path that reaches the opened object itself, whatever has been renamed since. */
function descriptorPath(f: OpenedInWorkdir): string {
  return process.platform === "linux" ? `/proc/self/fd/${f.handle.fd}` : f.realPath;
}

function dirsFirstByName(a: FileEntry, b: FileEntry): number {
  const rank = (e: FileEntry) => (e.type === "dir" ? 0 : 1);
  return rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
