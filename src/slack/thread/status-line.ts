// The status line Slack shows under a thread while an AI app works ("deep-agent is working…"),
// set with assistant.threads.setStatus. Slack drops a status after two minutes without a message,
// so it is set again well before that while the agent works, and cleared when the attempt ends.
// A workspace or conversation that does not take it (an old workspace, a missing scope) costs one
// try: the line is not tried again for this task.
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../shared/log.ts";
import { describeSlackError } from "../api/slack-errors.ts";

export interface StatusLineOptions {
  client: WebClient;
  channel: string;
  threadTs: string;
  logger: Logger;
  /** The line to show now ("is working…", "is running: npm test"). */
  text: () => string;
  /** How often it is set again; default 90 s (Slack's limit is 120 s). */
  refreshMs?: number;
}

const MAX_STATUS_CHARS = 100;

export class StatusLine {
  private readonly o: StatusLineOptions & { refreshMs: number };
  private timer: NodeJS.Timeout | null = null;
  private off = false;
  private shown = false;
  private pending: Promise<void> = Promise.resolve();

  constructor(options: StatusLineOptions) {
    this.o = { refreshMs: 90_000, ...options };
  }

  /** Shows the line and keeps it alive until clear(). */
  start(): void {
    if (this.off || this.timer) return;
    this.set(this.o.text());
    this.timer = setInterval(() => this.set(this.o.text()), this.o.refreshMs);
    this.timer.unref();
  }

  /** Takes the line away; resolves once Slack has been told. Never throws. */
  async clear(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pending;
    if (this.shown && !this.off) await this.call("");
    this.off = true;
  }

  private set(text: string): void {
    if (this.off) return;
    const line = text.length <= MAX_STATUS_CHARS ? text : `${text.slice(0, MAX_STATUS_CHARS - 1)}…`;
    this.pending = this.pending.then(() => this.call(line));
  }

  private async call(status: string): Promise<void> {
    if (this.off) return;
    try {
      await this.o.client.assistant.threads.setStatus({ channel_id: this.o.channel, thread_ts: this.o.threadTs, status });
      if (status) this.shown = true;
    } catch (error) {
      this.off = true;
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      this.o.logger.info({ channel: this.o.channel, code: describeSlackError(error) }, "slack: the thread's status line is not available here; the task goes on without it");
    }
  }
}
