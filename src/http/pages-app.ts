// The transcript pages, the part of the HTTP server that is a web application: on Hono, loaded by
// the server (server.ts) at the first request that is not a probe, metrics or Slack's.
import type { RequestListener } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import type { Logger } from "../shared/log.ts";
import type { Transcripts } from "../tasks/transcripts.ts";
import { notFound, securityHeaders } from "./responses.ts";
import { mountTranscripts } from "./transcript/routes.ts";

export function createPagesHandler(transcripts: Transcripts, logger: Logger): RequestListener {
  const app = new Hono();
  app.use(securityHeaders);
  mountTranscripts(app, transcripts, { logger });
  app.notFound(notFound);
  app.onError((error, c) => {
    logger.error({ err: error, url: c.req.path }, "http request failed");
    return c.json({ error: "internal error" }, 500);
  });
  // Hono's Request/Response stay out of the process's globals.
  return getRequestListener(app.fetch, { overrideGlobalObjects: false });
}
