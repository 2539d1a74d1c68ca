// The whole Slack path in one process for tests: the real Bolt app (HTTP mode on our HTTP server,
// or Socket Mode against the Socket Mode double), the durable queue on an embedded database, and
// optionally the real worker pool running the real engine against the scripted Messages API, in
// local sandboxes, with the Slack progress hooks. Slack itself is the emulator behind the
// recording proxy (test/doubles/slack).
import { Writable } from "node:stream";
import { loadConfig, type Config } from "../../src/config/env.ts";
import { secretValues } from "../../src/config/secrets.ts";
import { createLogger, type Logger } from "../../src/shared/log.ts";
import { openQueueStack, type QueueStack } from "../../src/queue/open-queue.ts";
import { startHttpServer, type RunningHttpServer } from "../../src/http/server.ts";
import type { SlackIntake } from "../../src/slack/intake/slack-app.ts";
import type { ExtraSubcommand } from "../../src/slack/intake/intake-context.ts";
import { createSlackParts, type SlackParts } from "../../src/slack/slack-parts.ts";
import { createTaskLifecycle, type TaskLifecycle } from "../../src/tasks/lifecycle.ts";
import { createTranscripts } from "../../src/tasks/transcripts.ts";
import { createTaskRepo, FINISHED, type Task } from "../../src/store/task-repo.ts";
import { startMessagesApi, type MessagesApi, type Script } from "../doubles/messages-api.ts";
import { startSlackWorkspace, type SlackWorkspace, type SlackMessage } from "../doubles/slack/slack-workspace.ts";
import { slackSender } from "../doubles/slack/signed-requests.ts";
import { startSocketModeServer, type SocketModeServer } from "../doubles/slack/socket-mode-server.ts";
import type { Clock } from "../../src/slack/thread/update-budget.ts";
import { createTarget, type TargetKind } from "../helpers/test-database.ts";
import { startSlackWorker, type SlackWorker } from "./slack-worker.ts";
import { waitFor } from "../helpers/wait-for.ts";

export const SIGNING_SECRET = "test-signing-secret-0123456789";

export interface HarnessOptions {
  script?: Script;
  mode?: "http" | "socket";
  /** Embedded PGlite by default; "postgres" needs TEST_DATABASE_URL. */
  database?: TargetKind;
  worker?: boolean;
  /** `/agent` subcommands registered by other parts of the product (beside the schedule ones). */
  subcommands?: Record<string, ExtraSubcommand>;
  /** How long a running task's worker has to confirm a cancel before it is settled without it. */
  cancelConfirmMs?: number;
  /** Extra environment; a function gets the workspace (for its generated user and channel ids). */
  env?: Record<string, string> | ((slack: SlackWorkspace) => Record<string, string>);
  /** The clock of the chat.update budget and of the workspace's call log (a faster one passes a minute in seconds). */
  clock?: Clock;
  /** The workspace's chat.update budget (45 a minute, bursts of 5, unless a test needs it tighter). */
  updateBudget?: { perMinute?: number; burst?: number };
  /** Shortest gap between two live updates of one progress card. */
  minUpdateIntervalMs?: number;
  /** How often a working task's status line is set again. */
  statusRefreshMs?: number;
}

