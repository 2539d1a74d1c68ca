// Files of an E2B sandbox under the local adapter's rules: regular files only — a FIFO, a
// socket or a device is refused before anything opens it (opening one can block), on what
// envd's Stat says —, reads bounded — the size is known before a byte is downloaded, and
// text is downloaded as a stream, only as far as the slice needs —, and every operation
// time-limited. The worker's memory stays flat whatever the file's size.
import path from "node:path";
import type { EntryInfo, Sandbox as SdkSandbox } from "e2b";
import type { ReadFileOptions, ReadTextOptions, TextSlice } from "../port.ts";
import { CodedError } from "../../shared/errors.ts";
import { TextSlicer } from "../text-slice.ts";
import { fileError } from "./e2b-errors.ts";

export interface E2BFileLimits {
  /** Per operation: looking at the path, then downloading. */
  timeoutMs: number;
  /** readFile without maxBytes refuses bigger files ("too_large"). */
  maxReadBytes: number;
  /** readText: bytes of returned text at most (a caller may ask for less). */
  maxTextBytes: number;
  /** readText: longest line returned whole, in characters, unless the caller says. */
  maxLineChars: number;
  /** readText: how far it reads on through one unending line, and past the slice to count the lines left. */
  scanAheadBytes: number;
}

const DEFAULT_LIMITS: E2BFileLimits = {
  timeoutMs: 60_000,
  maxReadBytes: 64 * 1024 * 1024,
  maxTextBytes: 256 * 1024,
  maxLineChars: 2000,
  // Less than the local adapter's 8 MiB: here every byte read ahead crosses the network.
  scanAheadBytes: 256 * 1024,
};

type PathKind = { kind: "file"; size: number } | { kind: "dir" } | { kind: "missing" } | { kind: "other" };

/** Symbolic links followed at most, as Linux's own limit. */
const MAX_LINK_HOPS = 40;

export class E2BFiles {
  readonly #sdk: SdkSandbox;
  readonly #sandboxId: string;
  readonly #limits: E2BFileLimits;

