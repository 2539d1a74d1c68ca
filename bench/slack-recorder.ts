// A forwarding proxy in front of the Slack workspace double that notes when each Web API call
// arrives (wall-clock ms with sub-ms precision, comparable across processes), so a bench can time
// "mention → first Slack call" for the bare app and the product alike. Runs in the workspace's
// process (slack-workspace-server.ts), not the timing one; GET /__calls?since=<ms> lists calls.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedCall {
  at: number;
  method: string;
  body: string;
}

export async function startRecorder(apiUrl: string): Promise<{ url: string; calls: RecordedCall[]; close(): Promise<void> }> {
  const calls: RecordedCall[] = [];
  const base = apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`;
  const server = http.createServer((req, res) => {
    const at = performance.timeOrigin + performance.now();
    if (req.url?.startsWith("/__calls")) {
      const since = Number(new URL(req.url, "http://x").searchParams.get("since") ?? 0);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(calls.filter((c) => c.at >= since)));
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const method = (req.url ?? "/").replace(/^\/(api\/)?/, "").split("?")[0]!;
      calls.push({ at, method, body });
      const headers: Record<string, string> = {};
      for (const name of ["content-type", "authorization"]) if (typeof req.headers[name] === "string") headers[name] = req.headers[name];
      fetch(`${base}${method}`, { method: req.method ?? "POST", headers, ...(req.method === "GET" ? {} : { body }) }).then(
        async (r) => {
          const text = await r.text();
          res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/json" });
          res.end(text);
        },
        (error: unknown) => {
          res.writeHead(502);
          res.end(String(error));
        },
      );
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
