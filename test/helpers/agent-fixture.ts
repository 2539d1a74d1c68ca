// A real engine run for tests: the real SDK against the scripted Messages API, and a
// local sandbox in a temporary directory.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { startMessagesApi, type MessagesApi, type MessagesApiOptions } from "../doubles/messages-api.ts";
import { createModelSettings } from "../../src/runtime/model-client.ts";
import { runAgent } from "../../src/agent/engine.ts";
import type { AgentEvent } from "../../src/agent/events.ts";
import type { AgentOutcome, Limits, RunOptions } from "../../src/agent/run-options.ts";
import type { Sandbox } from "../../src/sandbox/port.ts";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";

export interface AgentFixture {
  api: MessagesApi;
  sandbox: Sandbox;
  dataDir: string;
  events: AgentEvent[];
  run(prompt: string, extra?: Omit<Partial<RunOptions>, "limits"> & { limits?: Partial<Limits> }): Promise<AgentOutcome>;
  close(): Promise<void>;
}

const testLimits: Limits = { maxTurns: 30, timeoutMs: 60_000, maxToolResultChars: 30_000, contextWindowTokens: 200_000, maxOutputTokens: 4096 };

export async function agentFixture(options: MessagesApiOptions & { sdkRetries?: number; streamRetries?: number }): Promise<AgentFixture> {
  const api = await startMessagesApi(options);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "deep-agent-test-"));
  const provider = new LocalSandboxProvider({ dataDir, isolation: "none", allowedDomains: [], logger: pino({ level: "silent" }) });
  const sandbox = await provider.create({ taskId: "t1" });
  const model = createModelSettings(
    { ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: api.baseURL, AGENT_MODEL: "claude-test" },
    { sdkRetries: options.sdkRetries ?? 2, streamRetries: options.streamRetries ?? 2, retryBaseMs: 10 },
  );
  const events: AgentEvent[] = [];
  return {
    api,
    sandbox,
    dataDir,
    events,
    run(prompt, extra = {}) {
      const { limits, ...rest } = extra;
      return runAgent({ taskId: "t1", prompt, sandbox, model, sink: { emit: (e) => events.push(e) }, limits: { ...testLimits, ...limits }, ...rest });
    },
    async close() {
      await sandbox.close();
      await provider.dispose?.();
      await api.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
