// Keeps one Slack message showing the latest state with as few chat.update calls as possible:
// changes are coalesced (at most one update per interval, and the interval grows on long
// tasks), every call waits its turn in the workspace's shared budget (the final state first), a
// 429 is waited out for as long as Retry-After says, and the final state is sent even when it has
// to wait. Only the newest state is ever sent; stale ones are dropped on purpose.
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../shared/log.ts";
import { stampBlocks, type PlanStyle, type SlackMessagePayload } from "../render/progress-card.ts";
import { slackErrorCode, slackErrorMessages, retryAfterMs } from "../api/slack-errors.ts";
import { sleep } from "../../shared/sleep.ts";
import type { UpdateBudget } from "./update-budget.ts";

/** Remembers, per workspace, whether it accepts Slack's plan/task_card blocks. */
export interface PlanStyleMemo {
  get(team: string): PlanStyle;
  refuse(team: string): void;
}

export function createPlanStyleMemo(initial: PlanStyle = "plan_blocks"): PlanStyleMemo {
  const refused = new Set<string>();
  return {
    get: (team) => (initial === "sections" || refused.has(team) ? "sections" : "plan_blocks"),
    refuse: (team) => void refused.add(team),
  };
}

export interface MessageUpdaterOptions {
  /** A client that rejects rate-limited calls (rejectRateLimitedCalls), so the wait is ours to plan. */
  client: WebClient;
  channel: string;
  ts: string;
  team: string;
  render: (style: PlanStyle) => SlackMessagePayload;
  planStyles: PlanStyleMemo;
  logger: Logger;
  /** Shortest gap between two updates of this message; default 1 s. */
  minIntervalMs?: number;
  /** How long the final update may keep waiting out rate limits; default 5 minutes. */
  finalDeadlineMs?: number;
  /** The workspace's chat.update budget, shared by every card of the process. */
  budget?: UpdateBudget;
}

const PERMANENT = new Set([
  "message_not_found",
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "cant_update_message",
  "invalid_auth",
  "account_inactive",
  "token_revoked",
  "missing_scope",
]);
const BLOCK_ERRORS = new Set(["invalid_blocks", "invalid_blocks_format", "unsupported_block_type"]);
const PLAN_BLOCK_TYPES = new Set(["plan", "task_card"]);

/**
 * Whether Slack refused the plan blocks as a type this workspace does not have (as opposed to a
 * malformed payload, which Slack reports with the same invalid_blocks code).
 */
