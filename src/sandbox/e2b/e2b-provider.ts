// Creates and resumes E2B sandboxes for tasks. A start that fails for a reason that may pass
// (E2B busy, rate limited, network) is retried with backoff; one that cannot pass (bad API key,
// unknown template) fails at once with a message saying what to fix.
import { Sandbox as SdkSandbox, SandboxNotFoundError, NotFoundError, type McpServer } from "e2b";
import type { Logger } from "pino";
import type { McpGateway, SandboxCreateOptions, SandboxProvider, SweepQuery } from "../port.ts";
import { CodedError } from "../../shared/errors.ts";
import { sweepSandboxes } from "./e2b-sweeper.ts";
import { E2BSandbox } from "./e2b-sandbox.ts";
import type { E2BFileLimits } from "./e2b-files.ts";
import { sleep } from "../../shared/sleep.ts";
import { isDebugMode, sdkConnection, type E2BConnectionOptions } from "./e2b-connection.ts";
import { startFailure } from "./e2b-errors.ts";
import { buildMcpConfig } from "./mcp-gateway.ts";
import { sandboxMetadata } from "./sandbox-metadata.ts";
import { MAX_SANDBOX_TIMEOUT_MS, SandboxLifetime } from "./sandbox-lifetime.ts";

const DEFAULT_WORKDIR = "/home/user";

export interface E2BProviderOptions {
  /** E2B_API_KEY; unset, the SDK reads E2B_API_KEY itself. */
  apiKey?: string;
  /** E2B_TEMPLATE; unset, the SDK's default ("base", or "mcp-gateway" when MCP servers are on). */
  template?: string;
  logger: Logger;
  githubToken?: string;
  notionToken?: string;
  /** More servers of E2B's MCP catalogue, in the SDK's `mcp` shape (see mcp-gateway.ts, E2B_MCP_SERVERS). */
  extraMcp?: Record<string, unknown>;
  /** Environment variables for every command. Nothing else of ours reaches the sandbox. */
  envs?: Record<string, string>;
  /** Where relative paths resolve and commands start; the E2B default user's home unless the template differs. */
  workdir?: string;
  /** Sandbox lifetime when create() is not told one (default 30 min). */
  defaultLifetimeMs?: number;
  /** Heartbeat that extends the lifetime while the sandbox is open (default 5 min). */
  keepAliveMs?: number;
  /** Margin on every lifetime (default 2 min). */
  graceMs?: number;
  /** Tries before giving up on a start (default 3). */
  startAttempts?: number;
  /** Wait before the second try; doubles after each (default 1 s). */
  retryDelayMs?: number;
  /** Where the SDK connects (self-hosted E2B, debug mode, stand-ins in tests). */
  connection?: Omit<E2BConnectionOptions, "apiKey">;
  /** Limits of the file tools (time per operation, read caps...); defaults in e2b-files.ts. */
  fileLimits?: Partial<E2BFileLimits>;
}

export class E2bSandboxProvider implements SandboxProvider {
  readonly name = "e2b";
  private readonly options: E2BProviderOptions;
  private readonly logger: Logger;
  private readonly connection: E2BConnectionOptions;
  private readonly mcp: Record<string, unknown> | undefined;
  /** The gateway's servers for a task whose GitHub token must stay out of the sandbox. */
  private readonly mcpWithoutGitHub: Record<string, unknown> | undefined;
  private readonly debug: boolean;

  constructor(options: E2BProviderOptions) {
    this.options = options;
    this.logger = options.logger;
    this.connection = { ...options.connection, ...(options.apiKey ? { apiKey: options.apiKey } : {}) };
    this.mcp = buildMcpConfig(options);
    const { githubToken: _token, ...withoutGitHub } = options;
    this.mcpWithoutGitHub = buildMcpConfig(withoutGitHub);
    this.debug = isDebugMode(this.connection);
  }

