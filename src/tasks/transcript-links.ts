// Links to a task's transcript: <PUBLIC_URL>/tasks/<id>?t=<token>, the token an HMAC-SHA256 of the
// task id under TRANSCRIPT_SECRET (or, when unset, a secret made once and kept in the database, so
// every process signs and checks alike). Whoever has the link may read the transcript.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { TranscriptRepo } from "../store/transcript-repo.ts";
import { isUuid } from "../shared/uuid.ts";

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface TranscriptLinks {
  url(taskId: string): Promise<string>;
  token(taskId: string): Promise<string>;
  /** Whether `token` opens this task's transcript; false for anything malformed. Constant time in the token. */
  verify(taskId: string, token: unknown): Promise<boolean>;
}

export interface TranscriptLinkOptions {
  publicUrl: string;
  /** TRANSCRIPT_SECRET; unset: the database's. */
  secret?: string | undefined;
  repo: Pick<TranscriptRepo, "storedSecret">;
}

export function createTranscriptLinks(options: TranscriptLinkOptions): TranscriptLinks {
  let secret: Promise<string> | null = options.secret ? Promise.resolve(options.secret) : null;
  const key = () => {
    if (!secret) {
      secret = options.repo.storedSecret();
      // A failed read (database down) is tried again by the next caller.
      secret.catch(() => (secret = null));
    }
    return secret;
  };
  const token = async (taskId: string) => sign(await key(), taskId.toLowerCase());
  const base = options.publicUrl.replace(/\/+$/, "");
  return {
    token,
    async url(taskId) {
      return `${base}/tasks/${encodeURIComponent(taskId)}?t=${await token(taskId)}`;
    },
    async verify(taskId, given) {
      if (typeof given !== "string" || !TOKEN_SHAPE.test(given) || !isTaskId(taskId)) return false;
      const expected = Buffer.from(await token(taskId));
      const actual = Buffer.from(given);
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    },
  };
}

/** Task ids are UUIDs; anything else is no task's. */
export const isTaskId = isUuid;

function sign(secret: string, taskId: string): string {
  return createHmac("sha256", secret).update(taskId).digest("base64url");
}
