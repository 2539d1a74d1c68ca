// The page's one stylesheet and one small script, served from routes (the CSP allows no inline
// style or script). The script only follows a running task: it appends and updates steps from
// the task's event stream, and reloads once at the end (keeping the scroll) to show the answer.

export const STYLESHEET = `
:root { color-scheme: light dark; --muted: #6b7280; --line: #d1d5db; --ok: #15803d; --bad: #b91c1c; --run: #1d4ed8; }
body { font: 15px/1.5 system-ui, sans-serif; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem 4rem; }
h1 { font-size: 1.4rem; margin: 0.5rem 0; }
h2 { font-size: 1.1rem; border-bottom: 1px solid var(--line); padding-bottom: 0.2rem; margin-top: 2rem; }
blockquote.request { white-space: pre-wrap; margin: 0 0 1rem; padding: 0.5rem 0.75rem; border-left: 4px solid var(--line); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; }
.muted, .meta, .history { color: var(--muted); font-size: 0.85rem; }
.status.succeeded { color: var(--ok); } .status.failed, .status.cancelled { color: var(--bad); } .status.running { color: var(--run); }
.failure { color: var(--bad); }
ol.plan { list-style: none; padding-left: 0; }
ol.plan .completed .mark { color: var(--ok); } ol.plan .in_progress .mark { color: var(--run); }
ol.timeline { list-style: none; padding-left: 0; }
.step { border-left: 3px solid var(--line); padding: 0.25rem 0 0.25rem 0.75rem; margin: 0.6rem 0; }
.step.ok { border-color: var(--ok); } .step.failed { border-color: var(--bad); } .step.running { border-color: var(--run); }
.step.note.warn { border-color: #b45309; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; background: rgba(127,127,127,0.1); padding: 0.5rem; margin: 0.3rem 0; max-height: 40rem; overflow: auto; }
pre.command { font-weight: 600; }
details > summary { cursor: pointer; color: var(--muted); }
.agent { background: rgba(127,127,127,0.2); border-radius: 3px; padding: 0 0.3rem; }
.live-note { color: var(--run); }
.markdown pre { background: rgba(127,127,127,0.1); }
`;

export const SCRIPT = `"use strict";
(() => {
  const saved = sessionStorage.getItem("transcript-scroll");
  if (saved !== null) { sessionStorage.removeItem("transcript-scroll"); window.scrollTo(0, Number(saved)); }
  const main = document.getElementById("transcript");
  if (!main || !main.hasAttribute("data-live")) return;
  const timeline = document.getElementById("timeline");
  const note = document.getElementById("live-note");
  if (note) note.textContent = "The task is still running; new steps appear here as they come.";
  const events = new EventSource(main.getAttribute("data-events"));
  events.addEventListener("step", (e) => {
    const step = JSON.parse(e.data);
    const template = document.createElement("template");
    template.innerHTML = step.html;
    const element = template.content.firstElementChild;
    if (!element) return;
    const old = document.getElementById(step.key);
    if (old) old.replaceWith(element); else timeline.append(element);
    const empty = document.getElementById("no-steps");
    if (empty) empty.remove();
  });
  events.addEventListener("status", (e) => {
    const status = document.getElementById("status");
    if (status) { status.textContent = JSON.parse(e.data).status; status.className = "status " + JSON.parse(e.data).status; }
  });
  events.addEventListener("end", () => {
    events.close();
    sessionStorage.setItem("transcript-scroll", String(window.scrollY));
    window.location.reload();
  });
})();
`;
