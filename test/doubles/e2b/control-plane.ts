// A stand-in for the E2B control-plane API (api.e2b.app), the routes the e2b SDK v2 calls:
// create (POST /v2/sandboxes), list (GET /v2/sandboxes), info, kill, set timeout, pause and
// connect/resume. Sandboxes it creates are registered with the envd stand-in, expire when their
// timeout passes (killed, or paused with autoPause), and can be made to fail on demand.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { EnvdStandIn } from "./envd-daemon.ts";

const STAND_IN_ENVD_VERSION = "0.6.4";

export interface SandboxRecord {
  sandboxID: string;
  templateID: string;
  metadata: Record<string, string>;
  envVars: Record<string, string>;
  mcp: unknown;
  autoPause: boolean;
  startedAt: Date;
  endAt: Date;
  state: "running" | "paused" | "killed";
  /** Every lifetime the sandbox was given, in seconds: at create, by setTimeout and by connect. */
  timeouts: number[];
  envdAccessToken: string;
}

export interface ControlPlaneOptions {
  apiKey: string;
  templates?: string[];
  /** The longest timeout accepted, in seconds (E2B: 24 h on Pro, 1 h on Hobby). */
  maxTimeoutSeconds?: number;
}

const createSchema = z
  .object({
    templateID: z.string().min(1),
    timeout: z.number().int().min(0).optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    envVars: z.record(z.string(), z.string()).optional(),
    mcp: z.unknown().optional(),
    autoPause: z.boolean().optional(),
  })
  .passthrough();
const timeoutSchema = z.object({ timeout: z.number().int().min(0) });
const connectSchema = z.object({ timeout: z.number().int().min(0).optional() }).passthrough();

class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export class ControlPlaneStandIn {
  readonly records = new Map<string, SandboxRecord>();
  private readonly envd: EnvdStandIn;
  private readonly options: Required<ControlPlaneOptions>;
  private readonly expiries = new Map<string, NodeJS.Timeout>();
  private readonly failures: Array<{ status: number; message: string }> = [];
  /** Requests as received, for tests that check what the SDK sent. */
  readonly requests: Array<{ method: string; path: string; body: unknown }> = [];

  constructor(envd: EnvdStandIn, options: ControlPlaneOptions) {
    this.envd = envd;
    this.options = { templates: ["base", "mcp-gateway"], maxTimeoutSeconds: 86_400, ...options };
  }

  /** The next `count` create calls fail with this status (500, 503, 429...). */
  failNextCreates(count: number, status: number, message = "sandbox creation failed"): void {
    for (let i = 0; i < count; i++) this.failures.push({ status, message });
  }

  sandbox(id: string): SandboxRecord | undefined {
    return this.records.get(id);
  }

  /** Ends a sandbox as E2B would when its timeout passes. */
  async expire(id: string): Promise<void> {
    const record = this.records.get(id);
    if (record?.state !== "running") return;
    if (record.autoPause) await this.pause(record);
    else await this.kill(record);
  }

