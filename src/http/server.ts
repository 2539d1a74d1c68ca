// The HTTP server of the contract: liveness, readiness, metrics, (mounted by the Slack intake when
// it runs in HTTP mode) POST /slack/events, and (when given) the transcript pages. Probes, metrics
// and Slack's events are answered on node:http itself: they are the hot paths, and a Web
// Request/Response per request buys them nothing. The pages run on Hono (pages-app.ts), loaded at
// their first request.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../shared/log.ts";
import { registry } from "../shared/metrics.ts";
import type { Transcripts } from "../tasks/transcripts.ts";
import { sendBody, sendJson } from "./responses.ts";

// Not `import "node:http"`: importing it as an ES module reads every export, and one of them loads
// fetch's implementation (undici, ~30 ms) that this server never uses.
const http = process.getBuiltinModule("node:http");

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

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
  /** Serves GET /tasks/<id>?t=<token> when set. */
  transcripts?: Transcripts;
}

export interface RunningHttpServer {
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { transcripts, logger } = options;
  let pages: Promise<RequestHandler> | undefined;
  const pagesHandler = transcripts
    ? () =>
        (pages ??= import("./pages-app.ts").then(
          (m) => m.createPagesHandler(transcripts, logger),
          (error: unknown) => {
            // Not kept: the next request for a page tries again.
            pages = undefined;
            throw error;
          },
        ))
    : null;

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?", 1)[0];
    const read = req.method === "GET" || req.method === "HEAD";
    if (path === "/healthz" && read) {
      const live = options.liveness?.() ?? { ok: true };
      return sendJson(res, live.ok ? 200 : 503, live);
    }
    if (path === "/readyz" && read) {
      const { ready, detail } = await options.readiness().catch((error: unknown) => ({ ready: false, detail: { error: (error as Error).message } }));
      return sendJson(res, ready ? 200 : 503, { ready, ...detail });
    }
    if (path === "/metrics" && read) return sendBody(res, 200, await registry.metrics(), registry.contentType);
    if (path === "/slack/events" && options.slackHandler) {
      if (req.method !== "POST") return sendJson(res, 405, { error: "use POST" });
      return options.slackHandler(req, res);
    }
    if (pagesHandler) return (await pagesHandler())(req, res);
    sendJson(res, 404, { error: "not found" });
  };

  const server = http.createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, "http request failed");
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      else res.destroy();
    });
  });
  // Keep-alive sockets must not hold a shutdown open.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port }, "http server listening");
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
