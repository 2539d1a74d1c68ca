// Slack's Socket Mode endpoint on loopback: the app connects to the URL that apps.connections.open
// returned, gets `hello`, then envelopes (events_api, slash_commands, interactive) that it must
// acknowledge with their envelope_id, optionally with a response payload.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { acceptWebSocket, type WebSocketConnection } from "./websocket-server.ts";

export type EnvelopeType = "events_api" | "slash_commands" | "interactive";

export interface Ack {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

export interface SocketModeServer {
  /** The wss-style URL apps.connections.open hands out (ws:// on loopback). */
  url: string;
  /** Resolves when an app has connected and been greeted. */
  connected(): Promise<void>;
  /** Sends an envelope and resolves with the app's acknowledgement. */
  send(type: EnvelopeType, payload: Record<string, unknown>, options?: { retryAttempt?: number; timeoutMs?: number }): Promise<Ack>;
  /** Every acknowledgement received, in order. */
  acks: Ack[];
  connections: number;
  close(): Promise<void>;
}

export async function startSocketModeServer(): Promise<SocketModeServer> {
  const acks: Ack[] = [];
  const waiting = new Map<string, (ack: Ack) => void>();
  let current: WebSocketConnection | null = null;
  let connections = 0;
  let greeted: () => void = () => {};
  let greetedPromise = new Promise<void>((resolve) => (greeted = resolve));

  const server: Server = createServer((_req, res) => {
    res.writeHead(426, { "content-type": "text/plain" });
    res.end("websocket only");
  });
  server.on("upgrade", (req, socket) => {
    const ws = acceptWebSocket(req, socket);
    if (!ws) return;
    connections++;
    current = ws;
    ws.onMessage((text) => {
      let ack: Ack;
      try {
        ack = JSON.parse(text) as Ack;
      } catch {
        return;
      }
      acks.push(ack);
      waiting.get(ack.envelope_id)?.(ack);
      waiting.delete(ack.envelope_id);
    });
    ws.onClose(() => {
      if (current === ws) {
        current = null;
        greetedPromise = new Promise<void>((resolve) => (greeted = resolve));
      }
    });
    ws.send(JSON.stringify({ type: "hello", num_connections: 1, debug_info: { host: "socket-mode-double", approximate_connection_time: 3600 }, connection_info: { app_id: "A0DEEPAGENT" } }));
    greeted();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `ws://127.0.0.1:${port}/link/?ticket=${randomUUID()}`,
    connected: () => greetedPromise,
    acks,
    get connections() {
      return connections;
    },
    send(type, payload, options = {}) {
      const ws = current;
      if (!ws) return Promise.reject(new Error("socket mode double: no app is connected"));
      const envelope_id = randomUUID();
      const envelope = {
        envelope_id,
        type,
        payload,
        accepts_response_payload: type !== "events_api",
        ...(type === "events_api" ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryAttempt ? "timeout" : "" } : {}),
      };
      return new Promise<Ack>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(envelope_id);
          reject(new Error(`socket mode double: no ack for ${type} envelope within ${options.timeoutMs ?? 10_000} ms`));
        }, options.timeoutMs ?? 10_000);
        waiting.set(envelope_id, (ack) => {
          clearTimeout(timer);
          resolve(ack);
        });
        ws.send(JSON.stringify(envelope));
      });
    },
    async close() {
      current?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
