// The bare baseline of the Slack benches: what the libraries alone do for a mention — Bolt's HTTP
// receiver acks the app_mention and sends a pg-boss job; a pg-boss work() handler runs the model
// loop with the SDK (each tool call a plain child process) and posts the answer in the thread.
// No progress card, no records, no sandbox: the floor deep-agent is compared against.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import Anthropic from "@anthropic-ai/sdk";
import { App, HTTPReceiver, LogLevel } from "@slack/bolt";
import { PgBoss } from "pg-boss";
import { slackSender } from "../test/doubles/slack/signed-requests.ts";
import type { SlackWorkspace } from "../test/doubles/slack/slack-workspace.ts";
import { createTarget, type TargetKind, type TestTarget } from "../test/helpers/test-database.ts";
import { openDatabase } from "../src/store/open-database.ts";
import type { Database } from "../src/store/database.ts";

const run = promisify(execFile);
const SECRET = "bare-signing-secret-0123456789";
const QUEUE = "bare-mention";

export interface BarePipeline {
  /** Delivers an app_mention for a message already posted in the workspace. */
  mention(event: Record<string, unknown>): Promise<number>;
  close(): Promise<void>;
}

export async function startBarePipeline(slack: SlackWorkspace, modelUrl: string, kind: TargetKind = "pglite"): Promise<BarePipeline> {
  const target: TestTarget = await createTarget(kind);
  const db: Database = await openDatabase(target.config, { role: "server", prepareStatements: false });
  // The queue exists before the worker starts (as after a deploy), so pg-boss's queue cache has it
  // from the start and NOTIFY wakes the worker.
  const setup = new PgBoss({ ...db.bossOptions(), supervise: false, schedule: false });
  await setup.start();
  await setup.createQueue(QUEUE, { notify: true });
  await setup.stop({ graceful: false, close: false });
  // The same pg-boss settings as ours (src/queue/boss.ts): the queue cache feeds the backlog burst.
  const boss = new PgBoss({ ...db.bossOptions(), supervise: true, schedule: false, superviseIntervalSeconds: 2, monitorIntervalSeconds: 2, queueCacheIntervalSeconds: 2 });
  boss.on("error", () => {});
  await boss.start();
  const receiver = new HTTPReceiver({ signingSecret: SECRET, endpoints: "/slack/events", processBeforeResponse: false });
  const app = new App({
    token: slack.botToken,
    receiver,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: `${slack.apiUrl.replace(/\/$/, "")}/` },
    botUserId: slack.bot.userId,
    botId: slack.bot.botId,
  });
  app.event("app_mention", async ({ event }) => {
    await boss.send(QUEUE, { channel: event.channel, ts: event.ts, text: event.text });
  });
  const model = new Anthropic({ apiKey: "bare", baseURL: modelUrl, maxRetries: 0 });
  await boss.work<{ channel: string; ts: string; text: string }>(QUEUE, { batchSize: 1, localConcurrency: 4, pollingIntervalSeconds: 0.5 }, async ([job]) => {
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: job!.data.text }];
    const tools: Anthropic.Tool[] = [{ name: "execute", description: "run a command", input_schema: { type: "object", properties: { command: { type: "string" } } } }];
    for (;;) {
      const reply = await model.messages.create({ model: "bare", max_tokens: 1024, messages, tools });
      messages.push({ role: "assistant", content: reply.content });
      const calls = reply.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
      if (calls.length === 0) {
        const answer = reply.content.map((b) => (b.type === "text" ? b.text : "")).join("");
        await app.client.chat.postMessage({ channel: job!.data.channel, thread_ts: job!.data.ts, text: answer });
        return;
      }
      const results: Anthropic.ToolResultBlockParam[] = [];
      for (const call of calls) {
        const command = String((call.input as { command?: string }).command ?? "true");
        const out = await run("sh", ["-c", command]).then(
          (r) => r.stdout,
          (e: Error) => e.message,
        );
        results.push({ type: "tool_result", tool_use_id: call.id, content: out || "(no output)" });
      }
      messages.push({ role: "user", content: results });
    }
  });
  const server = await app.start(0);
  const address = (server as unknown as { address(): { port: number } }).address();
  const send = slackSender(`http://127.0.0.1:${address.port}/slack/events`, SECRET);
  return {
    async mention(event) {
      return (await send.event(event, { teamId: slack.teamId })).status;
    },
    async close() {
      await app.stop();
      await boss.stop({ graceful: false, close: true });
      await db.close();
      await target.cleanup();
    },
  };
}
