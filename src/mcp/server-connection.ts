// One MCP server for one task: starts it (stdio) or reaches it (Streamable HTTP), lists its
// tools and calls them. A server that stops or stops answering is marked unavailable, and
// every later call says so instead of waiting on it again.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { CompatibilityCallToolResultSchema, ErrorCode, McpError, type CompatibilityCallToolResult, type Progress } from "@modelcontextprotocol/sdk/types.js";
import path from "node:path";
import type { Logger } from "pino";
import { z, ZodError } from "zod";
import type { McpServerSpec } from "./mcp-config.ts";

export const DEFAULT_CONNECT_TIMEOUT_MS = 60_000;
/** A server that pages forever must not hold the task at its start. */
const MAX_TOOL_PAGES = 100;
const STDERR_TAIL_CHARS = 2_000;
/** Our own Node first, so `node`/`npx` servers run on the runtime we run on, then the system's. */
const MINIMAL_PATH = [...new Set([path.dirname(process.execPath), "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"])].join(":");

// Read leniently: the SDK's own schema rejects a whole page when one tool leaves out
// `inputSchema.type`, and those tools are still usable once given an object schema.
const listedTool = z.looseObject({
  name: z.string().min(1),
  title: z.string().optional().catch(undefined),
  description: z.string().optional().catch(undefined),
  inputSchema: z.unknown().optional(),
  annotations: z
    .looseObject({ title: z.string().optional().catch(undefined) })
    .optional()
    .catch(undefined),
  execution: z
    .looseObject({ taskSupport: z.string().optional().catch(undefined) })
    .optional()
    .catch(undefined),
});
export type ListedTool = z.infer<typeof listedTool>;

const toolsPage = z.looseObject({
  tools: z.array(z.unknown()),
  nextCursor: z.string().optional(),
});

export type CallFailureKind = "stopped" | "timeout" | "cancelled" | "unavailable" | "error";

/** A tool call that produced no result; the message is written for the model to read. */
export class McpCallError extends Error {
  readonly kind: CallFailureKind;
  constructor(kind: CallFailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "McpCallError";
    this.kind = kind;
  }
}

export interface ConnectOptions {
  /** Shown in messages and logs ("github", "gateway"). */
  name: string;
  spec: McpServerSpec;
  logger: Logger;
  signal?: AbortSignal;
  connectTimeoutMs?: number;
}

export interface CallOptions {
  /** Longest wait without a result or a progress notification. */
  timeoutMs: number;
  /** Longest wait overall, even with progress; unset for none. */
  maxTotalMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

export class ServerConnection {
  readonly name: string;
  readonly #client: Client;
  readonly #logger: Logger;
  readonly #stderr: StderrTail;
  /** Why the server can no longer be used, as a clause after "it" ("stopped", "timed out after 120 s …"). */
  #unavailable: string | undefined;
  /** What explains it further, such as the server's last stderr lines. */
  #unavailableDetail = "";
  #closing: Promise<void> | undefined;

  private constructor(name: string, client: Client, logger: Logger, stderr: StderrTail) {
    this.name = name;
    this.#client = client;
    this.#logger = logger;
    this.#stderr = stderr;
  }