export interface Harness {
  config: Config;
  /** The Slack parts as `deep-agent start` has them (hooks, run notices). */
  parts: SlackParts;
  lifecycle: TaskLifecycle;
  slack: SlackWorkspace;
  api: MessagesApi;
  intake: SlackIntake;
  stack: QueueStack;
  http: RunningHttpServer;
  socket?: SocketModeServer;
  worker?: SlackWorker;
  /** Signed HTTP requests to POST /slack/events. */
  send: ReturnType<typeof slackSender>;
  /** Lines the app logged (JSON), for checks that secrets never appear. */
  logs: string[];
  /** A person posts in Slack (a real message in the emulator); returns the event Slack would send. */
  say(person: string, channel: string, text: string, threadTs?: string): Promise<{ ts: string; event: Record<string, unknown> }>;
  /** A person mentions the bot: posts the message and delivers the app_mention event (HTTP or socket). */
  mention(person: string, channel: string, text: string, threadTs?: string): Promise<{ ts: string; status: number }>;
  /** A person runs `/agent <text>`; returns what the ack carried and the id of its response_url. */
  command(person: string, channel: string, text: string): Promise<{ status: number; ack: Record<string, unknown> | null; id: string }>;
  /** A person presses Cancel on a progress message. */
  click(person: string, channel: string, messageTs: string, value: string): Promise<{ status: number; id: string }>;
  /** A person presses a button: on a message (`channel`, `messageTs`) or on their App Home tab. */
  press(person: string, button: { actionId: string; value: string; type?: string; channel?: string; messageTs?: string }): Promise<{ status: number; id: string }>;
  /** The text a command or click answered through its response_url. */
  replyTo(id: string): Promise<string>;
  /** Delivers an event callback through the configured connection mode. */
  deliver(event: Record<string, unknown>, eventId?: string): Promise<number>;
  /** Resolves once the intake has finished everything it started (listeners, cancels). */
  idle(): Promise<void>;
  tasks(): Promise<Task[]>;
  task(id: string): Promise<Task | null>;
  taskFor(channel: string, messageTs: string): Promise<Task | null>;
  waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs?: number): Promise<T>;
  waitForFinish(id: string, timeoutMs?: number): Promise<Task>;
  thread(channel: string, ts: string): Promise<SlackMessage[]>;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const mode = options.mode ?? "http";
  const target = await createTarget(options.database ?? "pglite", { migrated: true });
  const api = await startMessagesApi({ script: options.script ?? [{ text: "Done." }] });
  const slack = await startSlackWorkspace(options.clock ? { clock: options.clock } : {});
  let socket: SocketModeServer | undefined;
  if (mode === "socket") {
    socket = await startSocketModeServer();
    slack.setSocketUrl(socket.url);
  }
  const config = loadConfig({
    ...target.env,
    ANTHROPIC_API_KEY: "sk-ant-test-key-0123456789",
    ANTHROPIC_BASE_URL: api.baseURL,
    AGENT_MODEL: "claude-sonnet-test",
    SANDBOX_PROVIDER: "local",
    SANDBOX_ISOLATION: "none",
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    WORKER_CONCURRENCY: "2",
    TASK_TIMEOUT_SECONDS: "60",
    LOG_LEVEL: process.env["TEST_LOG_LEVEL"] ?? "info",
    ...(mode === "socket" ? { SLACK_APP_TOKEN: slack.appToken } : {}),
    ...(typeof options.env === "function" ? options.env(slack) : options.env),
  });
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      const text = chunk.toString("utf8");
      logs.push(text);
      if (process.env["TEST_LOG_LEVEL"]) process.stderr.write(text);
      done();
    },
  });
  const logger: Logger = createLogger({ level: config.LOG_LEVEL, secrets: secretValues(config), destination });
  const stack = await openQueueStack(config, logger, { role: "server", supervise: true });
  // Wired as `deep-agent start` wires it.
  // Progress cards may update every 100 ms rather than every second unless a test says otherwise, so a
  // task's last live update does not wait out the second (the pacing is tested in message-updater.test.ts).
  const parts = createSlackParts({
    config,
    logger,
    db: stack.db,
    boss: stack.boss,
    ...(options.clock || options.updateBudget ? { updateBudget: { ...options.updateBudget, ...(options.clock ? { clock: options.clock } : {}) } } : {}),
    minUpdateIntervalMs: options.minUpdateIntervalMs ?? 100,
    ...(options.statusRefreshMs !== undefined ? { statusRefreshMs: options.statusRefreshMs } : {}),
  })!;
  const lifecycle = createTaskLifecycle({
    db: stack.db,
    boss: stack.boss,
    hooks: parts.hooks,
    logger,
    ...(options.cancelConfirmMs !== undefined ? { cancelConfirmMs: options.cancelConfirmMs } : {}),
  });
  const intake = await parts.createIntake(lifecycle, options.subcommands);
  const http = await startHttpServer({
    port: 0,
    host: "127.0.0.1",
    logger,
    readiness: async () => ({ ready: true, detail: {} }),
    ...(intake.httpHandler ? { slackHandler: intake.httpHandler } : {}),
    transcripts: createTranscripts(stack.db, config),
  });
  await intake.start();
  if (socket) await socket.connected();
  const worker = options.worker ? await startSlackWorker({ config, logger, stack, hooks: parts.hooks, lifecycle }) : undefined;
  const send = slackSender(`http://127.0.0.1:${http.port}/slack/events`, SIGNING_SECRET);
  const repo = createTaskRepo(stack.db);

  const harness: Harness = {
    config,
    parts,
    lifecycle,
    slack,
    api,
    intake,
    stack,
    http,
    ...(socket ? { socket } : {}),
    ...(worker ? { worker } : {}),
    send,
    logs,
    async say(person, channel, text, threadTs) {
      const posted = await slack.as(person).chat.postMessage({ channel, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
      const event = {
        type: "message",
        channel,
        channel_type: channel.startsWith("D") ? "im" : "channel",
        user: slack.users[person],
        text,
        ts: posted.ts!,
        team: slack.teamId,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      };
      return { ts: posted.ts!, event };
    },
    async mention(person, channel, text, threadTs) {
      const { ts, event } = await harness.say(person, channel, `<@${slack.bot.userId}> ${text}`, threadTs);
      const { channel_type: _t, ...rest } = event;
      const status = await harness.deliver({ ...rest, type: "app_mention" });
      return { ts, status };
    },
    async command(person, channel, text) {
      const id = `cmd-${Math.random().toString(36).slice(2, 10)}`;
      const fields = {
        token: "x",
        team_id: slack.teamId,
        team_domain: "test",
        channel_id: channel,
        channel_name: "x",
        user_id: slack.users[person]!,
        user_name: person,
        command: "/agent",
        text,
        api_app_id: "A0DEEPAGENT",
        response_url: slack.responseUrl(id),
        trigger_id: `${Date.now()}.trigger`,
      };
      if (socket) {
        const ack = await socket.send("slash_commands", fields);
        return { status: 200, ack: ack.payload && Object.keys(ack.payload).length > 0 ? ack.payload : null, id };
      }
      const res = await send.command(fields);
      return { status: res.status, ack: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : null, id };
    },
    click(person, channel, messageTs, value) {
      return harness.press(person, { actionId: "deep_agent_cancel", value, channel, messageTs });
    },
    async press(person, button) {
      const id = `click-${Math.random().toString(36).slice(2, 10)}`;
      const onMessage = button.channel !== undefined && button.messageTs !== undefined;
      const payload = {
        type: "block_actions",
        user: { id: slack.users[person]!, username: person, team_id: slack.teamId },
        api_app_id: "A0DEEPAGENT",
        token: "x",
        trigger_id: `${Date.now()}.trigger`,
        team: { id: slack.teamId, domain: "test" },
        ...(onMessage
          ? {
              container: { type: "message", message_ts: button.messageTs, channel_id: button.channel, is_ephemeral: false },
              channel: { id: button.channel, name: "x" },
              message: { ts: button.messageTs, type: "message", text: "" },
              response_url: slack.responseUrl(id),
            }
          : { container: { type: "view", view_id: "V0HOME" }, view: { id: "V0HOME", type: "home" } }),
        actions: [{ action_id: button.actionId, block_id: "b", value: button.value, type: button.type ?? "button", action_ts: `${Date.now() / 1000}` }],
      };
      if (socket) {
        await socket.send("interactive", payload);
        return { status: 200, id };
      }
      return { status: (await send.action(payload)).status, id };
    },
    async replyTo(id) {
      const post = await waitFor(`the answer to ${id}`, () => slack.responses.find((r) => r.id === id), { timeoutMs: 30_000, detail: () => `last log lines:\n${logs.slice(-15).join("")}` });
      return String(post.body["text"] ?? "");
    },
    async deliver(event, eventId) {
      if (socket) {
        const body = {
          token: "x",
          team_id: slack.teamId,
          api_app_id: "A0DEEPAGENT",
          event: { event_ts: event["ts"], ...event },
          type: "event_callback",
          event_id: eventId ?? `Ev${Math.random().toString(36).slice(2, 12)}`,
          event_time: Math.floor(Date.now() / 1000),
          authorizations: [{ team_id: slack.teamId, user_id: slack.bot.userId, is_bot: true }],
        };
        await socket.send("events_api", body);
        return 200;
      }
      return (await send.event(event, { teamId: slack.teamId, ...(eventId ? { eventId } : {}) })).status;
    },
    async idle() {
      // New work can start while earlier work finishes (a listener starting a cancel).
      while (intake.context.background.size > 0) await Promise.allSettled([...intake.context.background]);
    },
    async tasks() {
      const { rows } = await stack.db.query<{ id: string }>("SELECT id FROM tasks ORDER BY created_at, id");
      return (await Promise.all(rows.map((r) => repo.get(r.id)))).filter((t): t is Task => t !== null);
    },
    task: (id) => repo.get(id),
    async taskFor(channel, messageTs) {
      const { rows } = await stack.db.query<{ id: string }>("SELECT id FROM tasks WHERE dedupe_key = $1", [`slack:${channel}:${messageTs}`]);
      return rows[0] ? repo.get(rows[0].id) : null;
    },
    waitFor: (what, check, timeoutMs = 30_000) => waitFor(what, check, { timeoutMs, detail: () => `last log lines:\n${logs.slice(-15).join("")}` }),
    waitForFinish(id, timeoutMs = 60_000) {
      return harness.waitFor(
        `task ${id} to finish and its result to be posted`,
        async () => {
          const t = await repo.get(id);
          return t && FINISHED.includes(t.status) && (await resultShown(slack, t)) ? t : null;
        },
        timeoutMs,
      );
    },
    thread: (channel, ts) => slack.thread(channel, ts),
    async close() {
      await worker?.stop();
      await intake.stop();
      await http.close();
      await stack.close();
      await socket?.close();
      await slack.close();
      await api.close();
      await target.cleanup();
    },
  };
  return harness;
}

/** The last step of a Slack task's final post is ✅ or ❌ on the message that asked. */
async function resultShown(slack: SlackWorkspace, task: Task): Promise<boolean> {
  const meta = task.meta["slack"] as { channel: string; messageTs: string } | undefined;
  if (!meta) return true;
  const message = await slack.message(meta.channel, meta.messageTs);
  return (message?.reactions ?? []).some((r) => r.name === "white_check_mark" || r.name === "x");
}