function refusesPlanBlocks(code: string, error: unknown): boolean {
  if (code === "unsupported_block_type") return true;
  return slackErrorMessages(error).some((m) => {
    const type = /unsupported (?:block )?type:?\s*`?(\w+)/i.exec(m)?.[1];
    return type !== undefined && PLAN_BLOCK_TYPES.has(type);
  });
}

export class MessageUpdater {
  readonly stats = { calls: 0, updates: 0, rateLimited: 0 };
  private readonly o: Required<Omit<MessageUpdaterOptions, "minIntervalMs" | "finalDeadlineMs" | "budget">> & { minIntervalMs: number; finalDeadlineMs: number; budget?: UpdateBudget };
  /** This message's own fallback after Slack called its blocks malformed: plain sections, then text alone. */
  private simpler: "sections" | "text" | null = null;
  /** Set while a live update waits for the budget; finish() aborts it and goes first instead. */
  private waitingLive: AbortController | null = null;
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private lastSentAt = 0;
  private readonly createdAt = Date.now();
  private blockedUntil = 0;
  private gaveUp = false;
  private finishing = false;
  private lastOutcome: "sent" | "rate_limited" | "plain_text" | "error" | "gave_up" | null = null;

  constructor(options: MessageUpdaterOptions) {
    this.o = { minIntervalMs: 1000, finalDeadlineMs: 5 * 60_000, ...options };
  }

  /** Something the message shows changed; an update follows when the interval allows. */
  changed(): void {
    if (this.gaveUp || this.finishing) return;
    this.dirty = true;
    this.schedule();
  }

  /** Stops updating without sending what is pending; resolves once no update is in flight. */
  async stop(): Promise<void> {
    this.finishing = true;
    this.dirty = false;
    this.waitingLive?.abort();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  /** Milliseconds since the message was last updated (or created). */
  idleMs(): number {
    return Date.now() - (this.lastSentAt || this.createdAt);
  }

  /** Sends the latest state and resolves once it is on Slack (false when it could not be). */
  async finish(): Promise<boolean> {
    this.finishing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.gaveUp) return false;
    // A live update still queued for the budget gives way: the final state jumps the queue.
    this.waitingLive?.abort();
    this.dirty = true;
    const deadline = Date.now() + this.o.finalDeadlineMs;
    let failures = 0;
    while (this.dirty && !this.gaveUp) {
      if (this.inFlight) {
        await this.inFlight;
        continue;
      }
      const wait = this.waitMs();
      if (Date.now() + wait > deadline) break;
      if (wait > 0) await sleep(wait);
      await this.send(true);
      // A network or server error: a few more tries with backoff. (Rate limits and refused
      // plan blocks are not failures: the loop waits them out or resends as text.)
      if (this.lastOutcome === "error") {
        if (++failures >= 4) break;
        await sleep(250 * 2 ** failures);
      }
    }
    return !this.dirty && !this.gaveUp;
  }

  private waitMs(): number {
    const now = Date.now();
    return Math.max(0, this.lastSentAt + this.interval() - now, this.blockedUntil - now);
  }

  /** One per second at first; a long task's message changes less often, so it costs fewer calls. */
  private interval(): number {
    const n = this.stats.updates;
    return this.o.minIntervalMs * (n < 15 ? 1 : n < 40 ? 3 : 10);
  }

  private schedule(): void {
    if (this.timer || this.inFlight || !this.dirty || this.finishing) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.send().then(() => this.schedule());
    }, this.waitMs());
  }

  private send(final = false): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (!this.dirty) return Promise.resolve();
    this.inFlight = this.turn(final).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Waits for the budget, then sends the state as it is by then. */
  private async turn(final: boolean): Promise<void> {
    if (this.o.budget) {
      const waiting = final ? null : new AbortController();
      this.waitingLive = waiting;
      const granted = await this.o.budget.acquire(this.o.team, { final, ...(waiting ? { signal: waiting.signal } : {}) });
      this.waitingLive = null;
      if (!granted || !this.dirty) return;
    }
    this.dirty = false;
    const style = this.simpler === "sections" ? "sections" : this.o.planStyles.get(this.o.team);
    const rendered = stampBlocks(this.o.render(style));
    await this.update(this.simpler === "text" ? { text: rendered.text, blocks: [] } : rendered, style);
  }

  private async update(payload: SlackMessagePayload, style: PlanStyle): Promise<void> {
    this.stats.calls++;
    try {
      await this.o.client.chat.update({ channel: this.o.channel, ts: this.o.ts, text: payload.text, blocks: payload.blocks });
      this.stats.updates++;
      this.lastSentAt = Date.now();
      this.lastOutcome = "sent";
    } catch (error) {
      this.dirty = true;
      const wait = retryAfterMs(error);
      if (wait !== null) {
        this.stats.rateLimited++;
        this.blockedUntil = Date.now() + wait;
        this.o.budget?.pause(this.o.team, wait);
        this.lastOutcome = "rate_limited";
        this.o.logger.info({ channel: this.o.channel, waitMs: wait }, "slack rate-limited a progress update; waiting it out");
        return;
      }
      const code = slackErrorCode(error);
      if (code && BLOCK_ERRORS.has(code) && this.simpler !== "text") {
        if (style === "plan_blocks" && this.simpler === null && refusesPlanBlocks(code, error)) {
          this.o.logger.info({ team: this.o.team, code }, "workspace refused plan blocks; showing the plan as text");
          this.o.planStyles.refuse(this.o.team);
        } else {
          // A malformed payload says nothing about the workspace: only this message goes simpler.
          this.simpler = this.simpler === null && style === "plan_blocks" ? "sections" : "text";
          this.o.logger.warn(
            { channel: this.o.channel, code, messages: slackErrorMessages(error), next: this.simpler },
            "Slack refused the progress message's blocks as malformed; sending it in a simpler form",
          );
        }
        this.lastOutcome = "plain_text";
        return;
      }
      if (code && PERMANENT.has(code)) {
        this.gaveUp = true;
        this.dirty = false;
        this.lastOutcome = "gave_up";
        this.o.logger.warn({ channel: this.o.channel, code }, "progress message can no longer be updated");
        return;
      }
      // A network or server error: try again after the interval.
      this.lastSentAt = Date.now();
      this.lastOutcome = "error";
      this.o.logger.warn({ err: error, channel: this.o.channel }, "progress update failed; will retry");
    }
  }
}
