// A stand-in for envd, the daemon inside every E2B sandbox, serving many sandboxes at once: the
// SDK names the sandbox in the E2b-Sandbox-Id header of every request, so one server can play
// the sandbox URL for all of them (E2B_SANDBOX_URL / sandboxUrl), or localhost:49983 in the
// SDK's debug mode (autoCreate: any sandbox id gets a sandbox on first use).
// Routes: GET /health, GET|POST /files, GET /envs, and Connect RPC under /process.Process/* and
// /filesystem.Filesystem/*. Commands run for real, as the user running the tests, in a
// directory of their own per sandbox.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { serveRpc, type RpcMethod } from "./connect-protocol.ts";
import { processMethods } from "./process-service.ts";
import { filesystemMethods } from "./filesystem-service.ts";
import { serveFiles } from "./files-routes.ts";
import { ProcessTable } from "./process-table.ts";
import { DEFAULT_USER, SandboxRoot } from "./sandbox-root.ts";

export interface StandInSandbox {
  readonly id: string;
  readonly root: SandboxRoot;
  readonly processes: ProcessTable;
  readonly envVars: Record<string, string>;
  readonly accessToken: string | undefined;
  paused: boolean;
}

export interface EnvdOptions {
  /** Create a sandbox for any unknown id (debug mode, where the SDK skips the control plane). */
  autoCreate?: boolean;
}

export class EnvdStandIn {
  readonly baseDir: string;
  private readonly autoCreate: boolean;
  private readonly sandboxes = new Map<string, StandInSandbox>();
  private readonly creating = new Map<string, Promise<StandInSandbox>>();
  private counter = 0;

  private constructor(baseDir: string, options: EnvdOptions) {
    this.baseDir = baseDir;
    this.autoCreate = options.autoCreate ?? false;
  }

  static async create(options: EnvdOptions = {}): Promise<EnvdStandIn> {
    return new EnvdStandIn(await fs.mkdtemp(path.join(os.tmpdir(), "e2b-envd-")), options);
  }

  async addSandbox(id: string, options: { envVars?: Record<string, string>; accessToken?: string } = {}): Promise<StandInSandbox> {
    const root = await SandboxRoot.create(path.join(this.baseDir, `${++this.counter}-${id.replace(/[^\w.-]/g, "_")}`));
    const sandbox: StandInSandbox = {
      id,
      root,
      processes: new ProcessTable(root, options.envVars ?? {}),
      envVars: options.envVars ?? {},
      accessToken: options.accessToken,
      paused: false,
    };
    this.sandboxes.set(id, sandbox);
    return sandbox;
  }

  get(id: string): StandInSandbox | undefined {
    return this.sandboxes.get(id);
  }

  setPaused(id: string, paused: boolean): void {
    const sandbox = this.sandboxes.get(id);
    if (!sandbox || sandbox.paused === paused) return;
    sandbox.paused = paused;
    sandbox.processes.freeze(paused);
  }

  async removeSandbox(id: string): Promise<void> {
    const sandbox = this.sandboxes.get(id);
    if (!sandbox) return;
    this.sandboxes.delete(id);
    sandbox.processes.freeze(false);
    sandbox.processes.killAll();
    await fs.rm(sandbox.root.root, { recursive: true, force: true });
  }

  async close(): Promise<void> {
    for (const id of [...this.sandboxes.keys()]) await this.removeSandbox(id);
    await fs.rm(this.baseDir, { recursive: true, force: true });
  }

  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://stand-in");
    const sandbox = await this.sandboxFor(req);
    if (!sandbox || sandbox.paused) {
      // What E2B's edge proxy answers for a sandbox that is not running; the SDK reads a 502 as
      // "the sandbox timed out or was killed".
      res.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ code: 502, message: "The sandbox was not found", sandboxId: headerOf(req, "e2b-sandbox-id") ?? "" }));
      return;
    }
    if (sandbox.accessToken && headerOf(req, "x-access-token") !== sandbox.accessToken) {
      res
        .writeHead(401, { "content-type": "application/json" })
        .end(JSON.stringify({ code: 401, message: "unauthorized access, please provide a valid access token or method signing if supported" }));
      return;
    }

    if (url.pathname === "/health" && req.method === "GET") {
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === "/envs" && req.method === "GET") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(sandbox.envVars));
      return;
    }
    if (url.pathname === "/files") {
      await serveFiles(req, body, url, sandbox.root, res);
      return;
    }
    const rpc = /^\/(process\.Process|filesystem\.Filesystem)\/(\w+)$/.exec(url.pathname);
    if (rpc && req.method === "POST") {
      const user = basicAuthUser(req) ?? DEFAULT_USER;
      let methods: Record<string, RpcMethod>;
      try {
        methods = rpc[1] === "process.Process" ? processMethods({ processes: sandbox.processes, user }) : filesystemMethods({ root: sandbox.root, user });
        sandbox.root.homeOf(user);
      } catch (error) {
        res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ code: "unauthenticated", message: (error as Error).message }));
        return;
      }
      const method = methods[rpc[2]!];
      if (!method) {
        res.writeHead(501, { "content-type": "application/json" }).end(JSON.stringify({ code: "unimplemented", message: `${rpc[1]}/${rpc[2]} is not implemented by the stand-in` }));
        return;
      }
      await serveRpc(req, res, body, method);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  };

  private async sandboxFor(req: IncomingMessage): Promise<StandInSandbox | undefined> {
    const id = headerOf(req, "e2b-sandbox-id") ?? "default";
    const existing = this.sandboxes.get(id);
    if (existing || !this.autoCreate) return existing;
    let pending = this.creating.get(id);
    if (!pending) {
      pending = this.addSandbox(id).finally(() => this.creating.delete(id));
      this.creating.set(id, pending);
    }
    return pending;
  }
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The SDK names a user with `Authorization: Basic base64("<user>:")`. */
function basicAuthUser(req: IncomingMessage): string | undefined {
  const auth = headerOf(req, "authorization");
  if (!auth?.startsWith("Basic ")) return undefined;
  const decoded = Buffer.from(auth.slice(6), "base64").toString("utf8");
  return decoded.split(":")[0] || undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface ListeningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves a handler on 127.0.0.1. With a fixed port that is busy (another test file holding
 * the debug port 49983), waits for it to free up: the port itself is the lock.
 */
export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>, options: { port?: number; waitForPortMs?: number } = {}): Promise<ListeningServer> {
  const server = http.createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      if (!res.writableEnded) res.end(String(error));
    });
  });
  const port = options.port ?? 0;
  const giveUpAt = Date.now() + (options.waitForPortMs ?? 0);
  for (;;) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => {
          server.off("error", reject);
          resolve();
        });
      });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || Date.now() >= giveUpAt) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