  async create(options: SandboxCreateOptions): Promise<E2BSandbox> {
    const lifetimeMs = this.lifetimeFor(options);
    const attempts = Math.max(1, this.options.startAttempts ?? 3);
    const template = this.options.template;
    const mcp = options.keepGitHubTokenOut ? this.mcpWithoutGitHub : this.mcp;
    for (let attempt = 1; ; attempt++) {
      if (options.signal?.aborted) throw new CodedError("sandbox_unavailable", "sandbox creation was cancelled", { cause: options.signal.reason, transient: false });
      const started = performance.now();
      let sdk: SdkSandbox;
      try {
        sdk = await SdkSandbox.create({
          ...sdkConnection(this.connection),
          ...(template ? { template } : {}),
          metadata: sandboxMetadata(options),
          timeoutMs: lifetimeMs,
          ...(mcp ? { mcp: mcp as McpServer } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        this.logger.info(
          { sandboxId: sdk.sandboxId, taskId: options.taskId, template: template ?? "(default)", ms: Math.round(performance.now() - started), attempt },
          "E2B sandbox started",
        );
      } catch (error) {
        const failure = options.signal?.aborted ? { retry: false, message: "sandbox creation was cancelled" } : startFailure(error, template);
        if (!failure.retry || attempt >= attempts) {
          const tries = attempt > 1 ? ` (gave up after ${attempt} attempts)` : "";
          throw new CodedError("sandbox_unavailable", `${failure.message}${tries}`, { cause: error, transient: failure.retry });
        }
        const delayMs = (this.options.retryDelayMs ?? 1000) * 2 ** (attempt - 1);
        this.logger.warn({ err: error, taskId: options.taskId, attempt, retryInMs: delayMs }, "E2B sandbox did not start; trying again");
        // A cancel ends the wait; the next attempt sees the aborted signal and gives up.
        await sleep(delayMs, options.signal).catch(() => {});
        continue;
      }
      return this.open(sdk, lifetimeMs, mcp);
    }
  }

  async resume(id: string, options: SandboxCreateOptions): Promise<E2BSandbox | null> {
    const lifetimeMs = this.lifetimeFor(options);
    let sdk: SdkSandbox;
    try {
      sdk = await SdkSandbox.connect(id, { ...sdkConnection(this.connection), timeoutMs: lifetimeMs });
    } catch (error) {
      if (error instanceof SandboxNotFoundError || error instanceof NotFoundError) {
        this.logger.info({ sandboxId: id, taskId: options.taskId }, "E2B sandbox to resume is gone; a new one is needed");
        return null;
      }
      const failure = startFailure(error, undefined);
      throw new CodedError("sandbox_unavailable", `could not resume E2B sandbox ${id}: ${failure.message}`, { cause: error, transient: failure.retry });
    }
    // Metadata cannot change after create: the sandbox still names the task that created it.
    this.logger.info({ sandboxId: id, taskId: options.taskId }, "E2B sandbox resumed");
    return this.open(sdk, lifetimeMs, this.mcp);
  }

  /** Kills our sandboxes whose tasks (and conversations) are over; see e2b-sweeper.ts. */
  async sweep(query: SweepQuery): Promise<number> {
    const result = await sweepSandboxes({ ...query, logger: this.logger, connection: this.connection });
    return result.killed.length;
  }

  /** E2B sandboxes live on E2B's side; nothing is held here. */
  async dispose(): Promise<void> {}

  private lifetimeFor(options: SandboxCreateOptions): number {
    const wanted = (options.lifetimeMs ?? this.options.defaultLifetimeMs ?? 30 * 60_000) + this.graceMs();
    return Math.min(wanted, MAX_SANDBOX_TIMEOUT_MS);
  }

  private graceMs(): number {
    return this.options.graceMs ?? 2 * 60_000;
  }

  private async open(sdk: SdkSandbox, lifetimeMs: number, mcp: Record<string, unknown> | undefined): Promise<E2BSandbox> {
    const workdir = this.options.workdir ?? DEFAULT_WORKDIR;
    if (workdir !== DEFAULT_WORKDIR) {
      // A template's own workdir may not exist yet; makeDir is a no-op when it does.
      await sdk.files.makeDir(workdir).catch((error: unknown) => {
        this.logger.warn({ err: error, sandboxId: sdk.sandboxId, workdir }, "could not create the sandbox workdir");
      });
    }
    const lifetime = new SandboxLifetime({
      initialMs: lifetimeMs,
      keepAliveMs: this.options.keepAliveMs ?? 5 * 60_000,
      graceMs: this.graceMs(),
      logger: this.logger,
      setTimeout: (ms) => sdk.setTimeout(ms),
    });
    return new E2BSandbox({
      sdk,
      workdir,
      envs: { ...this.options.envs },
      logger: this.logger,
      lifetime,
      mcpGateway: await this.gatewayOf(sdk, mcp),
      debug: this.debug,
      fileLimits: this.options.fileLimits,
    });
  }

  private async gatewayOf(sdk: SdkSandbox, mcp: Record<string, unknown> | undefined): Promise<McpGateway | undefined> {
    if (!mcp) return undefined;
    try {
      const token = await sdk.getMcpToken();
      if (token) return { url: sdk.getMcpUrl(), token };
    } catch (error) {
      this.logger.warn({ err: error, sandboxId: sdk.sandboxId }, "E2B MCP gateway token unavailable");
    }
    this.logger.warn(
      { sandboxId: sdk.sandboxId, servers: Object.keys(mcp), debug: this.debug },
      "the E2B MCP gateway is not available in this sandbox (the SDK starts none in debug mode); MCP tools through it are off",
    );
    return undefined;
  }
}
