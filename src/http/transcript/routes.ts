// GET /tasks/<id>?t=<token>: the transcript page (HTML, or JSON with Accept: application/json);
// GET /tasks/<id>/events?t=<token>&after=<seq>: its new steps as Server-Sent Events while it runs;
// and the page's stylesheet and script. A wrong, missing or malformed token answers exactly like
// an unknown task.
import type { Context, Hono } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import type { Logger } from "../../shared/log.ts";
import { PAGE_EVENTS, type Transcripts } from "../../tasks/transcripts.ts";
import { isLive, TranscriptBuilder } from "../../tasks/transcript-view.ts";
import { notFound } from "../responses.ts";
import { SCRIPT, STYLESHEET } from "./assets.ts";

// The page's renderer (Markdown and all) is loaded by the first page asked for, not at start-up.
let pageModule: Promise<typeof import("./page.ts")> | undefined;
const page = () => (pageModule ??= import("./page.ts"));

export interface TranscriptRouteOptions {
  logger: Logger;
  /** How often a live stream looks for new events. */
  pollMs?: number;
}

// biome-ignore lint/suspicious/noExplicitAny: mounted on the server's app whatever its bindings
export function mountTranscripts(app: Hono<any>, transcripts: Transcripts, options: TranscriptRouteOptions): void {
  const pollMs = options.pollMs ?? 1_000;
  app.get("/assets/transcript.css", (c) => c.body(STYLESHEET, 200, { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=300" }));
  // Browsers ask for one with every page; none is an answer, not an error.
  app.get("/favicon.ico", (c) => c.body(null, 204, { "cache-control": "public, max-age=86400" }));
  app.get("/assets/transcript.js", (c) => c.body(SCRIPT, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=300" }));

  app.get("/tasks/:id", async (c) => {
    const id = c.req.param("id");
    const token = c.req.query("t");
    if (!(await transcripts.links.verify(id, token))) return notFound(c);
    const view = await transcripts.page(id, afterParam(c));
    if (!view) return notFound(c);
    if (wantsJson(c)) return c.json(view.view);
    const base = `/tasks/${view.task.id}`;
    const query = `t=${encodeURIComponent(token!)}`;
    const body = await (await page()).renderPage(view.view, {
      events: `${base}/events?${query}&after=${view.view.lastSeq}`,
      next: view.view.more ? `${base}?${query}&after=${view.view.more.nextAfter}` : null,
    });
    return c.html(body);
  });

  app.get("/tasks/:id/events", async (c) => {
    const id = c.req.param("id");
    if (!(await transcripts.links.verify(id, c.req.query("t")))) return notFound(c);
    const task = await transcripts.task(id);
    if (!task) return notFound(c);
    const after = afterParam(c);
    return streamSSE(
      c,
      (stream) => follow(stream, transcripts, task.id, after, pollMs),
      async (error) => options.logger.warn({ err: error, taskId: task.id }, "transcript stream failed"),
    );
  });
}

/** Sends each new or changed step until the task is over (then `end`), or the reader goes away. */
async function follow(stream: SSEStreamingApi, transcripts: Transcripts, taskId: string, after: number, pollMs: number): Promise<void> {
  let gone = false;
  stream.onAbort(() => {
    gone = true;
  });
  // The steps the page already shows, so a call that ends now updates its own step (with its input).
  const builder = new TranscriptBuilder();
  for (let seq = 0; seq < after; ) {
    const events = (await transcripts.events(taskId, seq, PAGE_EVENTS)).filter((e) => e.seq <= after);
    if (events.length === 0) break;
    builder.add(events);
    seq = builder.seq;
  }
  let cursor = after;
  let status = "";
  let ending = false;
  while (!gone) {
    const events = await transcripts.events(taskId, cursor, PAGE_EVENTS);
    if (events.length > 0) {
      cursor = events[events.length - 1]!.seq;
      for (const step of builder.add(events)) await stream.writeSSE({ event: "step", data: JSON.stringify({ key: step.key, html: String(await (await page()).renderStep(step)) }) });
      continue;
    }
    // Events are written before a task's final state: once it is final, one more look finds the last of them.
    if (ending) break;
    const task = await transcripts.task(taskId);
    if (!task || !isLive(task.status)) {
      ending = true;
      continue;
    }
    if (task.status !== status) {
      status = task.status;
      await stream.writeSSE({ event: "status", data: JSON.stringify({ status }) });
    }
    await stream.sleep(pollMs);
  }
  if (!gone) await stream.writeSSE({ event: "end", data: "{}" });
}

function afterParam(c: Context): number {
  const raw = c.req.query("after");
  return raw && /^\d{1,15}$/.test(raw) ? Number(raw) : 0;
}

function wantsJson(c: Context): boolean {
  const accept = c.req.header("accept") ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}