  /** Starts or reaches the server and completes the MCP handshake; throws an Error whose message says why not. */
  static async connect(options: ConnectOptions): Promise<ServerConnection> {
    const logger = options.logger.child({ mcpServer: options.name });
    const stderr = new StderrTail();
    const transport = createTransport(options.spec, stderr, logger);
    const client = new Client({ name: "deep-agent", version: "0.1.0" }, { capabilities: {} });
    const connection = new ServerConnection(options.name, client, logger, stderr);
    client.onerror = (error) => {
      logger.debug({ err: error }, "MCP transport error");
      // The HTTP transport retries a broken response stream and then only reports this; without
      // acting on it, a call to a server that died would wait for its full timeout.
      if (/Maximum reconnection attempts/.test(error.message)) connection.#giveUp("lost its connection", " (the response stream broke and reconnecting failed)");
    };
    client.onclose = () => connection.#onClosed();
    try {
      await client.connect(transport, {
        timeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      await connection.close();
      throw new Error(startFailure(options.spec, error, stderr.text()), { cause: error });
    }
    return connection;
  }

  /** Every tool the server offers, following nextCursor through all pages. */
  async listTools(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ListedTool[]> {
    if (!this.#client.getServerCapabilities()?.tools) return [];
    const tools: ListedTool[] = [];
    const seenCursors = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const result = await this.#client.request({ method: "tools/list", params: cursor === undefined ? {} : { cursor } }, toolsPage, {
        timeout: options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      for (const item of result.tools) {
        const tool = listedTool.safeParse(item);
        if (tool.success) tools.push(tool.data);
        else this.#logger.warn({ tool: item }, "MCP server listed a tool without a name; skipping it");
      }
      cursor = result.nextCursor;
      if (cursor === undefined || seenCursors.has(cursor)) return tools;
      seenCursors.add(cursor);
    }
    this.#logger.warn({ pages: MAX_TOOL_PAGES }, "MCP server kept paging its tool list; using the tools listed so far");
    return tools;
  }

  /** Calls a tool; a call that gives no result throws McpCallError with a message for the model. */
  async callTool(tool: string, args: Record<string, unknown>, options: CallOptions): Promise<CompatibilityCallToolResult> {
    if (this.#unavailable !== undefined) {
      throw new McpCallError("unavailable", `MCP server "${this.name}" is unavailable for the rest of this task: it ${this.#unavailable}${this.#unavailableDetail}.`);
    }
    if (options.signal?.aborted) throw new McpCallError("cancelled", `Call to "${tool}" was cancelled before it started.`);
    // A per-call controller, so the task-wide signal does not gather one listener per call.
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await this.#client.callTool({ name: tool, arguments: args }, CompatibilityCallToolResultSchema, {
        signal: controller.signal,
        timeout: options.timeoutMs,
        resetTimeoutOnProgress: true,
        ...(options.maxTotalMs !== undefined ? { maxTotalTimeout: options.maxTotalMs } : {}),
        ...(options.onProgress ? { onprogress: options.onProgress } : {}),
      });
    } catch (error) {
      throw this.#callFailure(tool, error, options, controller.signal.aborted);
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Ends the session and, for stdio, the server process. Safe to call more than once. */
  close(): Promise<void> {
    this.#unavailable ??= "was closed";
    this.#closing ??= this.#client.close().catch((error: unknown) => {
      this.#logger.debug({ err: error }, "closing MCP server failed");
    });
    return this.#closing;
  }

  #callFailure(tool: string, error: unknown, options: CallOptions, aborted: boolean): McpCallError {
    const server = `MCP server "${this.name}"`;
    if (aborted) return new McpCallError("cancelled", `Call to "${tool}" was cancelled.`, { cause: error });
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      const total = (error.data as { maxTotalTimeout?: number } | undefined)?.maxTotalTimeout;
      const reason = total !== undefined ? `ran past the ${seconds(total)} left for this task` : `timed out after ${seconds(options.timeoutMs)} without a result or progress`;
      this.#giveUp(`${reason} on "${tool}"`);
      return new McpCallError("timeout", `${server} ${reason} while running "${tool}"; its tools are unavailable for the rest of this task.`, { cause: error });
    }
    if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
      // Usually already explained: the process exited, the HTTP stream was lost, or another call timed out.
      this.#giveUp("stopped", this.#stderr.suffix());
      return new McpCallError("stopped", `${server} ${this.#unavailable} while running "${tool}"${this.#unavailableDetail}; its tools are unavailable for the rest of this task.`, {
        cause: error,
      });
    }
    if (error instanceof McpError) {
      return new McpCallError("error", `${server} returned an error for "${tool}": ${mcpErrorText(error)}`, { cause: error });
    }
    if (error instanceof ZodError) {
      return new McpCallError("error", `${server} sent a malformed result for "${tool}": ${error.issues[0]?.message ?? error.message}`, { cause: error });
    }
    // Anything else failed below MCP (the process or the HTTP connection), so the session cannot be trusted.
    const why = errorText(error);
    this.#giveUp("could not be reached", ` (${why})`);
    return new McpCallError("stopped", `${server} could not be reached while running "${tool}" (${why}); its tools are unavailable for the rest of this task.`, { cause: error });
  }

  /** Marks the server unavailable and stops it in the background; close() still waits for that. */
  #giveUp(reason: string, detail = ""): void {
    if (this.#unavailable === undefined) {
      this.#unavailable = reason;
      this.#unavailableDetail = detail;
      this.#logger.warn({ reason }, "MCP server unavailable for the rest of the task");
    }
    void this.close();
  }

  #onClosed(): void {
    if (this.#unavailable !== undefined) return;
    this.#unavailable = "stopped";
    this.#unavailableDetail = this.#stderr.suffix();
    this.#logger.warn({ stderr: this.#stderr.text() }, "MCP server stopped");
  }
}

