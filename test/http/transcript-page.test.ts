// The transcript page of a task a worker ran: what it shows, its JSON form, its live stream,
// that nobody without the link gets anything (one 404 for every wrong way in), hostile and huge
// tool output, configured secrets kept out of what is stored, and retention.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTranscriptFixture, SECRET, type TranscriptFixture } from "./transcript-fixture.ts";
import { withDb } from "../worker/scripted-tasks.ts";
import { startWorker } from "../worker/processes.ts";
import { waitFor } from "../helpers/wait-for.ts";
import type { TranscriptView } from "../../src/tasks/transcript-view.ts";

describe("transcript page", { timeout: 240_000 }, () => {
  let f: TranscriptFixture;
  const ids: Record<string, string> = {};

  before(async () => {
    f = await startTranscriptFixture();
    for (const name of ["hello", "hostile", "big", "secret"]) ids[name] = await f.run(`${name} task`);
  });
  after(async () => {
    await f?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${f.base}${path}`, { headers });

  it("shows a finished task: the command, its output, the answer, usage and cost, with security headers", async () => {
    const link = await f.link(ids["hello"]!);
    const res = await get(link);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("referrer-policy"), "no-referrer");
    assert.match(res.headers.get("cache-control") ?? "", /no-store/);
    const page = await res.text();
    assert.match(page, /\$ echo hello-from-the-step/);
    assert.match(page, /<pre class="output">hello-from-the-step\n\[exit code 0\]<\/pre>/);
    assert.match(page, /exit code 0/);
    assert.match(page, /Done: <strong>bold<\/strong> and &lt;b&gt;raw html&lt;\/b&gt;\./);
    assert.match(page, /hello task/);
    assert.match(page, /succeeded/);
    assert.match(page, /Estimated cost/);
    assert.match(page, /claude-test at list prices per million tokens: \$3 in, \$15 out/);
    // The stylesheet and script the page names are served, with their types.
    const css = await get("/assets/transcript.css");
    assert.equal(css.status, 200);
    assert.match(css.headers.get("content-type") ?? "", /^text\/css/);
    const js = await get("/assets/transcript.js");
    assert.match(js.headers.get("content-type") ?? "", /^text\/javascript/);
    assert.equal((await get("/assets/")).status, 404, "no listing of the assets");
  });

  it("gives the same transcript as JSON", async () => {
    const res = await get(await f.link(ids["hello"]!), { accept: "application/json" });
    assert.equal(res.status, 200);
    const view = (await res.json()) as TranscriptView;
    assert.equal(view.task.id, ids["hello"]);
    assert.equal(view.task.status, "succeeded");
    assert.equal(view.live, false);
    const step = view.steps.find((s) => s.kind === "tool");
    assert.ok(step && step.kind === "tool");
    assert.equal(step.name, "execute");
    assert.deepEqual(step.input, { command: "echo hello-from-the-step" });
    assert.equal(step.finished?.exitCode, 0);
    assert.match(step.finished?.output ?? "", /hello-from-the-step/);
    assert.ok(view.steps.some((s) => s.kind === "text" && s.text === "Let me look."));
    assert.equal(view.answer, "Done: **bold** and <b>raw html</b>.");
    assert.ok(view.usage.output_tokens > 0);
    assert.equal(view.cost.pricesPerMillionTokens.input, 3);
  });

  it("answers every wrong way in with the same 404: no token, a wrong or malformed one, another task's, an unknown id", async () => {
    const good = await f.link(ids["hello"]!);
    const token = new URL(good, "http://x").searchParams.get("t")!;
    const otherToken = new URL(await f.link(ids["big"]!), "http://x").searchParams.get("t")!;
    const unknown = "0b7c1f4e-3d2a-4c5b-9e8f-7a6b5c4d3e2f";
    const unknownWithItsToken = await f.link(unknown);
    const flipped = (token[0] === "A" ? "B" : "A") + token.slice(1);
    const paths = [
      `/tasks/${ids["hello"]}`,
      `/tasks/${ids["hello"]}?t=`,
      `/tasks/${ids["hello"]}?t=${flipped}`,
      `/tasks/${ids["hello"]}?t=${otherToken}`,
      `/tasks/${ids["hello"]}?t=${token.slice(0, 20)}`,
      `/tasks/${ids["hello"]}?t=${token}%00`,
      `/tasks/${ids["hello"]}?t=${encodeURIComponent("<script>")}`,
      unknownWithItsToken,
      `/tasks/not-a-task?t=${token}`,
      `/tasks/${ids["hello"]}/events?t=${flipped}`,
      `/tasks/${ids["hello"]}/events`,
    ];
    const answers = await Promise.all(
      paths.map(async (p) => {
        const res = await get(p, { accept: p.includes("events") ? "text/event-stream" : "text/html" });
        const headers = [...res.headers].filter(([k]) => k !== "date");
        return { path: p, status: res.status, body: await res.text(), headers };
      }),
    );
    for (const a of answers) {
      assert.equal(a.status, 404, a.path);
      assert.equal(a.body, answers[0]!.body, a.path);
      assert.deepEqual(a.headers, answers[0]!.headers, a.path);
    }
    // JSON asked for: still the same 404.
    const json = await get(`/tasks/${ids["hello"]}?t=${flipped}`, { accept: "application/json" });
    assert.equal(json.status, 404);
    assert.equal(await json.text(), answers[0]!.body);
  });

  it("renders hostile output and answers inert: no script, no handler, no javascript: link", async () => {
    const page = await (await get(await f.link(ids["hostile"]!))).text();
    assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;img src=x onerror=alert\(2\)&gt;/);
    assert.match(page, /&lt;script&gt;alert\(3\)&lt;\/script&gt;/);
    assert.equal(page.match(/<script/g)?.length, 1, "only the page's own script tag");
    assert.match(page, /<script src="\/assets\/transcript.js" defer><\/script>/);
    assert.doesNotMatch(page, /<img/);
    assert.doesNotMatch(page, /href="javascript:/i);
    assert.doesNotMatch(page, /onerror=alert\(2\)>/);
  });

  it("keeps a 5 MB output from blowing up the page: cut, with its original size", async () => {
    const res = await get(await f.link(ids["big"]!));
    const page = await res.text();
    assert.ok(page.length < 200_000, `page is ${page.length} characters`);
    assert.match(page, /characters cut from the middle of this output/);
    assert.match(page, /big-output-end|bytes of output not kept/);
    assert.match(page, /<details class="output"><summary>output \([\d,]+ lines, [\d,]+ characters, cut\)<\/summary>/);
    const view = (await (await get(await f.link(ids["big"]!), { accept: "application/json" })).json()) as TranscriptView;
    const step = view.steps.find((s) => s.kind === "tool");
    assert.ok(step?.kind === "tool" && step.finished);
    assert.ok(step.finished.outputChars > 1_000_000, `original size ${step.finished.outputChars}`);
    assert.ok(step.finished.output.length < 20_000);
  });

  it("stores no configured secret: the command and its output keep only [secret]", async () => {
    const stored = await withDb(f.target, async (db) =>
      (await db.query<{ payload: string }>("SELECT payload::text AS payload FROM task_events WHERE task_id = $1", [ids["secret"]])).rows.map((r) => r.payload).join("\n"),
    );
    assert.ok(stored.length > 0);
    assert.ok(!stored.includes(SECRET), "the secret is not stored");
    assert.match(stored, /the key is \[secret\]/);
    const page = await (await get(await f.link(ids["secret"]!))).text();
    assert.ok(!page.includes(SECRET));
    assert.match(page, /echo the key is \[secret\]/);
  });

  it("streams a running task's new steps, then says it ended", { timeout: 90_000 }, async () => {
    const id = await f.run("gated task", { until: "running" });
    const link = await f.link(id);
    await waitFor("the first step on the page", async () => (await (await get(link)).text()).includes("first-live-step"), { timeoutMs: 30_000, intervalMs: 100 });
    const page = await (await get(link)).text();
    assert.match(page, /data-live/);
    const events = /data-events="([^"]+)"/.exec(page)?.[1]?.replaceAll("&amp;", "&");
    assert.ok(events, "the page names its event stream");
    const res = await fetch(`${f.base}${events}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    f.openGate();
    while (!seen.includes("event: end")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    assert.match(seen, /event: step\ndata: .*second-live-step/);
    assert.match(seen, /event: end/);
    const after = await (await get(link)).text();
    assert.doesNotMatch(after, /data-live/);
    assert.match(after, /Both steps ran\./);
  });

  it("prunes transcripts and checkpoints of tasks finished longer ago than TRANSCRIPT_RETENTION_DAYS", { timeout: 90_000 }, async () => {
    const counts = (id: string) =>
      withDb(f.target, async (db) => {
        const events = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM task_events WHERE task_id = $1", [id]);
        const checkpoints = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM task_checkpoints WHERE task_id = $1", [id]);
        return { events: Number(events.rows[0]!.n), checkpoints: Number(checkpoints.rows[0]!.n) };
      });
    assert.ok((await counts(ids["hello"]!)).events > 0);
    f.worker.kill("SIGTERM");
    await f.worker.exited;
    await withDb(f.target, (db) => db.query("UPDATE tasks SET finished_at = clock_timestamp() - interval '8 days' WHERE id = $1", [ids["hello"]]));
    const next = startWorker({ ...f.env, TRANSCRIPT_RETENTION_DAYS: "7" });
    f.worker = next;
    await next.ready;
    await waitFor("the old task's transcript pruned", async () => (await counts(ids["hello"]!)).events === 0, { timeoutMs: 30_000, intervalMs: 200, detail: () => next.log() });
    assert.deepEqual(await counts(ids["hello"]!), { events: 0, checkpoints: 0 });
    const kept = await counts(ids["hostile"]!);
    assert.ok(kept.events > 0 && kept.checkpoints > 0, "a recent task keeps its transcript");
  });
});
