// What every answer of the HTTP server shares: security headers, and one 404 for anything not
// found — an unknown route, an unknown task, a wrong or missing token look exactly alike.
import type { ServerResponse } from "node:http";
import type { Context, MiddlewareHandler } from "hono";

const CSP = ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join(
  "; ",
);

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CSP,
  "X-Content-Type-Options": "nosniff",
  // Transcript links carry their token in the query: no page may pass it on.
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
};

/** The pages' (Hono's) answers. */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
};

export function notFound(c: Context): Response {
  return c.json({ error: "not found" }, 404);
}

/** The server's own answers (probes, metrics, errors), with the same headers as the pages'. */
export function sendBody(res: ServerResponse, status: number, body: string, contentType: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "Cache-Control": "no-store", "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  sendBody(res, status, JSON.stringify(value), "application/json");
}