  async close(): Promise<void> {
    for (const timer of this.expiries.values()) clearTimeout(timer);
    this.expiries.clear();
  }

  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://stand-in");
    let body: unknown;
    try {
      body = raw.length ? JSON.parse(raw.toString("utf8")) : undefined;
    } catch {
      return send(res, 400, { code: 400, message: "request body is not valid JSON" });
    }
    this.requests.push({ method: req.method ?? "", path: url.pathname, body });
    try {
      if (req.headers["x-api-key"] !== this.options.apiKey) throw new ApiError(401, "Invalid API key");
      await this.route(req.method ?? "", url, body, res);
    } catch (error) {
      if (error instanceof ApiError) return send(res, error.status, { code: error.status, message: error.message });
      send(res, 500, { code: 500, message: error instanceof Error ? error.message : String(error) });
    }
  };

  private async route(method: string, url: URL, body: unknown, res: ServerResponse): Promise<void> {
    const p = url.pathname;
    if (method === "POST" && p === "/v2/sandboxes") return send(res, 201, await this.create(body));
    if (method === "GET" && p === "/v2/sandboxes") return this.list(url, res);

    const match = /^(?:\/v2)?\/sandboxes\/([^/]+)(?:\/(timeout|pause|connect))?$/.exec(p);
    if (!match) throw new ApiError(404, `no route ${method} ${p}`);
    const record = this.records.get(decodeURIComponent(match[1]!));
    const action = match[2];
    if (method === "POST" && action === "connect") return this.connect(record, body, res);
    if (!record || record.state === "killed") throw new ApiError(404, `sandbox "${match[1]}" not found`);

    if (method === "GET" && !action) return send(res, 200, { ...listed(record), envdAccessToken: record.envdAccessToken });
    if (method === "DELETE" && !action) {
      await this.kill(record);
      return send(res, 204);
    }
    if (method === "POST" && action === "timeout") {
      const parsed = timeoutSchema.safeParse(body);
      if (!parsed.success) throw new ApiError(400, "timeout must be a whole number of seconds");
      if (record.state !== "running") throw new ApiError(409, "sandbox is not running");
      this.setLifetime(record, this.checkTimeout(parsed.data.timeout));
      return send(res, 204);
    }
    if (method === "POST" && action === "pause") {
      if (record.state === "paused") throw new ApiError(409, "sandbox is already paused");
      await this.pause(record);
      return send(res, 204);
    }
    throw new ApiError(404, `no route ${method} ${p}`);
  }

  private async create(body: unknown): Promise<object> {
    const failure = this.failures.shift();
    if (failure) throw new ApiError(failure.status, failure.message);
    const parsed = createSchema.safeParse(body);
    if (!parsed.success) throw new ApiError(400, `invalid request: ${parsed.error.issues[0]?.message}`);
    const req = parsed.data;
    if (!this.options.templates.includes(req.templateID)) throw new ApiError(404, `template '${req.templateID}' not found`);
    const timeout = this.checkTimeout(req.timeout ?? 15);
    const id = `sbx${randomUUID().replace(/-/g, "").slice(0, 17)}`;
    const record: SandboxRecord = {
      sandboxID: id,
      templateID: req.templateID,
      metadata: req.metadata ?? {},
      envVars: req.envVars ?? {},
      mcp: req.mcp,
      autoPause: req.autoPause ?? false,
      startedAt: new Date(),
      endAt: new Date(),
      state: "running",
      timeouts: [],
      envdAccessToken: randomUUID(),
    };
    await this.envd.addSandbox(id, { envVars: record.envVars, accessToken: record.envdAccessToken });
    this.records.set(id, record);
    this.setLifetime(record, timeout);
    return sandboxJson(record);
  }

  private list(url: URL, res: ServerResponse): void {
    const states = (url.searchParams.get("state") ?? "running,paused").split(",");
    const wanted = metadataQuery(url.searchParams.get("metadata"));
    const all = [...this.records.values()]
      .filter((r) => states.includes(r.state))
      .filter((r) => Object.entries(wanted).every(([k, v]) => r.metadata[k] === v))
      .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
    const start = Number(url.searchParams.get("nextToken") ?? 0) || 0;
    const limit = Number(url.searchParams.get("limit") ?? 100) || 100;
    const page = all.slice(start, start + limit);
    const headers: Record<string, string> = {};
    if (start + limit < all.length) headers["x-next-token"] = String(start + limit);
    send(res, 200, page.map(listed), headers);
  }

  private async connect(record: SandboxRecord | undefined, body: unknown, res: ServerResponse): Promise<void> {
    if (!record || record.state === "killed") throw new ApiError(404, "sandbox not found");
    const parsed = connectSchema.safeParse(body ?? {});
    const timeout = parsed.success && parsed.data.timeout !== undefined ? this.checkTimeout(parsed.data.timeout) : 15;
    const resumed = record.state === "paused";
    if (resumed) {
      record.state = "running";
      this.envd.setPaused(record.sandboxID, false);
      this.setLifetime(record, timeout);
    } else if (record.endAt.getTime() < Date.now() + timeout * 1000) {
      this.setLifetime(record, timeout); // connect only ever extends a running sandbox's lifetime
    }
    send(res, resumed ? 201 : 200, sandboxJson(record));
  }

  private checkTimeout(seconds: number): number {
    if (seconds > this.options.maxTimeoutSeconds) {
      throw new ApiError(400, `Timeout cannot be greater than ${this.options.maxTimeoutSeconds / 3600} hours`);
    }
    return seconds;
  }

  private setLifetime(record: SandboxRecord, seconds: number): void {
    record.timeouts.push(seconds);
    record.endAt = new Date(Date.now() + seconds * 1000);
    clearTimeout(this.expiries.get(record.sandboxID));
    const timer = setTimeout(() => void this.expire(record.sandboxID), seconds * 1000);
    timer.unref();
    this.expiries.set(record.sandboxID, timer);
  }

  private async pause(record: SandboxRecord): Promise<void> {
    clearTimeout(this.expiries.get(record.sandboxID));
    record.state = "paused";
    this.envd.setPaused(record.sandboxID, true);
  }

  private async kill(record: SandboxRecord): Promise<void> {
    clearTimeout(this.expiries.get(record.sandboxID));
    record.state = "killed";
    await this.envd.removeSandbox(record.sandboxID);
  }
}

function sandboxJson(record: SandboxRecord): object {
  return {
    templateID: record.templateID,
    sandboxID: record.sandboxID,
    clientID: "stand-in",
    envdVersion: STAND_IN_ENVD_VERSION,
    envdAccessToken: record.envdAccessToken,
    domain: null,
  };
}

function listed(record: SandboxRecord): object {
  return {
    templateID: record.templateID,
    sandboxID: record.sandboxID,
    clientID: "stand-in",
    startedAt: record.startedAt.toISOString(),
    endAt: record.endAt.toISOString(),
    cpuCount: 2,
    memoryMB: 512,
    diskSizeMB: 1024,
    metadata: record.metadata,
    state: record.state,
    envdVersion: STAND_IN_ENVD_VERSION,
  };
}

/** The SDK sends metadata filters as URL-encoded "k=v&k2=v2" with each key and value encoded too. */
function metadataQuery(raw: string | null): Record<string, string> {
  if (!raw) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(raw)) out[decodeURIComponent(k)] = decodeURIComponent(v);
  return out;
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