function createTransport(spec: McpServerSpec, stderr: StderrTail, logger: Logger): Transport {
  if (spec.kind === "http") {
    return new StreamableHTTPClientTransport(new URL(spec.url), { requestInit: { headers: spec.headers } });
  }
  const transport = new StdioClientTransport({
    command: spec.command,
    args: spec.args,
    // Only the configured variables and a minimal PATH, never our own environment (API keys,
    // tokens). The SDK adds HOME, LOGNAME, SHELL, TERM and USER from ours, which hold no secrets.
    env: { PATH: MINIMAL_PATH, ...spec.env },
    stderr: "pipe",
  });
  // Read stderr so a chatty server never blocks on a full pipe, and keep the end for messages.
  transport.stderr?.on("data", (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    stderr.append(text);
    logger.trace({ stderr: text }, "MCP server stderr");
  });
  return transport;
}

function startFailure(spec: McpServerSpec, error: unknown, stderr: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const tail = stderr ? `; its last output: ${oneLine(stderr)}` : "";
  if (spec.kind === "stdio" && code === "ENOENT") {
    const searched = spec.env["PATH"] ?? MINIMAL_PATH;
    return `command "${spec.command}" was not found (searched ${searched}; give its absolute path or set PATH in the server's "env")`;
  }
  if (spec.kind === "stdio" && code === "EACCES") return `command "${spec.command}" is not executable`;
  if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
    return spec.kind === "stdio" ? `the server exited while starting${tail}` : "the server closed the connection while starting";
  }
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    return `the server did not finish starting within ${seconds(Number((error.data as { timeout?: number } | undefined)?.timeout ?? DEFAULT_CONNECT_TIMEOUT_MS))}${tail}`;
  }
  return `${errorText(error)}${tail}`;
}

function mcpErrorText(error: McpError): string {
  return error.message.replace(/^(?:MCP error -?\d+: )+/, "");
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch hides the real reason (ECONNREFUSED, bad port…) in its cause.
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const why = typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : "";
  const detail = why && !error.message.includes(why) ? ` (${why})` : "";
  return `${error.message}${detail}`;
}

function oneLine(text: string): string {
  const line = text.trim().split(/\r?\n/).filter(Boolean).slice(-3).join(" | ");
  return line.length > 300 ? `…${line.slice(-300)}` : line;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** The end of a server's stderr, to explain why it stopped. */
class StderrTail {
  #text = "";
  append(chunk: string): void {
    this.#text = (this.#text + chunk).slice(-STDERR_TAIL_CHARS);
  }
  text(): string {
    return this.#text;
  }
  suffix(): string {
    return this.#text.trim() ? ` (its last output: ${oneLine(this.#text)})` : "";
  }
}
