// The one way a task runs in a sandbox, for `task`, `chat` and the worker alike: open a sandbox
// (continuing a kept one where asked), run the engine in it with its MCP tools as many times as
// the caller needs (a chat runs once per line), and close it.
import { runAgent } from "../agent/engine.ts";
import type { ProgressSink } from "../agent/events.ts";
import type { AgentOutcome, CheckpointStore, Gate, Inbox, Message } from "../agent/run-options.ts";
import type { Sandbox } from "../sandbox/port.ts";
import type { Logger } from "../shared/log.ts";
import type { TaskRuntime } from "./task-runtime.ts";
import { allowedModel } from "./model-client.ts";

export interface WorkspaceOptions {
  taskId: string;
  /** Stored with the sandbox (a conversation key lets a follow-up find it). */
  labels?: Record<string, string>;
  /** A sandbox kept by an earlier task of the conversation, continued when it is still there. */
  resumeId?: string;
  lifetimeMs?: number;
  signal?: AbortSignal;
  logger?: Logger;
  /** The task works on a GitHub repository: nothing may put GITHUB_TOKEN in its sandbox. */
  keepGitHubTokenOut?: boolean;
}

export interface RunRequest {
  /** Names the run in events and checkpoints; the workspace's task id by default. */
  taskId?: string;
  prompt: string;
  sink: ProgressSink;
  signal?: AbortSignal;
  history?: Message[];
  checkpoints?: CheckpointStore;
  inbox?: Inbox;
  /** Approval rules and spend limits: asked before tool and model calls. */
  gate?: Gate;
  /** The model this run uses (one of AGENT_MODELS); the configured default when unset. */
  model?: string;
}

export interface Workspace {
  readonly sandbox: Sandbox;
  /** True when a kept sandbox was continued. */
  readonly resumed: boolean;
  run(request: RunRequest): Promise<AgentOutcome>;
  /** `keep`: leave the sandbox resumable for a later task of the same conversation. */
  close(options?: { keep?: boolean }): Promise<void>;
}

/** Throws a CodedError (sandbox_unavailable…) when no sandbox can be had. */
export async function openWorkspace(runtime: TaskRuntime, options: WorkspaceOptions): Promise<Workspace> {
  const log = options.logger ?? runtime.logger;
  const create = {
    taskId: options.taskId,
    lifetimeMs: options.lifetimeMs ?? runtime.limits.timeoutMs,
    ...(options.labels ? { labels: options.labels } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.keepGitHubTokenOut ? { keepGitHubTokenOut: true } : {}),
  };
  let sandbox: Sandbox | null = null;
  if (options.resumeId && runtime.sandboxes.resume) {
    sandbox = await runtime.sandboxes.resume(options.resumeId, create).catch((error: unknown) => {
      log.warn({ err: error, sandboxId: options.resumeId }, "could not continue the conversation's sandbox; starting a new one");
      return null;
    });
  }
  const resumed = sandbox !== null;
  const box = sandbox ?? (await runtime.sandboxes.create(create));
  return {
    sandbox: box,
    resumed,
    async run(request) {
      const signal = request.signal ?? options.signal ?? new AbortController().signal;
      const mcp = await runtime.openTools(box, request.sink, signal).catch((error: unknown) => {
        log.warn({ err: error }, "MCP tools unavailable for this run");
        return { tools: [], close: async () => {} };
      });
      try {
        return await runAgent({
          taskId: request.taskId ?? options.taskId,
          prompt: request.prompt,
          sandbox: box,
          model: request.model ? { ...runtime.model, model: allowedModel(runtime.config, request.model, log) } : runtime.model,
          sink: request.sink,
          limits: runtime.limits,
          extraTools: mcp.tools,
          signal,
          ...(request.history ? { history: request.history } : {}),
          ...(request.checkpoints ? { checkpoints: request.checkpoints } : {}),
          ...(request.inbox ? { inbox: request.inbox } : {}),
          ...(request.gate ? { gate: request.gate } : {}),
        });
      } finally {
        await mcp.close().catch((error: unknown) => log.warn({ err: error }, "MCP servers did not stop cleanly"));
      }
    },
    async close(closeOptions) {
      await box.close(closeOptions).catch((error: unknown) => log.warn({ err: error, sandboxId: box.id }, "sandbox close failed"));
    },
  };
}
