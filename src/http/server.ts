// The HTTP server of the contract, on Hono: liveness, readiness, metrics, (mounted by the Slack
// intake when it runs in HTTP mode) POST /slack/events, and (when given) the transcript pages.
import { createAdaptorServer, type HttpBindings } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Hono, type Context } from "hono";
import type { Logger } from "../shared/log.ts";
import { registry } from "../shared/metrics.ts";
import type { Transcripts } from "../tasks/transcripts.ts";
import { securityHeaders, notFound } from "./responses.ts";
import { mountTranscripts } from "./transcript/routes.ts";

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

type Env = { Bindings: HttpBindings };

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const app = new Hono<Env>();
  app.use(securityHeaders);
  app.on(["GET", "HEAD"], "/healthz", (c) => {
    const live = options.liveness?.() ?? { ok: true };
    return c.json(live, live.ok ? 200 : 503);
  });
  app.on(["GET", "HEAD"], "/readyz", async (c) => {
    const { ready, detail } = await options.readiness().catch((error: unknown) => ({ ready: false, detail: { error: (error as Error).message } }));
    return c.json({ ready, ...detail }, ready ? 200 : 503);
  });
  app.get("/metrics", async (c) => c.body(await registry.metrics(), 200, { "content-type": registry.contentType }));
  const slack = options.slackHandler;
  if (slack) {
    app.post("/slack/events", (c) => passToNode(c, slack));
    app.all("/slack/events", (c) => c.json({ error: "use POST" }, 405));
  }
  if (options.transcripts) mountTranscripts(app, options.transcripts, { logger: options.logger });
  app.notFound(notFound);
  app.onError((error, c) => {
    options.logger.error({ err: error, url: c.req.path }, "http request failed");
    return c.json({ error: "internal error" }, 500);
  });

  // Hono's Request/Response stay out of the process's globals; Bolt reads the request body itself.
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false, autoCleanupIncoming: false }) as Server;
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

/** Hands the raw request to a Node handler (Bolt's receiver) and waits until it has answered. */
async function passToNode(c: Context<Env>, handler: RequestHandler): Promise<Response> {
  const { incoming, outgoing } = c.env;
  await new Promise<void>((resolve, reject) => {
    outgoing.once("finish", resolve);
    outgoing.once("close", resolve);
    Promise.resolve(handler(incoming, outgoing)).catch(reject);
  });
  return RESPONSE_ALREADY_SENT;
}
