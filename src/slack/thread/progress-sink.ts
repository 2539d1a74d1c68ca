// The engine's ProgressSink for a Slack task: folds events into the progress view and lets the
// message updater decide when Slack sees it. While nothing changes for a while (a long command),
// a slow ticker refreshes the elapsed time.
import type { AgentEvent, ProgressSink } from "../../agent/events.ts";
import { applyEvent, type Phase, type ProgressView } from "../render/progress-view.ts";
import type { MessageUpdater } from "./message-updater.ts";

export class SlackProgressSink implements ProgressSink {
  readonly view: ProgressView;
  private readonly updater: MessageUpdater;
  private readonly ticker: NodeJS.Timeout;

  constructor(view: ProgressView, updater: MessageUpdater, idleRefreshMs = 30_000) {
    this.view = view;
    this.updater = updater;
    this.ticker = setInterval(
      () => {
        if (this.view.phase === "running" && this.updater.idleMs() >= idleRefreshMs) this.updater.changed();
      },
      Math.min(idleRefreshMs, 5_000),
    );
    this.ticker.unref();
  }

  emit(event: AgentEvent): void {
    if (applyEvent(this.view, event, Date.now())) this.updater.changed();
  }

  /** Shows that this attempt ended without a final state (the final one is the lifecycle's to show). */
  async interrupted(phase: Extract<Phase, "queued" | "retrying" | "waiting">, note: string): Promise<boolean> {
    clearInterval(this.ticker);
    this.view.phase = phase;
    this.view.note = note;
    delete this.view.activity;
    return this.updater.finish();
  }

  /** Stops live updates; resolves once none is in flight. */
  async stop(): Promise<void> {
    clearInterval(this.ticker);
    await this.updater.stop();
  }
}
