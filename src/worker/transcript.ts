// The transcript writer of one attempt, scrubbing with the runtime's scrubber (made once per process).
import type { Logger } from "../shared/log.ts";
import type { Database } from "../store/database.ts";
import { createTranscriptRepo } from "../store/transcript-repo.ts";
import type { TaskRuntime } from "../runtime/task-runtime.ts";
import { createTranscriptWriter, type TranscriptWriter } from "../tasks/transcript-writer.ts";

export function openTranscript(deps: { db: Database; runtime: Pick<TaskRuntime, "scrubber"> }, taskId: string, attempt: number, logger: Logger): TranscriptWriter {
  return createTranscriptWriter(createTranscriptRepo(deps.db), taskId, attempt, { scrubber: deps.runtime.scrubber, logger });
}
