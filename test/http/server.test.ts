// The HTTP server's own answers (probes, metrics, Slack's events, errors): each with the pages'
// security headers, every failure a JSON answer, and the Slack handler given the raw request.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import pino from "pino";
import { startHttpServer, type HttpServerOptions, type RunningHttpServer } from "../../src/http/server.ts";

const silent = pino({ level: "silent" });

async function withServer(options: Partial<HttpServerOptions>, run: (base: string) => Promise<void>): Promise<void> {
  const server: RunningHttpServer = await startHttpServer({ port: 0, host: "127.0.0.1", logger: silent, readiness: async () => ({ ready: true, detail: {} }), ...options });
  try {
    await run(`http://127.0.0.1:${server.port}`);
  } finally {
    await server.close();
  }
}

function assertSecurityHeaders(res: Response): void {
  assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'none'/);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.equal(res.headers.get("referrer-policy"), "no-referrer");
  assert.equal(res.headers.get("x-frame-options"), "DENY");
  assert.equal(res.headers.get("cache-control"), "no-store");
}

describe("HTTP server", () => {
  it("answers the probes and metrics with JSON or text and the security headers; HEAD gets no body", async () => {
    let live: { ok: true } | { ok: false; reason: string } = { ok: true };
    await withServer({ liveness: () => live, readiness: async () => ({ ready: true, detail: { database: { reachable: true } } }) }, async (base) => {
      const health = await fetch(`${base}/healthz`);
      assert.equal(health.status, 200);
      assertSecurityHeaders(health);
      assert.deepEqual(await health.json(), { ok: true });
      live = { ok: false, reason: "the event loop is stuck" };
      const sick = await fetch(`${base}/healthz?probe=1`);
      assert.equal(sick.status, 503);
      assert.deepEqual(await sick.json(), { ok: false, reason: "the event loop is stuck" });
      const ready = await fetch(`${base}/readyz`);
      assert.equal(ready.status, 200);
      assert.match(ready.headers.get("content-type") ?? "", /application\/json/);
      assert.deepEqual(await ready.json(), { ready: true, database: { reachable: true } });
      const head = await fetch(`${base}/readyz`, { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(await head.text(), "");
      const metrics = await fetch(`${base}/metrics`);
      assert.equal(metrics.status, 200);
      assertSecurityHeaders(metrics);
      assert.match(await metrics.text(), /deep_agent_process_cpu_user_seconds_total/);
    });
  });

  it("is not ready while readiness fails, and says why", async () => {
    await withServer(
      {
        readiness: async () => {
          throw new Error("connection refused");
        },
      },
      async (base) => {
        const res = await fetch(`${base}/readyz`);
        assert.equal(res.status, 503);
        assert.deepEqual(await res.json(), { ready: false, error: "connection refused" });
      },
    );
  });

  it("answers 404 alike for unknown paths, near-misses of the probes' and a POST to a probe", async () => {
    await withServer({}, async (base) => {
      for (const [path, method] of [
        ["/nope", "GET"],
        ["/healthz/", "GET"],
        ["//healthz", "GET"],
        ["/readyz", "POST"],
        ["/slack/events", "POST"],
        ["/tasks/0b5ec0de?t=x", "GET"],
      ] as const) {
        const res = await fetch(`${base}${path}`, { method });
        assert.equal(res.status, 404, `${method} ${path}`);
        assertSecurityHeaders(res);
        assert.deepEqual(await res.json(), { error: "not found" });
      }
    });
  });

  it("hands POST /slack/events to the Slack handler with its raw body; any other method is 405", async () => {
    const bodies: string[] = [];
    const slackHandler = async (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      bodies.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(200, { "content-type": "text/plain" }).end("ack");
    };
    await withServer({ slackHandler }, async (base) => {
      const raw = "token=x&payload=%7B%22a%22%3A1%7D&\u0000nul";
      const res = await fetch(`${base}/slack/events`, { method: "POST", body: raw, headers: { "content-type": "application/x-www-form-urlencoded" } });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "ack");
      assert.deepEqual(bodies, [raw]);
      const get = await fetch(`${base}/slack/events`);
      assert.equal(get.status, 405);
      assert.deepEqual(await get.json(), { error: "use POST" });
      assert.equal(bodies.length, 1);
    });
  });

  it("answers 500 in JSON when a handler throws before answering, and goes on serving", async () => {
    const slackHandler = async () => {
      throw new Error("boom");
    };
    await withServer({ slackHandler }, async (base) => {
      const res = await fetch(`${base}/slack/events`, { method: "POST", body: "x" });
      assert.equal(res.status, 500);
      assertSecurityHeaders(res);
      assert.deepEqual(await res.json(), { error: "internal error" });
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
    });
  });

  it("cuts a response a handler broke off mid-way instead of answering twice", async () => {
    const slackHandler = async (_req: unknown, res: import("node:http").ServerResponse) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("partial");
      throw new Error("broke mid-way");
    };
    await withServer({ slackHandler }, async (base) => {
      const outcome = await new Promise<string>((resolve) => {
        const req = request(`${base}/slack/events`, { method: "POST" }, (res) => {
          res.on("data", () => {});
          res.on("end", () => resolve("ended"));
          res.on("error", () => resolve("cut"));
          res.on("aborted", () => resolve("cut"));
        });
        req.on("error", () => resolve("cut"));
        req.end("x");
      });
      assert.equal(outcome, "cut");
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
    });
  });
});

describe("HTTP server start", () => {
  let blocker: RunningHttpServer;
  before(async () => {
    blocker = await startHttpServer({ port: 0, host: "127.0.0.1", logger: silent, readiness: async () => ({ ready: true, detail: {} }) });
  });
  after(() => blocker.close());

  it("fails with the listen error when the port is taken", async () => {
    await assert.rejects(startHttpServer({ port: blocker.port, host: "127.0.0.1", logger: silent, readiness: async () => ({ ready: true, detail: {} }) }), /EADDRINUSE/);
  });
});
