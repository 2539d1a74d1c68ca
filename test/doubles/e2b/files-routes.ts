// envd's /files routes: GET downloads a file, POST uploads (multipart/form-data parts named
// "file" whose filename is the path, as the SDK sends them, or a raw application/octet-stream
// body with ?path=). Errors are JSON {code, message} with envd's statuses and wording.
// A download streams the file from disk as envd does (a big file is never in memory, and a
// client that stops reading stops it); opening a FIFO blocks, so a download of one never
// answers, as envd's would not until a writer came.
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isErrno, UnknownUserError, DEFAULT_USER, type SandboxRoot } from "./sandbox-root.ts";

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function userOf(url: URL, root: SandboxRoot): string {
  const user = url.searchParams.get("username") || DEFAULT_USER;
  try {
    root.homeOf(user);
  } catch (error) {
    if (error instanceof UnknownUserError) throw new HttpError(401, error.message);
    throw error;
  }
  return user;
}

async function download(url: URL, root: SandboxRoot, res: ServerResponse): Promise<void> {
  const user = userOf(url, root);
  const target = root.resolve(url.searchParams.get("path") ?? "", user);
  const host = root.toHost(target);
  const stats = await fs.stat(host).catch((error: unknown) => {
    if (isErrno(error, "ENOENT") || isErrno(error, "ENOTDIR")) throw new HttpError(404, `path '${target}' does not exist`);
    throw error;
  });
  if (stats.isDirectory()) throw new HttpError(400, `path '${target}' is a directory`);
  if (stats.isFIFO()) {
    await new Promise((resolve) => res.once("close", resolve));
    return;
  }
  res.writeHead(200, { "content-type": "application/octet-stream", ...(stats.isFile() ? { "content-length": String(stats.size) } : {}) });
  // A client that goes away ends the pipeline with an error: nothing to report to it then.
  await pipeline(createReadStream(host), res).catch(() => res.destroy());
}

async function writeOne(root: SandboxRoot, target: string, data: Uint8Array): Promise<{ path: string; name: string; type: "file" }> {
  const host = root.toHost(target);
  await fs.mkdir(path.dirname(host), { recursive: true }).catch((error: unknown) => {
    // Go's MkdirAll, which envd uses, words a file in the way as "not a directory".
    const reason = isErrno(error, "EEXIST") || isErrno(error, "ENOTDIR") ? "not a directory" : (error as Error).message;
    throw new HttpError(500, `error ensuring directories: mkdir ${path.posix.dirname(target)}: ${reason}`);
  });
  const stats = await fs.stat(host).catch(() => undefined);
  if (stats?.isDirectory()) throw new HttpError(400, `path is a directory: ${target}`);
  await fs.writeFile(host, data).catch((error: unknown) => {
    throw new HttpError(500, `error opening file: ${(error as Error).message}`);
  });
  return { path: target, name: path.posix.basename(target), type: "file" };
}

async function upload(req: IncomingMessage, body: Buffer, url: URL, root: SandboxRoot, res: ServerResponse): Promise<void> {
  const user = userOf(url, root);
  const pathParam = url.searchParams.get("path");
  const contentType = String(req.headers["content-type"] ?? "");
  const written: Array<{ path: string; name: string; type: "file" }> = [];

  if (contentType.startsWith("application/octet-stream")) {
    if (!pathParam) throw new HttpError(400, "path query parameter is required for raw body upload");
    written.push(await writeOne(root, root.resolve(pathParam, user), body));
  } else if (contentType.startsWith("multipart/")) {
    // The web Request parses multipart exactly as a browser-compatible server would.
    const form = await new Request("http://stand-in/files", { method: "POST", headers: { "content-type": contentType }, body }).formData();
    for (const part of form.getAll("file")) {
      if (typeof part === "string") continue;
      const target = root.resolve(pathParam ?? part.name, user);
      if (written.some((w) => w.path === target)) {
        throw new HttpError(400, `you cannot upload multiple files to the same path '${target}' in one upload request, only the first specified file was uploaded`);
      }
      written.push(await writeOne(root, target, new Uint8Array(await part.arrayBuffer())));
    }
  } else {
    throw new HttpError(400, `unsupported content type: ${contentType}, expected multipart/form-data or application/octet-stream`);
  }
  sendJson(res, 200, written);
}

export async function serveFiles(req: IncomingMessage, body: Buffer, url: URL, root: SandboxRoot, res: ServerResponse): Promise<void> {
  try {
    if (req.method === "GET") await download(url, root, res);
    else if (req.method === "POST") await upload(req, body, url, root, res);
    else throw new HttpError(405, `method ${req.method} not allowed`);
  } catch (error) {
    const status = error instanceof HttpError ? error.status : 500;
    sendJson(res, status, { code: status, message: error instanceof Error ? error.message : String(error) });
  }
}
