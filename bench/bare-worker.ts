// The bare baseline of the queue benches, as a process of its own: pg-boss work() on the same
// database (the embedded one through the same adapter), each job one model loop with the SDK
// against the scripted model and every tool call a plain child process. No records, no sandbox.
// With BARE_REQUEST set (JSON: the product's request without its model and messages, and whether
// it streamed), every call sends that request as the product does: the same system prompt, tool
// schemas and max_tokens, streamed when the product streams. The model double's CPU, on the same
// two cores, grows with the request; this keeps it out of the ratio.
// Started by queue-common.ts; prints "worker pool started (bare)" once it takes jobs.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import Anthropic from "@anthropic-ai/sdk";
import { PgBoss } from "pg-boss";
import { openDatabase } from "../src/store/open-database.ts";

export const BARE_QUEUE = "bare-task";

/** What the bare sends besides its model and messages (BARE_REQUEST). */
export type BareRequest = Omit<Anthropic.MessageCreateParamsNonStreaming, "model" | "messages"> & { stream?: boolean };

const run = promisify(execFile);

if (process.argv[1]?.endsWith("bare-worker.ts")) {
  const env = process.env;
  const db = await openDatabase({ DATABASE_URL: env["DATABASE_URL"] || undefined, DATA_DIR: env["DATA_DIR"] ?? "" }, { role: "server", prepareStatements: false });
  // The same pg-boss settings as ours (src/queue/boss.ts): the queue cache feeds the backlog burst.
  const boss = new PgBoss({ ...db.bossOptions(), supervise: true, schedule: false, superviseIntervalSeconds: 2, monitorIntervalSeconds: 2, queueCacheIntervalSeconds: 2 });
  boss.on("error", () => {});
  await boss.start();
  const model = new Anthropic({ apiKey: "bare", baseURL: env["ANTHROPIC_BASE_URL"]!, maxRetries: 0 });
  const minimal = { max_tokens: 1024, tools: [{ name: "execute", description: "run a command", input_schema: { type: "object" as const, properties: { command: { type: "string" } } } }] };
  const { stream = false, ...shape }: BareRequest = env["BARE_REQUEST"] ? JSON.parse(env["BARE_REQUEST"]) : minimal;
  const call = (messages: Anthropic.MessageParam[]) => {
    const request = { ...shape, model: "bare", messages };
    return stream ? model.messages.stream(request).finalMessage() : model.messages.create(request);
  };
  await boss.work<{ text: string }>(
    BARE_QUEUE,
    { batchSize: 1, localConcurrency: Number(env["WORKER_CONCURRENCY"] ?? 4), pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 1, burstWhenReadyExceeds: 1 },
    async ([job]) => {
      const messages: Anthropic.MessageParam[] = [{ role: "user", content: job!.data.text }];
      for (;;) {
        const reply = await call(messages);
        messages.push({ role: "assistant", content: reply.content });
        const calls = reply.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
        if (calls.length === 0) return;
        const results: Anthropic.ToolResultBlockParam[] = [];
        for (const call of calls) {
          const out = await run("sh", ["-c", String((call.input as { command?: string }).command ?? "true")]).then(
            (r) => r.stdout,
            (e: Error) => e.message,
          );
          results.push({ type: "tool_result", tool_use_id: call.id, content: out || "(no output)" });
        }
        messages.push({ role: "user", content: results });
      }
    },
  );
  console.log("worker pool started (bare)");
  const stop = () =>
    void boss
      .stop({ graceful: true, close: true, timeout: 2_000 })
      .then(() => db.close())
      .then(() => process.exit(0));
  process.on("SIGTERM", stop);
}
