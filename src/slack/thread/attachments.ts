// Files attached to a Slack message, copied into the task's sandbox under attachments/ so the
// agent can read them. Downloaded with the bot token from the URL Slack gave in the event.
import path from "node:path";
import type { Sandbox } from "../../sandbox/port.ts";
import type { Logger } from "../../shared/log.ts";
import type { SlackFileRef } from "../../store/slack-message-repo.ts";

const ATTACHMENTS_DIR = "attachments";
const MAX_BYTES = 50 * 1024 * 1024;

export interface CopiedAttachments {
  /** Paths relative to the sandbox's working directory. */
  copied: string[];
  failed: string[];
}

export async function copyAttachments(
  files: readonly SlackFileRef[],
  sandbox: Sandbox,
  options: { token: string; logger: Logger; signal?: AbortSignal; fetchFn?: typeof fetch },
): Promise<CopiedAttachments> {
  const copied: string[] = [];
  const failed: string[] = [];
  const used = new Set<string>();
  for (const file of files) {
    const target = `${ATTACHMENTS_DIR}/${uniqueName(safeName(file.name || file.id), used)}`;
    try {
      if (!file.url) throw new Error("Slack gave no download link");
      if (file.size !== undefined && file.size > MAX_BYTES) throw new Error("larger than 50 MB");
      const response = await (options.fetchFn ?? fetch)(file.url, {
        headers: { authorization: `Bearer ${options.token}` },
        redirect: "follow",
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (!response.ok) throw new Error(`download answered HTTP ${response.status}`);
      const body = new Uint8Array(await response.arrayBuffer());
      if (body.byteLength > MAX_BYTES) throw new Error("larger than 50 MB");
      // Without access (a missing files:read scope, a revoked token) Slack answers with its sign-in
      // page and HTTP 200: a web page where another kind of file was expected is that, not the file.
      if (!isHtmlFile(file) && looksLikeHtml(response.headers.get("content-type"), body)) {
        throw new Error("Slack answered with a web page instead of the file: the app may lack the files:read permission");
      }
      await sandbox.writeFile(target, body);
      copied.push(target);
    } catch (error) {
      options.logger.warn({ file: file.name, err: error }, "could not copy a Slack attachment into the sandbox");
      failed.push(`${file.name} (${(error as Error).message})`);
    }
  }
  return { copied, failed };
}

/** A note for the agent about the files it got, appended to the prompt or follow-up. */
export function attachmentNote(result: CopiedAttachments): string {
  const lines: string[] = [];
  if (result.copied.length > 0) lines.push(`[Attached files, copied into the working directory: ${result.copied.join(", ")}]`);
  if (result.failed.length > 0) lines.push(`[Attached files that could not be copied: ${result.failed.join(", ")}]`);
  return lines.join("\n");
}

function isHtmlFile(file: SlackFileRef): boolean {
  return /^text\/html\b/i.test(file.mimetype ?? "") || /\.x?html?$/i.test(file.name);
}

function looksLikeHtml(contentType: string | null, body: Uint8Array): boolean {
  if (/^\s*text\/html\b/i.test(contentType ?? "")) return true;
  const start = Buffer.from(body.subarray(0, 512))
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .trimStart()
    .toLowerCase();
  return start.startsWith("<!doctype html") || start.startsWith("<html");
}

function safeName(name: string): string {
  const base = path.posix
    .basename(name.replace(/\\/g, "/"))
    .replace(/[^\w.\- ]+/g, "_")
    .replace(/^\.+/, "")
    .trim();
  return base.slice(0, 120) || "file";
}

function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  const ext = path.posix.extname(name);
  for (let i = 2; used.has(candidate); i++) candidate = `${name.slice(0, name.length - ext.length)}-${i}${ext}`;
  used.add(candidate);
  return candidate;
}
