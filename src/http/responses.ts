// What every answer of the HTTP server shares: security headers, and one 404 for anything not
// found — an unknown route, an unknown task, a wrong or missing token look exactly alike.
import type { Context, MiddlewareHandler } from "hono";

const CSP = ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join(
  "; ",
);

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  // Answered by a Node handler (Bolt) itself: nothing left to set.
  if (c.res.headers.has("x-hono-already-sent")) return;
  c.res.headers.set("Content-Security-Policy", CSP);
  c.res.headers.set("X-Content-Type-Options", "nosniff");
  // Transcript links carry their token in the query: no page may pass it on.
  c.res.headers.set("Referrer-Policy", "no-referrer");
  c.res.headers.set("X-Frame-Options", "DENY");
  if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
};

export function notFound(c: Context): Response {
  return c.json({ error: "not found" }, 404);
}
