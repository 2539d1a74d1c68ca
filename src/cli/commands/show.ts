// `deep-agent show <id> [--json] [--follow]`: a task's transcript in the terminal — the request,
// status, cost, plan, every step with its output, the answer. `--follow` keeps printing new steps
// of a running task until it ends (exit 0 when it succeeded, 1 otherwise). An unknown id is one
// line and exit 2. With --json: the whole transcript as one JSON object; with --follow too, one
// JSON line per new or changed step, then the whole transcript.
import { loadConfig } from "../../config/env.ts";
import { openDatabase } from "../../store/open-database.ts";
import type { Task } from "../../store/task-repo.ts";
import { PAGE_EVENTS, createTranscripts, type Transcripts } from "../../tasks/transcripts.ts";
import { isLive, TranscriptBuilder, type TranscriptStep, type TranscriptView } from "../../tasks/transcript-view.ts";
import { formatUsd } from "../../tasks/pricing.ts";
import { sleep } from "../../shared/sleep.ts";
import { parseCommandArgs } from "../parse-args.ts";
import { exitCodes, usageError } from "../usage-error.ts";
import { terminalSafe, todoIcon } from "../progress/terminal-format.ts";

const USAGE = "usage: deep-agent show <id> [--json] [--follow]";
const POLL_MS = 500;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("show", args, { json: { type: "boolean", default: false }, follow: { type: "boolean", default: false } });
  if (positionals.length !== 1) throw usageError(`show: give one task id; ${USAGE}`);
  const id = positionals[0]!;
  const config = loadConfig();
  const db = await openDatabase(config, { role: "command", applicationName: "deep-agent-show" });
  try {
    const transcripts = createTranscripts(db, config);
    const task = await transcripts.task(id);
    if (!task) throw usageError(`show: no task ${id}; \`deep-agent queue list\` shows the tasks there are`);
    return await show(transcripts, task, { json: values.json, follow: values.follow });
  } finally {
    await db.close();
  }
}

async function show(transcripts: Transcripts, first: Task, options: { json: boolean; follow: boolean }): Promise<number> {
  const out = process.stdout;
  const style = out.isTTY ? TTY : PLAIN;
  const printer = new StepPrinter(style);
  const builder = new TranscriptBuilder();
  let task = first;
  const write = (text: string) => out.write(text);
  if (!options.json) write(headerText(builder.view(task, transcripts.defaultModel), style));
  let ending = false;
  for (;;) {
    const events = await transcripts.events(task.id, builder.seq, PAGE_EVENTS);
    const changed = builder.add(events);
    if (options.json) {
      if (options.follow) for (const step of changed) write(`${JSON.stringify({ step })}\n`);
    } else for (const step of changed) write(printer.print(step));
    if (events.length === PAGE_EVENTS) continue;
    if (!options.follow || ending) break;
    // Events are written before a task's final state: once it is final, one more look finds the last of them.
    const now = await transcripts.task(task.id);
    if (!now) break;
    task = now;
    if (!isLive(task.status)) ending = true;
    else await sleep(POLL_MS);
  }
  const view = builder.view(options.follow ? ((await transcripts.task(task.id)) ?? task) : task, transcripts.defaultModel);
  write(options.json ? `${JSON.stringify(view)}\n` : footerText(view, style));
  if (!options.follow) return exitCodes.ok;
  return view.task.status === "succeeded" ? exitCodes.ok : exitCodes.failure;
}

interface Style {
  bold(s: string): string;
  dim(s: string): string;
}

const TTY: Style = { bold: (s) => `\x1b[1m${s}\x1b[22m`, dim: (s) => `\x1b[2m${s}\x1b[22m` };
const PLAIN: Style = { bold: (s) => s, dim: (s) => s };

/** Prints each step once when it starts, and its outcome once when it ends. */
class StepPrinter {
  private readonly seen = new Set<string>();
  private readonly ended = new Set<string>();
  private readonly style: Style;

  constructor(style: Style) {
    this.style = style;
  }

  print(step: TranscriptStep): string {
    const s = this.style;
    const who = step.agent === "main" ? "" : `[${step.agent}] `;
    let text = "";
    if (!this.seen.has(step.key)) {
      this.seen.add(step.key);
      if (step.kind === "text") text += `\n${who}${s.bold("model:")}\n${indent(terminalSafe(step.text))}\n`;
      else if (step.kind === "note") text += `${who}${s.dim(`note: ${terminalSafe(step.message)}`)}\n`;
      else text += `\n${who}${s.bold(step.name)} ${terminalSafe(inputLine(step))}\n`;
    }
    if (step.kind === "tool" && step.finished && !this.ended.has(step.key)) {
      this.ended.add(step.key);
      const f = step.finished;
      if (f.output) text += `${indent(terminalSafe(f.output))}\n`;
      const cut = f.outputChars > f.output.length ? `, output cut from ${f.outputChars.toLocaleString("en-US")} characters` : "";
      text += `  ${s.dim(`${f.exitCode !== undefined ? `exit code ${f.exitCode}` : f.ok ? "ok" : "failed"} in ${(f.durationMs / 1000).toFixed(1)} s${cut}`)}\n`;
    }
    return text;
  }
}

function inputLine(step: Extract<TranscriptStep, { kind: "tool" }>): string {
  const input = step.input as Record<string, unknown> | null;
  if (input && typeof input["command"] === "string") return `$ ${input["command"]}`;
  return step.summary || (input ? JSON.stringify(input) : "");
}

function headerText(view: TranscriptView, s: Style): string {
  const t = view.task;
  return [
    `${s.bold("task")} ${t.id}  ${t.status}`,
    `${s.dim("asked by")} ${t.who}  ${s.dim("in")} ${t.where}  ${s.dim("at")} ${t.createdAt}`,
    `${s.dim("request:")}`,
    indent(terminalSafe(t.text)),
    "",
  ].join("\n");
}

function footerText(view: TranscriptView, s: Style): string {
  const lines: string[] = [""];
  if (view.plan.length > 0) {
    lines.push(s.bold("plan:"));
    for (const item of view.plan) lines.push(`  ${todoIcon[item.status]} ${terminalSafe(item.content)}`);
  }
  if (view.files.length > 0) lines.push(`${s.bold("files:")} ${view.files.map(terminalSafe).join(", ")}`);
  const u = view.usage;
  const p = view.cost.pricesPerMillionTokens;
  const took = view.task.durationMs === null ? "" : ` in ${(view.task.durationMs / 1000).toFixed(1)} s`;
  lines.push(`${s.bold("status:")} ${view.task.status}${took}, ${view.task.turns} turns`);
  if (view.failure) lines.push(`${s.bold("failure:")} ${view.failure.code}: ${terminalSafe(view.failure.detail)}`);
  lines.push(
    `${s.bold("tokens:")} ${u.input_tokens} in, ${u.output_tokens} out, ${u.cache_read_input_tokens} cache read, ${u.cache_creation_input_tokens} cache write; estimated cost ${formatUsd(view.cost.usd)} (${view.cost.model}: $${p.input}/$${p.output} per million in/out)`,
  );
  if (view.answer) lines.push(s.bold("answer:"), indent(terminalSafe(view.answer)));
  return `${lines.join("\n")}\n`;
}

function indent(text: string): string {
  return text.replace(/\n$/, "").replace(/^/gm, "  ");
}
