// The transcript writer of one attempt, with the scrubber of the runtime's configuration (made
// once per configuration, not per task).
import { secretValues } from "../config/secrets.ts";
import type { Config } from "../config/env.ts";
import type { Logger } from "../shared/log.ts";
import { createScrubber, type Scrubber } from "../shared/scrub-secrets.ts";
import type { Database } from "../store/database.ts";
import { createTranscriptRepo } from "../store/transcript-repo.ts";
import { createTranscriptWriter, type TranscriptWriter } from "../tasks/transcript-writer.ts";

const scrubbers = new WeakMap<Config, Scrubber>();

export function openTranscript(deps: { db: Database; runtime: { config: Config } }, taskId: string, attempt: number, logger: Logger): TranscriptWriter {
  let scrubber = scrubbers.get(deps.runtime.config);
  if (!scrubber) {
    scrubber = createScrubber(secretValues(deps.runtime.config));
    scrubbers.set(deps.runtime.config, scrubber);
  }
  return createTranscriptWriter(createTranscriptRepo(deps.db), taskId, attempt, { scrubber, logger });
}
