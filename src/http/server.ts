// The HTTP server of the contract: liveness, readiness, metrics, and (mounted by the Slack
// intake when it runs in HTTP mode) POST /slack/events.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../shared/log.ts";
import { registry } from "../shared/metrics.ts";

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface HttpServerOptions {
  port: number;
  host?: string;
  logger: Logger;
  /** Database reachable and migrated; `detail` is shown in the answer. */
  readiness: () => Promise<{ ready: boolean; detail: Record<string, unknown> }>;
  /** Whether the process still makes progress; /healthz answers 503 with the reason when not. */
  liveness?: () => { ok: true } | { ok: false; reason: string };
  /** Handles POST /slack/events when set. */
  slackHandler?: RequestHandler;
}

export interface RunningHttpServer {
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const server = http.createServer((req, res) => {
    route(req, res, options).catch((error: unknown) => {
      options.logger.error({ err: error, url: req.url }, "http request failed");
      if (!res.headersSent) json(res, 500, { error: "internal error" });
      else res.end();
    });
  });
  // Keep-alive sockets must not hold a shutdown open.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info({ port }, "http server listening");
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(req: http.IncomingMessage, res: http.ServerResponse, options: HttpServerOptions): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
    const live = options.liveness?.() ?? { ok: true };
    return json(res, live.ok ? 200 : 503, live);
  }
  if (path === "/readyz" && (req.method === "GET" || req.method === "HEAD")) {
    const { ready, detail } = await options.readiness().catch((error: unknown) => ({ ready: false, detail: { error: (error as Error).message } }));
    return json(res, ready ? 200 : 503, { ready, ...detail });
  }
  if (path === "/metrics" && req.method === "GET") {
    const text = await registry.metrics();
    res.writeHead(200, { "content-type": registry.contentType });
    res.end(text);
    return;
  }
  if (path === "/slack/events" && options.slackHandler) {
    if (req.method !== "POST") return json(res, 405, { error: "use POST" });
    await options.slackHandler(req, res);
    return;
  }
  json(res, 404, { error: `no route for ${req.method} ${path}` });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
