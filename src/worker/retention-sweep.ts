// Deletes the transcripts and checkpoints of tasks finished more than TRANSCRIPT_RETENTION_DAYS
// ago: a few seconds after a worker pool starts (off the start-up path), then every few hours. Every pool may do it; a delete that
// finds nothing left costs little.
import type { Logger } from "../shared/log.ts";
import type { TranscriptRepo } from "../store/transcript-repo.ts";

export function startRetentionSweep(options: { repo: Pick<TranscriptRepo, "prune">; days: number; logger: Logger; intervalMs?: number; firstAfterMs?: number }): () => void {
  const { repo, days, logger } = options;
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const pruned = await repo.prune(days);
      if (pruned.events > 0 || pruned.checkpoints > 0) logger.info({ ...pruned, days }, "pruned transcripts and checkpoints of old tasks");
    } catch (error) {
      logger.warn({ err: error }, "retention sweep failed; it runs again later");
    } finally {
      running = false;
    }
  };
  const first = setTimeout(run, options.firstAfterMs ?? 5_000);
  first.unref();
  const timer = setInterval(run, options.intervalMs ?? 6 * 60 * 60_000);
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
