// The transcript page, server-rendered with hono/html (every value escaped; the Markdown answer
// is the one raw part, made safe in markdown.ts). Readable without JavaScript; the script only
// appends steps while the task runs.
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { PlanItem, TranscriptStep, TranscriptView } from "../../tasks/transcript-view.ts";
import { formatUsd } from "../../tasks/pricing.ts";
import { markdownToHtml } from "./markdown.ts";

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Outputs longer than this (or with more lines) start collapsed. */
const OPEN_CHARS = 1_200;
const OPEN_LINES = 20;

export interface PageLinks {
  /** The live events of this task (with its token), while it runs. */
  events: string;
  /** The next page, when there is one. */
  next: string | null;
}

export async function renderPage(view: TranscriptView, links: PageLinks): Promise<string> {
  const t = view.task;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Transcript: ${short(t.text, 80)}</title>
<link rel="stylesheet" href="/assets/transcript.css">
<script src="/assets/transcript.js" defer></script>
</head>
<body>
<main id="transcript"${view.live ? html` data-live data-events="${links.events}"` : ""}>
<h1>Transcript</h1>
${header(view)}
${view.plan.length > 0 ? html`<section><h2>Plan</h2><ol class="plan">${view.plan.map(planItem)}</ol></section>` : ""}
<section><h2>Timeline</h2>
<ol id="timeline" class="timeline">${view.steps.map(renderStep)}</ol>
${view.steps.length === 0 ? html`<p class="empty" id="no-steps">No steps recorded${view.live ? " yet" : ""}.</p>` : ""}
${view.more && links.next ? html`<p class="more">This page shows the first part of a long transcript. <a href="${links.next}">Next page</a></p>` : ""}
${view.live ? html`<p class="live-note" id="live-note">The task is still running. This page adds new steps as they come when scripts are allowed; otherwise reload it.</p>` : ""}
</section>
${view.files.length > 0 ? html`<section><h2>Files</h2><ul class="files">${view.files.map((f) => html`<li><code>${f}</code></li>`)}</ul></section>` : ""}
${answer(view)}
</main>
</body>
</html>`;
  return String(await page);
}

function header(view: TranscriptView): Html {
  const t = view.task;
  const u = view.usage;
  const p = view.cost.pricesPerMillionTokens;
  return html`<section class="header">
<blockquote class="request">${t.text}</blockquote>
<dl>
<dt>Status</dt><dd><span id="status" class="status ${t.status}">${t.status}</span>${t.attempt > 1 ? ` (attempt ${t.attempt})` : ""}</dd>
<dt>Asked by</dt><dd>${t.who}</dd>
<dt>Where</dt><dd>${t.where}</dd>
<dt>Started</dt><dd>${when(t.startedAt ?? t.createdAt)}</dd>
<dt>Duration</dt><dd>${t.durationMs === null ? "—" : duration(t.durationMs)}${view.live ? " so far" : ""}</dd>
<dt>Turns</dt><dd>${t.turns}</dd>
<dt>Tokens</dt><dd>${u.input_tokens.toLocaleString("en-US")} in, ${u.output_tokens.toLocaleString("en-US")} out, ${u.cache_read_input_tokens.toLocaleString("en-US")} cache read, ${u.cache_creation_input_tokens.toLocaleString("en-US")} cache write</dd>
<dt>Estimated cost</dt><dd>${formatUsd(view.cost.usd)} <span class="muted">(${view.cost.model} at list prices per million tokens: $${p.input} in, $${p.output} out, $${p.cacheRead} cache read, $${p.cacheWrite} cache write)</span></dd>
<dt>Task</dt><dd><code>${t.id}</code></dd>
</dl>
${view.failure ? html`<p class="failure">Ended with <code>${view.failure.code}</code>: ${view.failure.detail}</p>` : ""}
</section>`;
}

function planItem(item: PlanItem): Html {
  return html`<li class="${item.status}"><span class="mark">${mark(item.status)}</span> ${item.content}${
    item.history.length > 1 ? html` <span class="history">${item.history.map((h, i) => html`${i > 0 ? " → " : ""}${words(h.status)} ${clock(h.at)}`)}</span>` : ""
  }</li>`;
}

export function renderStep(step: TranscriptStep): Html {
  const agent = step.agent !== "main" ? html`<span class="agent">${step.agent}</span> ` : "";
  switch (step.kind) {
    case "text":
      return html`<li id="${step.key}" class="step text"><div class="meta">${agent}${clock(step.at)} · the model${step.final ? " (answer)" : ""}</div><div class="markdown">${raw(markdownToHtml(step.text))}</div></li>`;
    case "note":
      return html`<li id="${step.key}" class="step note ${step.level}"><div class="meta">${agent}${clock(step.at)} · note</div><p>${step.message}</p></li>`;
    case "tool": {
      const f = step.finished;
      const state = !f ? "running" : f.ok ? "ok" : "failed";
      const facts = f ? [f.exitCode !== undefined ? `exit code ${f.exitCode}` : f.ok ? "ok" : "failed", duration(f.durationMs)].join(" · ") : "running…";
      return html`<li id="${step.key}" class="step tool ${state}">
<div class="meta">${agent}${clock(step.startedAt)} · <strong class="tool-name">${step.name}</strong> · <span class="facts">${facts}</span></div>
${toolInput(step)}
${f ? block("output", f.output, f.outputChars) : ""}
</li>`;
    }
  }
}

function toolInput(step: Extract<TranscriptStep, { kind: "tool" }>): Html | string {
  const input = step.input as Record<string, unknown> | null;
  if (input && typeof input === "object" && typeof input["command"] === "string") return html`<pre class="command"><code>$ ${input["command"]}</code></pre>`;
  if (input === null || input === undefined) return step.summary ? html`<pre class="command"><code>${step.summary}</code></pre>` : "";
  return block("input", JSON.stringify(input, null, 2), null);
}

/** Short text shown as it is; long text collapsed under a summary that says how long it is. */
function block(label: string, text: string, totalChars: number | null): Html {
  const lines = text.split("\n").length;
  const size = totalChars !== null && totalChars > text.length ? `${totalChars.toLocaleString("en-US")} characters, cut` : `${text.length.toLocaleString("en-US")} characters`;
  if (text.length <= OPEN_CHARS && lines <= OPEN_LINES) return html`<pre class="${label}">${text || "(empty)"}</pre>`;
  return html`<details class="${label}"><summary>${label} (${lines.toLocaleString("en-US")} lines, ${size})</summary><pre>${text}</pre></details>`;
}

function answer(view: TranscriptView): Html | string {
  if (!view.answer) return "";
  return html`<section class="answer"><h2>Answer</h2><div class="markdown">${raw(markdownToHtml(view.answer))}</div></section>`;
}

function mark(status: PlanItem["status"]): string {
  return status === "completed" ? "✓" : status === "in_progress" ? "▸" : "○";
}

function words(status: PlanItem["status"]): string {
  return status === "in_progress" ? "in progress" : status;
}

function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

function clock(iso: string): string {
  return iso.slice(11, 19);
}

function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

function short(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
