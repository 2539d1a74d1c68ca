// The Slack Web API clients' transport: node:http(s) with keep-alive agents, in place of the
// global fetch the SDK uses by default. Why: undici's fetch ties every request and response to
// weak references and finalizers, which V8's young-generation collections keep alive. About
// 13 KB of every call outlived them into the old generation, to be reclaimed only by a full
// collection, and a call cost twice the CPU. At the intake (two calls a mention) that was most of
// what the collector paused for. Text bodies (every Web API method) come this way; any other body
// (an upload's FormData) goes to the global fetch as before.
import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import zlib from "node:zlib";

/** By URL protocol: how a call is sent, and the keep-alive connections it reuses. */
const transports: Record<string, { request: typeof http.request; agent: http.Agent }> = {
  "http:": { request: http.request, agent: new http.Agent({ keepAlive: true }) },
  "https:": { request: https.request, agent: new https.Agent({ keepAlive: true }) },
};

/** Statuses whose response has no body (the Response constructor refuses one). */
const NO_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch` for the Web API client. A call not answered in full within `timeoutMs` fails with a
 * message saying so (the client then retries it); redirects are not followed.
 */
export function httpFetch(timeoutMs: number): typeof fetch {
  return (input, init = {}) => {
    const body = init.body ?? undefined;
    if ((body !== undefined && typeof body !== "string") || (typeof input !== "string" && !(input instanceof URL))) return fetch(input, init);
    const url = new URL(input);
    const transport = Object.hasOwn(transports, url.protocol) ? transports[url.protocol] : undefined;
    if (!transport) return Promise.reject(new TypeError(`cannot call ${url.protocol}// URLs (${url.origin}); the Slack API is reached over http or https`));
    const headers: Record<string, string> = { "accept-encoding": "gzip, deflate, br" };
    for (const [name, value] of new Headers(init.headers)) headers[name] = value;
    return new Promise<Response>((resolve, reject) => {
      const request = transport.request(url, { method: init.method ?? "GET", headers, agent: transport.agent, ...(init.signal ? { signal: init.signal } : {}) }, (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 300 && status < 400 && init.redirect !== "manual") {
          response.resume();
          fail(new TypeError(`${url.origin}${url.pathname} answered HTTP ${status}, a redirect to ${response.headers.location ?? "nowhere"}; redirects are not followed`));
          return;
        }
        const chunks: Buffer[] = [];
        const stream = decoded(response);
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.once("error", fail);
        stream.once("end", () => {
          clearTimeout(timer);
          const answer = new Headers();
          for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) answer.append(response.rawHeaders[i]!, response.rawHeaders[i + 1]!);
          resolve(new Response(NO_BODY.has(status) ? null : Buffer.concat(chunks), { status, statusText: response.statusMessage ?? "", headers: answer }));
        });
      });
      const timer = setTimeout(() => request.destroy(new Error(`${url.origin}${url.pathname} did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
      timer.unref();
      function fail(error: Error): void {
        clearTimeout(timer);
        request.destroy();
        reject(error);
      }
      request.once("error", fail);
      request.end(body);
    });
  };
}

/** The body as sent, decompressed as fetch would. */
function decoded(response: http.IncomingMessage): Readable {
  const encoding = response.headers["content-encoding"]?.trim().toLowerCase();
  const decoder =
    encoding === "gzip" || encoding === "x-gzip" ? zlib.createGunzip() : encoding === "deflate" ? zlib.createInflate() : encoding === "br" ? zlib.createBrotliDecompress() : null;
  if (!decoder) return response;
  response.once("error", (error) => decoder.destroy(error));
  return response.pipe(decoder);
}