  constructor(sdk: SdkSandbox, sandboxId: string, limits: Partial<E2BFileLimits> = {}) {
    this.#sdk = sdk;
    this.#sandboxId = sandboxId;
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** `target` is an absolute sandbox path. */
  async read(target: string, options: ReadFileOptions = {}): Promise<Uint8Array> {
    const maxBytes = Math.min(options.maxBytes ?? this.#limits.maxReadBytes, this.#limits.maxReadBytes);
    return this.#run(`Reading ${target}`, target, options.signal, async (signal) => {
      const size = await this.#regularFileSize(target, signal);
      if (size > maxBytes) throw tooLarge(target, size, maxBytes);
      const chunks: Uint8Array[] = [];
      let total = 0;
      await this.#download(target, signal, (chunk) => {
        total += chunk.byteLength;
        // It grew since it was looked at: the same limit holds.
        if (total > maxBytes) throw tooLarge(target, total, maxBytes);
        chunks.push(chunk);
        return false;
      });
      return new Uint8Array(Buffer.concat(chunks, total));
    });
  }

  async readText(target: string, options: ReadTextOptions = {}): Promise<TextSlice> {
    const limits = this.#limits;
    const spec = {
      offset: Math.max(0, Math.floor(options.offset ?? 0)),
      limit: Math.max(1, Math.floor(options.limit ?? Number.MAX_SAFE_INTEGER)),
      maxBytes: Math.max(1, Math.min(options.maxBytes ?? limits.maxTextBytes, limits.maxTextBytes)),
      maxLineChars: Math.max(1, options.maxLineChars ?? limits.maxLineChars),
      scanAheadBytes: limits.scanAheadBytes,
    };
    return this.#run(`Reading ${target}`, target, options.signal, async (signal) => {
      const size = await this.#regularFileSize(target, signal);
      const slicer = new TextSlicer(size, spec);
      let slice: TextSlice | undefined;
      if (size > 0) {
        await this.#download(target, signal, (chunk) => {
          // Read to the size it had when looked at: what it grew by since is not read.
          slice = slicer.push(chunk.subarray(0, size - slicer.position));
          return slice !== undefined || slicer.position >= size;
        });
      }
      return slice ?? slicer.end();
    });
  }

  /** Refuses a path a write must not open: anything there but a regular file. */
  async checkWritable(target: string, signal?: AbortSignal): Promise<void> {
    await this.#run(`Looking at ${target} before writing it`, target, signal, async (inner) => {
      const found = await this.#inspect(target, inner);
      if (found.kind === "dir") throw isDirectory(target);
      if (found.kind === "other") throw notRegularFile(target);
    });
  }

  async #regularFileSize(target: string, signal: AbortSignal): Promise<number> {
    const found = await this.#inspect(target, signal);
    switch (found.kind) {
      case "file":
        return found.size;
      case "dir":
        throw isDirectory(target);
      case "missing":
        throw new CodedError("file_not_found", `${target} does not exist`);
      case "other":
        throw notRegularFile(target);
    }
  }

  /**
   * What a path is, asked of envd without opening it (a Stat, which does not follow the last
   * component): symbolic links are followed here, as a read would follow them.
   */
  async #inspect(target: string, signal: AbortSignal): Promise<PathKind> {
    let current = target;
    for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
      let info: EntryInfo;
      try {
        info = await this.#sdk.files.getInfo(current, { requestTimeoutMs: this.#limits.timeoutMs, signal });
      } catch (error) {
        if (fileError(error, current, this.#sandboxId).code === "file_not_found") return { kind: "missing" };
        throw error;
      }
      if (info.type === "file") return { kind: "file", size: info.size };
      if (info.type === "dir") return { kind: "dir" };
      // envd names no other kind: a FIFO, a socket or a device.
      if (info.type !== "symlink" || info.symlinkTarget === undefined) return { kind: "other" };
      current = path.posix.resolve(path.posix.dirname(current), info.symlinkTarget);
    }
    throw new CodedError("file_io", `Too many levels of symbolic links in ${target}.`);
  }

  /** Streams the file to `take` until it says it has enough (true) or the file ends; the download stops there. */
  async #download(target: string, signal: AbortSignal, take: (chunk: Uint8Array) => boolean): Promise<void> {
    const ms = this.#limits.timeoutMs;
    const stream = await this.#sdk.files.read(target, { format: "stream", signal, requestTimeoutMs: ms, streamIdleTimeoutMs: ms });
    const reader = stream.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || take(value)) return;
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  }

  /** One operation under the time limit and the caller's signal; failures in the port's words. */
  async #run<T>(what: string, target: string, callerSignal: AbortSignal | undefined, use: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const timeout = AbortSignal.timeout(this.#limits.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    try {
      return await use(signal);
    } catch (error) {
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (timeout.aborted) {
        throw new CodedError("file_io", `${what} in the E2B sandbox took longer than ${this.#limits.timeoutMs / 1000} s and was stopped.`, {
          cause: error,
        });
      }
      throw fileError(error, target, this.#sandboxId);
    }
  }
}

function isDirectory(target: string): CodedError {
  return new CodedError("is_directory", `${target} is a directory, not a file; list it to see what it holds.`);
}

function notRegularFile(target: string): CodedError {
  return new CodedError(
    "not_regular_file",
    `${target} is not a regular file (a FIFO, a socket or a device); file tools only read and write regular files. Use execute if you really mean to talk to it (with a timeout: it may never answer).`,
  );
}

function tooLarge(target: string, size: number, maxBytes: number): CodedError {
  return new CodedError(
    "too_large",
    `${target} is ${size} bytes, more than the ${maxBytes} bytes this takes; read parts of it with read_file's offset and limit, or work on it with execute (head, sed, grep).`,
  );
}
