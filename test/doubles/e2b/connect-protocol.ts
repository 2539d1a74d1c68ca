// Connect RPC over HTTP/1.1 with the JSON codec, server side: what @connectrpc/connect-web
// (the transport the e2b SDK uses) sends and expects.
// Unary: POST application/json, reply 200 JSON or an error status with {"code","message"}.
// Server streaming: POST application/connect+json with one enveloped request; reply 200
// application/connect+json with enveloped messages, closed by an end-stream envelope (flag 0x02).
import type { IncomingMessage, ServerResponse } from "node:http";

export type RpcCode =
  | "canceled"
  | "unknown"
  | "invalid_argument"
  | "deadline_exceeded"
  | "not_found"
  | "already_exists"
  | "permission_denied"
  | "resource_exhausted"
  | "failed_precondition"
  | "aborted"
  | "out_of_range"
  | "unimplemented"
  | "internal"
  | "unavailable"
  | "data_loss"
  | "unauthenticated";

/** The HTTP status a Connect server answers a unary error with (connect protocol spec). */
const httpStatusOf: Record<RpcCode, number> = {
  canceled: 499,
  unknown: 500,
  invalid_argument: 400,
  deadline_exceeded: 504,
  not_found: 404,
  already_exists: 409,
  permission_denied: 403,
  resource_exhausted: 429,
  failed_precondition: 400,
  aborted: 409,
  out_of_range: 400,
  unimplemented: 501,
  internal: 500,
  unavailable: 503,
  data_loss: 500,
  unauthenticated: 401,
};

export class RpcError extends Error {
  readonly code: RpcCode;
  constructor(code: RpcCode, message: string) {
    super(message);
    this.name = "RpcError";
    this.code = code;
  }
}

export interface CallContext {
  headers: IncomingMessage["headers"];
  /** Aborts when the client goes away or the call's deadline (Connect-Timeout-Ms) passes. */
  signal: AbortSignal;
  /** Milliseconds from Connect-Timeout-Ms, if the client set a deadline. */
  timeoutMs: number | undefined;
}

export type UnaryHandler = (input: unknown, call: CallContext) => unknown | Promise<unknown>;
export type StreamHandler = (input: unknown, call: CallContext, send: (message: unknown) => void) => Promise<void>;

export type RpcMethod = { kind: "unary"; handler: UnaryHandler } | { kind: "server_stream"; handler: StreamHandler };

const END_STREAM_FLAG = 0x02;
const COMPRESSED_FLAG = 0x01;

function envelope(flags: number, payload: unknown): Buffer {
  const data = Buffer.from(JSON.stringify(payload), "utf8");
  const head = Buffer.alloc(5);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(data.length, 1);
  return Buffer.concat([head, data]);
}

function firstEnvelope(body: Buffer): unknown {
  if (body.length < 5) throw new RpcError("invalid_argument", "stream request has no envelope");
  const flags = body.readUInt8(0);
  if (flags & COMPRESSED_FLAG) throw new RpcError("unimplemented", "compressed messages are not supported by the stand-in");
  const length = body.readUInt32BE(1);
  return parseJson(body.subarray(5, 5 + length));
}

function parseJson(bytes: Buffer): unknown {
  try {
    return bytes.length === 0 ? {} : JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new RpcError("invalid_argument", `request is not valid JSON: ${(error as Error).message}`);
  }
}

function errorJson(error: unknown): { code: RpcCode; message: string } {
  if (error instanceof RpcError) return { code: error.code, message: error.message };
  return { code: "internal", message: error instanceof Error ? error.message : String(error) };
}

/** Serves one Connect call whose body has already been read. */
export async function serveRpc(req: IncomingMessage, res: ServerResponse, body: Buffer, method: RpcMethod): Promise<void> {
  const contentType = String(req.headers["content-type"] ?? "")
    .split(";")[0]!
    .trim()
    .toLowerCase();
  const expected = method.kind === "unary" ? "application/json" : "application/connect+json";
  if (contentType !== expected) {
    res.writeHead(415, { "content-type": "text/plain" }).end(`the stand-in speaks ${expected} only, got ${contentType || "none"}`);
    return;
  }

  const controller = new AbortController();
  const timeoutHeader = req.headers["connect-timeout-ms"];
  const timeoutMs = typeof timeoutHeader === "string" && /^\d+$/.test(timeoutHeader) ? Number(timeoutHeader) : undefined;
  const deadline = timeoutMs ? setTimeout(() => controller.abort(new RpcError("deadline_exceeded", "the call's deadline passed")), timeoutMs) : undefined;
  res.on("close", () => {
    if (!controller.signal.aborted) controller.abort(new RpcError("canceled", "the client went away"));
  });
  const call: CallContext = { headers: req.headers, signal: controller.signal, timeoutMs };

  try {
    if (method.kind === "unary") {
      try {
        const output = await method.handler(parseJson(body), call);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(output ?? {}));
      } catch (error) {
        const json = errorJson(error);
        res.writeHead(httpStatusOf[json.code], { "content-type": "application/json" }).end(JSON.stringify(json));
      }
      return;
    }

    let input: unknown;
    try {
      input = firstEnvelope(body);
    } catch (error) {
      res.writeHead(200, { "content-type": "application/connect+json" }).end(envelope(END_STREAM_FLAG, { error: errorJson(error) }));
      return;
    }
    res.writeHead(200, { "content-type": "application/connect+json" });
    const send = (message: unknown) => {
      if (!res.writableEnded && !res.destroyed) res.write(envelope(0, message));
    };
    let end: unknown = {};
    try {
      await method.handler(input, call, send);
    } catch (error) {
      end = { error: errorJson(error) };
    }
    if (!res.writableEnded && !res.destroyed) res.end(envelope(END_STREAM_FLAG, end));
  } finally {
    clearTimeout(deadline);
  }
}
