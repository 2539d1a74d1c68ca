// A Slack workspace on loopback for tests: the `emulate` Slack Web API emulator (stateful:
// channels, messages, threads, reactions, file uploads) seeded with people, channels and the
// bot, behind a small recording proxy that adds what the emulator lacks: a log of every Web API
// call, injected failures (HTTP 429 with Retry-After, a workspace refusing plan blocks),
// apps.connections.open for Socket Mode, and the response_url endpoint of slash commands.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createEmulator, type Emulator } from "emulate";
import { WebClient } from "@slack/web-api";

export interface ApiCall {
  method: string;
  params: Record<string, unknown>;
  /** HTTP status the app got, and Slack's ok/error. */
  status: number;
  ok: boolean;
  error?: string;
  at: number;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
}

export interface Fault {
  /** HTTP 429 with this Retry-After (seconds) instead of the call's answer. */
  retryAfter?: number;
  /** Slack error code answered with ok:false instead of the call's answer. */
  error?: string;
  /** How many matching calls fail (default 1). */
  times?: number;
}

export interface SlackMessage {
  ts: string;
  user?: string;
  text: string;
  thread_ts?: string;
  blocks?: Array<Record<string, unknown>>;
  files?: Array<{ id: string; name: string; url_private_download?: string }>;
  reactions?: Array<{ name: string; users: string[] }>;
  edited?: unknown;
}

export interface SlackWorkspace {
  /** SLACK_API_URL for the app (the recording proxy). */
  apiUrl: string;
  /** The emulator itself, for people's own clients (their calls are not the app's). */
  emulatorUrl: string;
  botToken: string;
  appToken: string;
  teamId: string;
  bot: { userId: string; botId: string };
  users: Record<string, string>;
  channels: Record<string, string>;
  /** A Web API client acting as one of the seeded people. */
  as(person: string): WebClient;
  calls: ApiCall[];
  callsOf(method: string): ApiCall[];
  responses: ResponseUrlPost[];
  /** A response_url for a slash command or button click. */
  responseUrl(id: string): string;
  /** The next matching calls fail. */
  fail(method: string, fault: Fault): void;
  /** Messages with blocks of these types are refused with invalid_blocks (a workspace without them). */
  refuseBlockTypes(types: string[]): void;
  /** The URL apps.connections.open hands out (Socket Mode double). */
  setSocketUrl(url: string): void;
  /** A thread as people see it: the parent and its replies, oldest first. */
  thread(channel: string, ts: string): Promise<SlackMessage[]>;
  /** A channel's top-level messages (thread parents and plain posts), oldest first. */
  history(channel: string): Promise<SlackMessage[]>;
  /** A Web API client with the bot's token, straight to the emulator (for parts tested without the app). */
  botClient(): WebClient;
  /** A message as people see it now. */
  message(channel: string, ts: string): Promise<SlackMessage | undefined>;
  close(): Promise<void>;
}

const PEOPLE = ["alice", "bob", "carol"] as const;

