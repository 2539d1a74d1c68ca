// The GitHub REST API for tests: the `emulate` GitHub emulator (stateful: users, orgs, private
// repositories, collaborators, pull requests with drafts) behind a small proxy that adds what it
// lacks: GitHub's 401 for a token it does not know (the emulator lets any token in as its first
// user), a 422 for a pull request whose head branch was never pushed (the emulator would invent
// the branch) or has no commits over its base — branches live in the git double — injected
// faults (rate limits), and a log of every call.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RestCall {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

export interface RestFault {
  status: number;
  headers?: Record<string, string>;
  message?: string;
  /** How many matching calls fail (default 1). */
  times?: number;
}

export interface RestProxy {
  url: string;
  calls: RestCall[];
  /** The next calls whose "METHOD /path" matches fail. */
  fail(pattern: RegExp, fault: RestFault): void;
  close(): Promise<void>;
}

export interface RestProxyOptions {
  emulatorUrl: string;
  knownToken(token: string): boolean;
  /** The commit a branch points at in the git double, or null when there is no such branch. */
  branchSha(repo: string, branch: string): Promise<string | null>;
}

export async function startRestProxy(options: RestProxyOptions): Promise<RestProxy> {
  const calls: RestCall[] = [];
  const faults: Array<{ pattern: RegExp; fault: RestFault; left: number }> = [];
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => json(res, 500, { message: `GitHub double failed: ${(error as Error).message}` }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0]!;
    const parsed = body.length > 0 ? safeJson(body.toString("utf8")) : undefined;
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      calls.push({ method, path, status, body: parsed });
      json(res, status, payload, headers);
    };
    const token = /^(?:Bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (token !== undefined && !options.knownToken(token)) return answer(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
    const fault = faults.find((f) => f.left > 0 && f.pattern.test(`${method} ${path}`));
    if (fault) {
      fault.left--;
      return answer(fault.fault.status, { message: fault.fault.message ?? "injected" }, fault.fault.headers);
    }
    const createPull = method === "POST" ? /^\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(path) : null;
    if (createPull && parsed && typeof parsed === "object") {
      const repo = `${createPull[1]}/${createPull[2]}`;
      const { head, base } = parsed as { head?: string; base?: string };
      const headSha = typeof head === "string" ? await options.branchSha(repo, head.replace(/^[^:]+:/, "")) : null;
      if (!headSha) return answer(422, { message: "Validation Failed", errors: [{ resource: "PullRequest", field: "head", code: "invalid" }] });
      const baseSha = typeof base === "string" ? await options.branchSha(repo, base) : null;
      if (headSha === baseSha) return answer(422, { message: "Validation Failed", errors: [{ resource: "PullRequest", code: "custom", message: `No commits between ${base} and ${head}` }] });
    }
    const upstream = await fetch(`${options.emulatorUrl}${req.url}`, { method, headers: forwardHeaders(req), ...(body.length > 0 ? { body } : {}) });
    const text = await upstream.text();
    calls.push({ method, path, status: upstream.status, body: parsed });
    res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
    res.end(text);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    fail(pattern, fault) {
      faults.push({ pattern, fault, left: fault.times ?? 1 });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function forwardHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined || ["host", "connection", "content-length", "transfer-encoding"].includes(key)) continue;
    out[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(payload));
}
