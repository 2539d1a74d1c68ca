// The Web API clients' transport (src/slack/api/http-fetch.ts) against a real server on loopback:
// what the Slack SDK reads from a response, compressed bodies, and every way a call can fail.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import { LogLevel, WebClient } from "@slack/web-api";
import { httpFetch } from "../../src/slack/api/http-fetch.ts";

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

// A call that never settles is a failure here, not a hang.
describe("the Slack API transport", { timeout: 10_000 }, () => {
  let base = "";
  let handler: Handler = (_req, _body, res) => res.end();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, Buffer.concat(chunks).toString("utf8"), res));
  });
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  const fetchIt = httpFetch(2_000);

  test("sends the method, headers and body, and answers with the status, every header and the body", async () => {
    let seen: { method?: string; type?: string; body?: string } = {};
    handler = (req, body, res) => {
      seen = { method: req.method!, type: req.headers["content-type"]!, body };
      res.setHeader("content-type", "application/json");
      res.setHeader("set-cookie", ["a=1", "b=2"]);
      res.setHeader("retry-after", "7");
      res.statusCode = 429;
      res.end(JSON.stringify({ ok: false, error: "ratelimited" }));
    };
    const response = await fetchIt(`${base}/api/chat.postMessage`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "channel=C1&text=hi" });
    assert.deepEqual(seen, { method: "POST", type: "application/x-www-form-urlencoded", body: "channel=C1&text=hi" });
    assert.equal(response.status, 429);
    assert.equal(response.headers.get("retry-after"), "7");
    assert.deepEqual(response.headers.getSetCookie(), ["a=1", "b=2"]);
    assert.deepEqual(await response.json(), { ok: false, error: "ratelimited" });
  });

  test("a gzip body is decompressed, as fetch does", async () => {
    handler = (_req, _body, res) => {
      res.setHeader("content-encoding", "gzip");
      res.end(gzipSync(JSON.stringify({ ok: true, text: "é".repeat(5_000) })));
    };
    const response = await fetchIt(`${base}/api/conversations.history`, { method: "POST", body: "" });
    assert.deepEqual(await response.json(), { ok: true, text: "é".repeat(5_000) });
  });

  test("a 204 answers with no body", async () => {
    handler = (_req, _body, res) => {
      res.statusCode = 204;
      res.end();
    };
    const response = await fetchIt(`${base}/x`, { method: "POST", body: "" });
    assert.equal(response.status, 204);
    assert.equal(await response.text(), "");
  });

  test("a redirect is refused with a message naming it, and not followed", async () => {
    let calls = 0;
    handler = (_req, _body, res) => {
      calls++;
      res.statusCode = 302;
      res.setHeader("location", "http://127.0.0.1:1/elsewhere");
      res.end();
    };
    await assert.rejects(
      fetchIt(`${base}/api/auth.test`, { method: "POST", body: "", redirect: "error" }),
      /answered HTTP 302, a redirect to http:\/\/127\.0\.0\.1:1\/elsewhere; redirects are not followed/,
    );
    assert.equal(calls, 1);
  });

  test("a server that never answers fails the call after the timeout, with a message saying so", async () => {
    handler = () => {};
    const quick = httpFetch(150);
    await assert.rejects(quick(`${base}/api/chat.update`, { method: "POST", body: "" }), /\/api\/chat\.update did not answer within 0\.15 s/);
  });

  test("a body cut short fails the call instead of answering with half of it", async () => {
    handler = (_req, _body, res) => {
      res.setHeader("content-length", "1000");
      res.write('{"ok":');
      setTimeout(() => res.destroy(), 20);
    };
    await assert.rejects(fetchIt(`${base}/api/chat.postMessage`, { method: "POST", body: "" }));
  });

  test("an aborted signal stops the call", async () => {
    handler = () => {};
    const controller = new AbortController();
    const call = fetchIt(`${base}/slow`, { method: "POST", body: "", signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(call, { name: "AbortError" });
  });

  test("a URL that is neither http nor https is refused with a message", async () => {
    await assert.rejects(fetchIt("ftp://127.0.0.1/x", { method: "POST", body: "" }), /cannot call ftp:\/\/ URLs.*over http or https/);
  });

  test("a FormData body (an upload) goes through the global fetch and arrives whole", async () => {
    let seen = "";
    handler = (req, body, res) => {
      seen = `${req.headers["content-type"]?.split(";")[0]} ${body.includes("file-content") ? "with the file" : "without it"}`;
      res.end("{}");
    };
    const form = new FormData();
    form.append("file", new Blob(["file-content"]), "a.txt");
    const response = await fetchIt(`${base}/upload`, { method: "POST", body: form });
    assert.equal(response.status, 200);
    assert.equal(seen, "multipart/form-data with the file");
  });

  test("the Slack SDK's WebClient works through it: calls, results and its retry of a failed call", async () => {
    let calls = 0;
    handler = (req, body, res) => {
      calls++;
      if (calls === 1) {
        res.destroy();
        return;
      }
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ok: true, channel: new URLSearchParams(body).get("channel"), auth: req.headers.authorization }));
    };
    const client = new WebClient("xoxb-test", {
      slackApiUrl: `${base}/api/`,
      fetch: httpFetch(2_000),
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 1, minTimeout: 10, maxTimeout: 10 },
    });
    const result = (await client.chat.postMessage({ channel: "C42", text: "hello" })) as { ok?: boolean; channel?: string; auth?: string };
    assert.deepEqual({ ok: result.ok, channel: result.channel, auth: result.auth }, { ok: true, channel: "C42", auth: "Bearer xoxb-test" });
    assert.equal(calls, 2);
  });
});
