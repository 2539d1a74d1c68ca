// The errors the local file tools show the model: a port code and a message that
// names the path as it was asked for and where it resolved.
import { CodedError } from "../../shared/errors.ts";

/** How a path is named in messages: as the model gave it, and as an absolute path under the workdir. */
export interface PathNames {
  requested: string;
  shown: string;
}

function where(p: PathNames): string {
  return `${JSON.stringify(p.requested)} (${p.shown})`;
}

export function outsideWorkdir(p: PathNames, workdir: string, viaLink?: string): CodedError {
  const how = viaLink === undefined ? `resolves to ${p.shown}` : `resolves through a symbolic link to ${viaLink}`;
  return new CodedError(
    "outside_workdir",
    `The path ${JSON.stringify(p.requested)} ${how}, which is outside the sandbox's working directory ${workdir}. ` +
      "File tools only reach paths inside it: use a path relative to it, or an absolute path under it.",
  );
}

function notFound(p: PathNames, cause?: unknown): CodedError {
  return new CodedError("file_not_found", `No such file or directory in the sandbox: ${where(p)}.`, { cause });
}

export function isDirectory(p: PathNames): CodedError {
  return new CodedError("is_directory", `${where(p)} is a directory, not a file; list it to see what it holds.`);
}

export function notDirectory(p: PathNames, cause?: unknown): CodedError {
  return new CodedError("not_directory", `${where(p)} is not a directory: it, or a part of the path, is a file.`, { cause });
}

export function notRegularFile(p: PathNames, kind: string): CodedError {
  return new CodedError(
    "not_regular_file",
    `${where(p)} is a ${kind}, not a regular file; file tools only read and write regular files. Use execute if you really mean to talk to it (with a timeout: it may never answer).`,
  );
}

export function tooLarge(p: PathNames, size: number, maxBytes: number, hint: string): CodedError {
  return new CodedError("too_large", `${where(p)} is ${size} bytes, more than the ${maxBytes} bytes this takes; ${hint}`);
}

export function tooManyLinks(p: PathNames): CodedError {
  return new CodedError("file_io", `Too many levels of symbolic links in ${where(p)}.`);
}

export function changedWhileOpening(p: PathNames): CodedError {
  return new CodedError("file_io", `${where(p)} kept changing while it was being opened; try again once nothing else modifies it.`);
}

/** Node's errno errors, turned into the port's codes with a message naming the path. */
export function fileError(error: unknown, p: PathNames): CodedError {
  if (error instanceof CodedError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return notFound(p, error);
    case "EISDIR":
      return isDirectory(p);
    case "ENOTDIR":
      return notDirectory(p, error);
    case "ENXIO":
      // open() of a socket, or of a FIFO for writing with no reader.
      return notRegularFile(p, "FIFO or socket");
    case "EAGAIN":
    case "EWOULDBLOCK":
      return new CodedError("file_io", `${where(p)} is busy: another process holds a lease or lock on it. Try again later.`, { cause: error });
    default:
      return new CodedError("file_io", `Could not access ${where(p)}: ${(error as Error).message}`, { cause: error });
  }
}

/** The kind of a non-regular file, for messages. */
export function kindOf(stat: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSymbolicLink(): boolean }): string {
  if (stat.isFIFO()) return "FIFO (named pipe)";
  if (stat.isSocket()) return "socket";
  if (stat.isCharacterDevice()) return "character device";
  if (stat.isBlockDevice()) return "block device";
  if (stat.isSymbolicLink()) return "symbolic link";
  return "special file";
}
