// The Bolt app: Socket Mode when SLACK_APP_TOKEN is set, HTTP (POST /slack/events on our own
// server, requests verified with SLACK_SIGNING_SECRET) otherwise. Every request is acknowledged
// before any database work: events by Bolt itself, commands and button clicks first thing in
// their listener; the work runs after.
import type { IncomingMessage, ServerResponse } from "node:http";
import bolt, { type Receiver, type ReceiverEvent } from "@slack/bolt";
import { configError } from "../../config/env.ts";
import type { TaskLifecycle } from "../../tasks/lifecycle.ts";
import { normaliseApiUrl, slackLogger, type SlackClients } from "../api/web-client.ts";
import { CANCEL_ACTION_ID } from "../render/progress-card.ts";
import { describeSlackError } from "../api/slack-errors.ts";
import type { SlackContext } from "../slack-context.ts";
import type { ExtraSubcommand, IntakeContext } from "./intake-context.ts";
import { messageKind, toIncoming } from "./incoming-message.ts";
import { mentionsBot } from "./mention-text.ts";
import { handleMessage } from "./on-message.ts";
import { planCommand, SlashCommandSchema } from "./on-command.ts";
import { requestCancel } from "./cancel-task.ts";
import { decideFromSlack } from "./on-approval.ts";
import { APPROVE_ACTION_ID, DENY_ACTION_ID } from "../render/approval-message.ts";
import type { ApprovalDesk } from "../../tasks/approvals.ts";
import { createAssistant } from "./assistant.ts";
import { createHomeTab } from "./app-home.ts";
import { recordFeedback } from "./feedback.ts";
import { HOME_CANCEL_ACTION_ID } from "../render/home-view.ts";
import { FEEDBACK_ACTION_ID } from "../render/result-message.ts";
import { createEventLane } from "./event-lane.ts";

const { App, HTTPReceiver, SocketModeReceiver } = bolt;

/** Events handled at once after their ack (each holds at most one database connection at a time). */
const EVENT_SLOTS = 8;

export type SlackMode = "socket" | "http";