export async function startSlackWorkspace(): Promise<SlackWorkspace> {
  const botToken = "xoxb-test-deep-agent-bot-token";
  const appToken = "xapp-1-test-deep-agent-app-token";
  const emulator: Emulator = await createEmulator({
    service: "slack",
    port: 0,
    seed: {
      slack: {
        team: { name: "Test Workspace", domain: "test" },
        users: PEOPLE.map((name) => ({ name, real_name: name })),
        channels: [{ name: "work" }, { name: "ops" }],
        oauth_apps: [{ client_id: "1.2", client_secret: "unused", name: "deep-agent", bot_name: "deep-agent", app_id: "A0DEEPAGENT" }],
        tokens: [{ token: botToken, user: "deep-agent", type: "bot" }, ...PEOPLE.map((name) => ({ token: `xoxp-${name}`, user: name }))],
      },
    } as never,
  });
  const emulatorUrl = emulator.url.replace("://localhost:", "://127.0.0.1:");
  const calls: ApiCall[] = [];
  const responses: ResponseUrlPost[] = [];
  const faults = new Map<string, Required<Pick<Fault, "times">> & Fault>();
  let refusedBlocks = new Set<string>();
  let socketUrl: string | null = null;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: false, error: `slack double failed: ${(error as Error).message}` }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = (req.url ?? "/").split("?")[0]!;
    if (path.startsWith("/response/")) {
      responses.push({ id: decodeURIComponent(path.slice("/response/".length)), body: JSON.parse(body.toString("utf8") || "{}") });
      return send(res, 200, "ok", "text/plain");
    }
    if (!path.startsWith("/api/")) return forward(req, res, body);
    const method = path.slice("/api/".length);
    const params = parseParams(req.headers["content-type"] ?? "", body);
    const at = Date.now();
    const record = (status: number, answer: { ok?: boolean; error?: string }) =>
      calls.push({ method, params, status, ok: answer.ok === true, ...(answer.error ? { error: answer.error } : {}), at });

    if (method === "apps.connections.open") {
      const answer = socketUrl ? { ok: true, url: socketUrl } : { ok: false, error: "socket_mode_not_enabled" };
      record(200, answer);
      return send(res, 200, JSON.stringify(answer));
    }
    const fault = faults.get(method);
    if (fault && fault.times > 0) {
      fault.times--;
      if (fault.retryAfter !== undefined) {
        record(429, { ok: false, error: "ratelimited" });
        res.writeHead(429, { "content-type": "application/json", "retry-after": String(fault.retryAfter) });
        res.end(JSON.stringify({ ok: false, error: "ratelimited" }));
        return;
      }
      const answer = { ok: false, error: fault.error ?? "internal_error" };
      record(200, answer);
      return send(res, 200, JSON.stringify(answer));
    }
    if (refusedBlocks.size > 0 && (method === "chat.postMessage" || method === "chat.update") && usesBlockTypes(params["blocks"], refusedBlocks)) {
      const answer = { ok: false, error: "invalid_blocks" };
      record(200, answer);
      return send(res, 200, JSON.stringify(answer));
    }
    const upstream = await fetch(`${emulatorUrl}${req.url}`, { method: req.method ?? "POST", headers: forwardHeaders(req), ...(body.length > 0 ? { body } : {}) });
    const text = await upstream.text();
    let answer: { ok?: boolean; error?: string } = {};
    try {
      answer = JSON.parse(text);
    } catch {
      // not JSON; recorded as a failure
    }
    record(upstream.status, answer);
    send(res, upstream.status, text, upstream.headers.get("content-type") ?? "application/json");
  }

  async function forward(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const upstream = await fetch(`${emulatorUrl}${req.url}`, { method: req.method ?? "GET", headers: forwardHeaders(req), ...(body.length > 0 ? { body } : {}) });
    send(res, upstream.status, Buffer.from(await upstream.arrayBuffer()), upstream.headers.get("content-type") ?? "application/octet-stream");
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const admin = new WebClient(botToken, { slackApiUrl: `${emulatorUrl}/api/` });
  const auth = await admin.auth.test();
  const members = (await admin.users.list({})).members ?? [];
  const users = Object.fromEntries(members.filter((m) => PEOPLE.includes(m.name as (typeof PEOPLE)[number])).map((m) => [m.name!, m.id!]));
  const channelList = (await admin.conversations.list({})).channels ?? [];
  const channels = Object.fromEntries(channelList.map((c) => [c.name!, c.id!]));
  const clients = new Map<string, WebClient>();
  const thread = async (channel: string, ts: string): Promise<SlackMessage[]> => {
    const replies = await admin.conversations.replies({ channel, ts, limit: 1000 });
    return (replies.messages ?? []) as SlackMessage[];
  };

  return {
    apiUrl: `${proxyUrl}/api/`,
    emulatorUrl,
    botToken,
    appToken,
    teamId: auth.team_id!,
    bot: { userId: auth.user_id!, botId: auth.bot_id! },
    users,
    channels,
    as(person) {
      let client = clients.get(person);
      if (!client) {
        client = new WebClient(`xoxp-${person}`, { slackApiUrl: `${emulatorUrl}/api/` });
        clients.set(person, client);
      }
      return client;
    },
    calls,
    callsOf: (method) => calls.filter((c) => c.method === method),
    responses,
    responseUrl: (id) => `${proxyUrl}/response/${encodeURIComponent(id)}`,
    fail(method, fault) {
      faults.set(method, { ...fault, times: fault.times ?? 1 });
    },
    refuseBlockTypes(types) {
      refusedBlocks = new Set(types);
    },
    setSocketUrl(url) {
      socketUrl = url;
    },
    thread,
    async history(channel) {
      const res = await admin.conversations.history({ channel, limit: 1000 });
      return ((res.messages ?? []) as SlackMessage[]).filter((m) => !m.thread_ts || m.thread_ts === m.ts).sort((a, b) => Number(a.ts) - Number(b.ts));
    },
    botClient: () => new WebClient(botToken, { slackApiUrl: `${proxyUrl}/api/`, retryConfig: { retries: 0 } }),
    async message(channel, ts) {
      const history = await admin.conversations.history({ channel, limit: 1000 });
      const top = (history.messages ?? []).find((m) => m.ts === ts);
      if (top) return top as SlackMessage;
      for (const parent of history.messages ?? []) {
        if (!parent.reply_count) continue;
        const found = (await thread(channel, parent.ts!)).find((m) => m.ts === ts);
        if (found) return found;
      }
      return undefined;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await emulator.close();
    },
  };
}

function usesBlockTypes(blocks: unknown, types: Set<string>): boolean {
  const list = typeof blocks === "string" ? safeJson(blocks) : blocks;
  return Array.isArray(list) && list.some((b) => types.has((b as { type?: string }).type ?? "") || ((b as { tasks?: unknown[] }).tasks ?? []).some((t) => types.has((t as { type?: string }).type ?? "")));
}

function parseParams(contentType: string, body: Buffer): Record<string, unknown> {
  const text = body.toString("utf8");
  if (contentType.includes("application/json")) return (safeJson(text) as Record<string, unknown>) ?? {};
  if (contentType.includes("application/x-www-form-urlencoded")) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(text)) out[key] = /^[[{]/.test(value) ? (safeJson(value) ?? value) : value;
    return out;
  }
  return {};
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function forwardHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined || ["host", "connection", "content-length", "transfer-encoding"].includes(key)) continue;
    out[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: string | Buffer, contentType = "application/json"): void {
  res.writeHead(status, { "content-type": contentType });
  res.end(body);
}
