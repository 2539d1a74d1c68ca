// Real git over smart HTTP on loopback: `git http-backend` (git's own CGI server, the protocol
// GitHub speaks) behind a small Node server that asks who may read and write, as GitHub does
// with a token in the Authorization header (Basic with the token as password, or Bearer). Bare
// repositories live in a temporary directory; a pre-receive hook refuses pushes to protected
// branch patterns with GitHub's GH006 message.
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";

export type GitAccess = "ok" | "unauthenticated" | "not_found" | "forbidden";

export interface GitRequest {
  repo: string;
  write: boolean;
  /** Whether an Authorization header came with it (the token itself is never kept). */
  authorized: boolean;
  /** The full request line, to check that no credential travels in a URL. */
  url: string;
  status: number;
}

export interface GitServer {
  /** GITHUB_URL for the app: repositories are at <url>/<owner>/<name>.git */
  url: string;
  requests: GitRequest[];
  /** The bare repository's directory. */
  dirOf(repo: string): string;
  /** Pushes to branches matching this shell pattern (e.g. "deep-agent/*") are refused (GH006). */
  protect(repo: string, pattern: string): Promise<void>;
  close(): Promise<void>;
}

export interface GitServerOptions {
  /** Holds <owner>/<name>.git bare repositories. */
  root: string;
  /** Who may do what: asked for every request that carries a token. */
  authorize(token: string, repo: string, write: boolean): Promise<{ access: GitAccess; login?: string }>;
}

const PRE_RECEIVE = `#!/bin/sh
# Refuses updates of protected branches, with the words GitHub uses.
[ -f protected-branches ] || exit 0
while read old new ref; do
  branch=\${ref#refs/heads/}
  while read pattern; do
    [ -n "$pattern" ] || continue
    case "$branch" in
      $pattern)
        echo "error: GH006: Protected branch update failed for $ref." >&2
        echo "error: Changes must be made through a pull request." >&2
        exit 1;;
    esac
  done < protected-branches
done
exit 0
`;

export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  const requests: GitRequest[] = [];
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`git double failed: ${(error as Error).message}\n`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://git.local");
    const match = /^\/([^/]+)\/([^/]+?)\.git(\/.*)$/.exec(url.pathname);
    if (!match) return text(res, 404, "Not Found\n");
    const repo = `${match[1]}/${match[2]}`;
    const write = url.searchParams.get("service") === "git-receive-pack" || match[3] === "/git-receive-pack";
    const token = tokenOf(req.headers.authorization);
    const record = (status: number) => requests.push({ repo, write, authorized: token !== null, url: req.url ?? "", status });
    if (token === null) {
      record(401);
      res.writeHead(401, { "www-authenticate": 'Basic realm="GitHub"', "content-type": "text/plain" });
      res.end("Authentication required\n");
      return;
    }
    const decision = await options.authorize(token, repo, write);
    if (decision.access === "unauthenticated") {
      record(401);
      res.writeHead(401, { "www-authenticate": 'Basic realm="GitHub"', "content-type": "text/plain" });
      res.end("Invalid username or token. Password authentication is not supported for Git operations.\n");
      return;
    }
    if (decision.access === "not_found") {
      record(404);
      return text(res, 404, "Repository not found.\n");
    }
    if (decision.access === "forbidden") {
      record(403);
      return text(res, 403, `Permission to ${repo}.git denied to ${decision.login ?? "this token"}.\n`);
    }
    const body = await readBody(req);
    const status = await backend(req, res, url, `/${repo}.git${match[3]}`, body, decision.login ?? "token");
    record(status);
  }

  function backend(req: IncomingMessage, res: ServerResponse, url: URL, pathInfo: string, body: Buffer, user: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const child = spawn("git", ["http-backend"], {
        env: {
          PATH: process.env["PATH"] ?? "/usr/bin:/bin",
          GIT_PROJECT_ROOT: options.root,
          GIT_HTTP_EXPORT_ALL: "1",
          GIT_CONFIG_NOSYSTEM: "1",
          GIT_CONFIG_GLOBAL: "/dev/null",
          PATH_INFO: pathInfo,
          REQUEST_METHOD: req.method ?? "GET",
          QUERY_STRING: url.search.slice(1),
          CONTENT_TYPE: req.headers["content-type"] ?? "",
          CONTENT_LENGTH: String(body.length),
          REMOTE_USER: user,
          REMOTE_ADDR: "127.0.0.1",
          ...(req.headers["git-protocol"] ? { GIT_PROTOCOL: String(req.headers["git-protocol"]) } : {}),
          ...(req.headers["content-encoding"] ? { HTTP_CONTENT_ENCODING: String(req.headers["content-encoding"]) } : {}),
        },
        stdio: ["pipe", "pipe", "pipe"],
      });
      const out: Buffer[] = [];
      let err = "";
      child.stdout.on("data", (d: Buffer) => out.push(d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
      child.on("error", reject);
      child.on("close", () => {
        const all = Buffer.concat(out);
        let split = all.indexOf("\r\n\r\n");
        let gap = 4;
        if (split < 0) {
          split = all.indexOf("\n\n");
          gap = 2;
        }
        if (split < 0) {
          text(res, 500, `http-backend said nothing usable: ${err}`);
          return resolve(500);
        }
        const headers: Record<string, string> = {};
        let status = 200;
        for (const line of all.subarray(0, split).toString("latin1").split(/\r?\n/)) {
          const at = line.indexOf(":");
          if (at <= 0) continue;
          const key = line.slice(0, at).trim().toLowerCase();
          const value = line.slice(at + 1).trim();
          if (key === "status") status = Number.parseInt(value, 10);
          else headers[key] = value;
        }
        res.writeHead(status, headers);
        res.end(all.subarray(split + gap));
        resolve(status);
      });
      // http-backend may answer (and exit) before reading all of a request it refuses.
      child.stdin.on("error", () => {});
      child.stdin.end(body);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const dirOf = (repo: string) => path.join(options.root, `${repo}.git`);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    dirOf,
    async protect(repo, pattern) {
      await writeFile(path.join(dirOf(repo), "protected-branches"), `${pattern}\n`, { flag: "a" });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Installs the protected-branch hook in a bare repository. */
export async function installHooks(bareDir: string): Promise<void> {
  const hook = path.join(bareDir, "hooks", "pre-receive");
  await writeFile(hook, PRE_RECEIVE);
  await chmod(hook, 0o755);
}

function tokenOf(header: string | undefined): string | null {
  if (!header) return null;
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
    const at = decoded.indexOf(":");
    const password = at >= 0 ? decoded.slice(at + 1) : decoded;
    return password || null;
  }
  const bearer = /^(?:Bearer|token)\s+(\S+)$/i.exec(header);
  return bearer ? bearer[1]! : null;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(body);
}