export interface SlackIntake {
  mode: SlackMode;
  context: IntakeContext;
  /** HTTP mode: the handler for POST /slack/events. */
  httpHandler?: (req: IncomingMessage, res: ServerResponse) => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SlackIntakeOptions {
  slack: SlackContext;
  lifecycle: TaskLifecycle;
  /** `/agent` subcommands of other parts of the product (schedules), by name. */
  subcommands?: Record<string, ExtraSubcommand>;
  /** Decides approval requests from their buttons. */
  approvals?: ApprovalDesk;
}

export async function createSlackIntake(options: SlackIntakeOptions): Promise<SlackIntake> {
  const { config, token } = options.slack;
  const mode: SlackMode = config.SLACK_APP_TOKEN ? "socket" : "http";
  if (mode === "http" && !config.SLACK_SIGNING_SECRET) {
    throw configError("SLACK_SIGNING_SECRET", "is not set; HTTP mode needs it to verify requests (or set SLACK_APP_TOKEN for Socket Mode)");
  }
  const logger = options.slack.logger;
  const bot = await identify(options.slack.clients);
  const context: IntakeContext = {
    ...options.slack,
    bot,
    lifecycle: options.lifecycle,
    background: new Set(),
    subcommands: options.subcommands ?? {},
    ...(options.approvals ? { approvals: options.approvals } : {}),
  };

  const boltLogger = slackLogger(logger.child({ component: "bolt" }));
  const apiUrl = normaliseApiUrl(config.SLACK_API_URL);
  const receiver =
    mode === "socket"
      ? new SocketModeReceiver({ appToken: config.SLACK_APP_TOKEN!, logger: boltLogger, installerOptions: { clientOptions: { slackApiUrl: apiUrl } } })
      : new HTTPReceiver({ signingSecret: config.SLACK_SIGNING_SECRET!, logger: boltLogger, endpoints: "/slack/events", processBeforeResponse: false });
  const app = new App({
    token,
    botId: bot.botId,
    botUserId: bot.userId,
    receiver: ackingEveryRequest(receiver),
    logger: boltLogger,
    clientOptions: { slackApiUrl: apiUrl, logger: boltLogger },
    convoStore: false,
    ignoreSelf: true,
  });
  register(app, context);
  let stopping: Promise<void> | undefined;

  return {
    mode,
    context,
    ...(receiver instanceof HTTPReceiver ? { httpHandler: (req: IncomingMessage, res: ServerResponse) => receiver.requestListener(req, res) } : {}),
    async start() {
      if (mode === "socket") await app.start();
      logger.info({ mode, bot: bot.userId, team: bot.teamId }, mode === "socket" ? "slack intake connected (Socket Mode)" : "slack intake ready on POST /slack/events");
    },
    stop() {
      stopping ??= (async () => {
        if (mode === "socket") await app.stop().catch((error: unknown) => logger.warn({ err: error }, "slack: socket mode stop failed"));
        // Work started after an ack finishes (bounded) before the database closes under it.
        await Promise.race([Promise.allSettled([...context.background]), new Promise((r) => setTimeout(r, 25_000).unref())]);
      })();
      return stopping;
    },
  };
}

/**
 * Bolt leaves a request no listener acknowledges (an envelope type it does not know, an action
 * nobody handles) open until its 3 s timeout, then answers 404. Through this wrapper every
 * request is acknowledged as soon as Bolt is done with it.
 */
function ackingEveryRequest(inner: Receiver): Receiver {
  return {
    init(app) {
      const processEvent = async (event: ReceiverEvent) => {
        let acked = false;
        const ack: ReceiverEvent["ack"] = (response) => {
          acked = true;
          return event.ack(response);
        };
        try {
          await app.processEvent({ ...event, ack });
        } finally {
          if (!acked) await event.ack().catch(() => {});
        }
      };
      // The receivers call nothing of the app but processEvent.
      inner.init(new Proxy(app, { get: (target, prop, receiver) => (prop === "processEvent" ? processEvent : Reflect.get(target, prop, receiver)) }));
    },
    start: (...args) => inner.start(...args),
    stop: (...args) => inner.stop(...args),
  };
}

async function identify(clients: SlackClients): Promise<IntakeContext["bot"]> {
  try {
    const auth = await clients.api.auth.test();
    if (!auth.user_id || !auth.bot_id) throw new Error("auth.test did not name a bot user; is SLACK_BOT_TOKEN a bot token (xoxb-)?");
    return { userId: auth.user_id, botId: auth.bot_id, ...(auth.team_id ? { teamId: auth.team_id } : {}) };
  } catch (error) {
    throw configError("SLACK_BOT_TOKEN", `Slack did not accept the bot token (${describeSlackError(error)}); check the token and SLACK_API_URL`, { cause: error });
  }
}

function register(app: InstanceType<typeof App>, ctx: IntakeContext): void {
  const log = ctx.logger;
  const guard = (what: string, work: () => Promise<unknown>): Promise<void> =>
    work().then(
      () => {},
      (error: unknown) => log.error({ err: error }, "slack: handling %s failed", what),
    );

  // Listener work is tracked with the rest of the after-ack work, so shutdown waits for it.
  app.use(async ({ next }) => {
    const job = next();
    ctx.background.add(job);
    try {
      await job;
    } finally {
      ctx.background.delete(job);
    }
  });

  // The AI-app split view: assistant threads (their messages are direct messages with a thread).
  app.assistant(createAssistant(ctx));

  // Events are acknowledged by Bolt before any listener runs; their work goes through one lane.
  const lane = createEventLane(EVENT_SLOTS);
  app.event("app_mention", async ({ event, body }) => {
    const m = toIncoming(event, "mention", body.team_id, ctx.bot);
    if (m) await lane.run(() => guard("a mention", () => handleMessage(ctx, m)));
  });

  app.message(async ({ message, body }) => {
    const e = message as { channel: string; channel_type?: string; thread_ts?: string; ts: string; text?: string };
    const kind = messageKind(e);
    if (!kind) return;
    // In channels a mention also arrives as app_mention, which handles it.
    if (kind === "thread_reply" && mentionsBot(e.text ?? "", ctx.bot.userId)) return;
    const m = toIncoming(message, kind, body.team_id, ctx.bot);
    if (m) await lane.run(() => guard("a message", () => handleMessage(ctx, m)));
  });

  app.command("/agent", async ({ command, ack, respond }) => {
    const parsed = SlashCommandSchema.safeParse(command);
    if (!parsed.success) {
      await ack();
      return;
    }
    const plan = planCommand(ctx, parsed.data);
    // Replies go through response_url, not the Web API client: scrubbed here.
    await (plan.ack ? ack({ ...plan.ack, text: ctx.scrubber.scrub(plan.ack.text) }) : ack());
    if (!plan.after) return;
    await guard("/agent", async () => {
      let reply: Awaited<ReturnType<NonNullable<typeof plan.after>>>;
      try {
        reply = await plan.after!();
      } catch (error) {
        log.error({ err: error }, "slack: /agent failed");
        reply = "Something went wrong while handling that command; try again in a moment.";
      }
      if (typeof reply === "string") await respond({ response_type: "ephemeral", text: ctx.scrubber.scrub(reply) });
      else if (reply) await respond({ response_type: reply.visibility, text: ctx.scrubber.scrub(reply.text) });
    });
  });

  app.action(CANCEL_ACTION_ID, async ({ ack, body, action, respond }) => {
    await ack();
    const taskId = (action as { value?: string }).value;
    const userId = (body as { user?: { id?: string } }).user?.id;
    if (!taskId || !userId) return;
    await guard("the Cancel button", async () => {
      const channelId = (body as { channel?: { id?: string } }).channel?.id ?? "";
      const reply = await requestCancel(ctx, taskId, { userId, channelId, admin: ctx.access.isAdmin(userId) });
      await respond({ response_type: "ephemeral", replace_original: false, text: ctx.scrubber.scrub(reply) });
    });
  });

  for (const [actionId, decision] of [
    [APPROVE_ACTION_ID, "approved"],
    [DENY_ACTION_ID, "denied"],
  ] as const) {
    app.action(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const approvalId = (action as { value?: string }).value;
      const userId = (body as { user?: { id?: string } }).user?.id;
      if (!approvalId || !userId) return;
      await guard(`the ${decision === "approved" ? "Approve" : "Deny"} button`, async () => {
        const reply = await decideFromSlack(ctx, approvalId, userId, decision);
        if (reply) await respond({ response_type: "ephemeral", replace_original: false, text: ctx.scrubber.scrub(reply) });
      });
    });
  }
  app.action(FEEDBACK_ACTION_ID, async ({ ack, body, action, respond }) => {
    await ack();
    const value = (action as { value?: unknown }).value;
    const userId = (body as { user?: { id?: string } }).user?.id;
    if (typeof value !== "string" || !userId) return;
    await guard("a feedback button", async () => {
      const channelId = (body as { channel?: { id?: string } }).channel?.id ?? "";
      const reply = await recordFeedback(ctx, { value: value.slice(0, 200), userId, channelId });
      if (reply) await respond({ response_type: "ephemeral", replace_original: false, text: ctx.scrubber.scrub(reply) });
    });
  });

  const home = createHomeTab(ctx);
  app.event("app_home_opened", async ({ event }) => {
    if (event.tab !== "home" || !event.user) return;
    await lane.run(() => guard("the App Home tab", () => home.publish(event.user)));
  });

  app.action(HOME_CANCEL_ACTION_ID, async ({ ack, body, action }) => {
    await ack();
    const taskId = (action as { value?: unknown }).value;
    const userId = (body as { user?: { id?: string } }).user?.id;
    if (typeof taskId !== "string" || !userId) return;
    await guard("Cancel on the App Home tab", async () => {
      // The tab has no channel: the person's own tasks, or any for an admin.
      const access = ctx.access.checkPerson(userId);
      const reply = access.allowed ? await requestCancel(ctx, taskId.slice(0, 36), { userId, channelId: "", admin: ctx.access.isAdmin(userId) }) : undefined;
      await home.publish(userId, reply);
    });
  });

  app.error(async (error) => {
    log.error({ err: error }, "slack: bolt error");
  });
}
