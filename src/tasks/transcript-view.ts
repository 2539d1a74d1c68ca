// A task's transcript as people read it, built from its record and its stored events: the header
// (request, who, where, status, timing, tokens, estimated cost and the prices used), the plan with
// each item's history, the timeline of steps (tool calls, the model's text, notes), the files it
// produced and the answer. The page, its JSON form and `deep-agent show` all render this one view.
// Built incrementally, so a live page or `show --follow` only handles what is new.
import type { Todo, Usage } from "../agent/events.ts";
import type { Failure } from "../shared/errors.ts";
import type { Task, TaskState } from "../store/task-repo.ts";
import type { TranscriptEvent } from "../store/transcript-repo.ts";
import { estimateCostUsd, priceOf, type Price } from "./pricing.ts";

export type TranscriptStep =
  | {
      kind: "tool";
      key: string;
      agent: string;
      name: string;
      summary: string;
      input: unknown;
      startedAt: string;
      /** Unset while the call runs. */
      finished?: { ok: boolean; durationMs: number; summary: string; output: string; outputChars: number; exitCode?: number };
    }
  | { kind: "text"; key: string; agent: string; text: string; final: boolean; at: string }
  | { kind: "note"; key: string; agent: string; level: "info" | "warn"; message: string; at: string };

export interface PlanItem {
  content: string;
  status: Todo["status"];
  history: Array<{ status: Todo["status"]; at: string }>;
}

export interface TranscriptView {
  task: {
    id: string;
    text: string;
    status: TaskState;
    /** Who asked: a Slack user id, a login on the command line, or a schedule. */
    who: string;
    /** Where it was asked. */
    where: string;
    model: string;
    createdAt: string;
    startedAt: string | null;
    finishedAt: string | null;
    durationMs: number | null;
    attempt: number;
    turns: number;
  };
  usage: Usage;
  cost: { usd: number; model: string; pricesPerMillionTokens: Price };
  plan: PlanItem[];
  steps: TranscriptStep[];
  files: string[];
  answer: string | null;
  failure: Failure | null;
  live: boolean;
  /** The last event included: a live reader asks for what comes after it. */
  lastSeq: number;
  /** Set when the transcript has more events than one page holds. */
  more: { nextAfter: number } | null;
}

const LIVE: readonly TaskState[] = ["queued", "running", "waiting"];
const FILE_TOOLS = new Set(["write_file", "edit_file"]);

export function isLive(status: TaskState): boolean {
  return LIVE.includes(status);
}

export class TranscriptBuilder {
  private readonly steps: TranscriptStep[] = [];
  private readonly byKey = new Map<string, TranscriptStep>();
  private readonly plan = new Map<string, PlanItem>();
  private readonly files = new Set<string>();
  private lastSeq = 0;

  get seq(): number {
    return this.lastSeq;
  }

  /** Takes events in order; returns the steps they added or changed. */
  add(events: readonly TranscriptEvent[]): TranscriptStep[] {
    const changed = new Map<string, TranscriptStep>();
    for (const e of events) {
      this.lastSeq = Math.max(this.lastSeq, e.seq);
      const step = this.take(e);
      if (step) changed.set(step.key, step);
    }
    return [...changed.values()];
  }

  view(task: Task, defaultModel: string, more: TranscriptView["more"] = null): TranscriptView {
    const model = task.model ?? defaultModel;
    const end = task.finishedAt ?? (isLive(task.status) ? new Date() : null);
    const answer = task.result ?? this.finalText();
    return {
      task: {
        id: task.id,
        text: task.text,
        status: task.status,
        who: who(task),
        where: where(task),
        model,
        createdAt: task.createdAt.toISOString(),
        startedAt: task.startedAt?.toISOString() ?? null,
        finishedAt: task.finishedAt?.toISOString() ?? null,
        durationMs: task.startedAt && end ? Math.max(0, end.getTime() - task.startedAt.getTime()) : null,
        attempt: task.attempt,
        turns: task.turns,
      },
      usage: task.usage,
      cost: { usd: estimateCostUsd(model, task.usage), model, pricesPerMillionTokens: priceOf(model) },
      plan: this.plan.size > 0 ? [...this.plan.values()] : task.todos.map((t) => ({ content: t.content, status: t.status, history: [] })),
      steps: this.steps,
      files: [...this.files],
      answer: answer || null,
      failure: task.failure,
      live: isLive(task.status),
      lastSeq: this.lastSeq,
      more,
    };
  }

  private finalText(): string | null {
    for (let i = this.steps.length - 1; i >= 0; i--) {
      const s = this.steps[i]!;
      if (s.kind === "text" && s.final && s.agent === "main") return s.text;
    }
    return null;
  }

  private take(e: TranscriptEvent): TranscriptStep | null {
    const p = e.payload;
    const agent = str(p["agent"]) || "main";
    const at = e.at.toISOString();
    switch (e.kind) {
      case "plan":
        if (agent === "main") this.takePlan(Array.isArray(p["todos"]) ? (p["todos"] as Todo[]) : [], at);
        return null;
      case "tool_started": {
        const step: TranscriptStep = {
          kind: "tool",
          key: stepKey("tool", str(p["id"]) || String(e.seq)),
          agent,
          name: str(p["name"]),
          summary: str(p["summary"]),
          input: p["input"] ?? null,
          startedAt: at,
        };
        if (FILE_TOOLS.has(step.name)) {
          const path = (step.input as { file_path?: unknown } | null)?.file_path;
          if (typeof path === "string") this.files.add(path);
        }
        return this.push(step);
      }
      case "tool_finished": {
        const key = stepKey("tool", str(p["id"]) || String(e.seq));
        let step = this.byKey.get(key);
        if (step?.kind !== "tool") step = this.push({ kind: "tool", key, agent, name: str(p["name"]), summary: "", input: null, startedAt: at });
        if (step.kind !== "tool") return null;
        const output = str(p["output"]);
        step.finished = {
          ok: p["ok"] === true,
          durationMs: num(p["durationMs"]),
          summary: str(p["summary"]),
          output,
          outputChars: typeof p["outputChars"] === "number" ? p["outputChars"] : output.length,
          ...(typeof p["exitCode"] === "number" ? { exitCode: p["exitCode"] } : {}),
        };
        return step;
      }
      case "text":
        return this.push({ kind: "text", key: stepKey("text", String(e.seq)), agent, text: str(p["text"]), final: p["final"] === true, at });
      case "note":
        return this.note(e, agent, p["level"] === "warn" ? "warn" : "info", str(p["message"]));
      case "retry":
        return this.note(e, agent, "warn", `Model call retried (attempt ${num(p["attempt"])}, after ${Math.round(num(p["delayMs"]) / 1000)} s): ${str(p["reason"])}`);
      case "compacted":
        return this.note(e, agent, "info", `Conversation compacted: ${num(p["beforeTokens"])} → ${num(p["afterTokens"])} tokens`);
      case "started":
        return e.attempt > 1 || num(p["resumedFromTurn"]) > 0
          ? this.note(e, agent, "info", `Attempt ${e.attempt} started${num(p["resumedFromTurn"]) > 0 ? `, resuming after turn ${num(p["resumedFromTurn"])}` : ""}`)
          : null;
      case "outputs": {
        for (const f of Array.isArray(p["files"]) ? (p["files"] as Array<{ name?: unknown }>) : []) if (typeof f.name === "string") this.files.add(`outputs/${f.name}`);
        return null;
      }
      default:
        return null;
    }
  }

  private note(e: TranscriptEvent, agent: string, level: "info" | "warn", message: string): TranscriptStep {
    return this.push({ kind: "note", key: stepKey("note", String(e.seq)), agent, level, message, at: e.at.toISOString() });
  }

  private push(step: TranscriptStep): TranscriptStep {
    const existing = this.byKey.get(step.key);
    if (existing) return existing;
    this.steps.push(step);
    this.byKey.set(step.key, step);
    return step;
  }

  private takePlan(todos: Todo[], at: string): void {
    for (const t of todos) {
      if (typeof t?.content !== "string") continue;
      const item = this.plan.get(t.content);
      if (!item) this.plan.set(t.content, { content: t.content, status: t.status, history: [{ status: t.status, at }] });
      else if (item.status !== t.status) {
        item.status = t.status;
        item.history.push({ status: t.status, at });
      }
    }
  }
}

/** A key safe as an HTML id and a JSON field: tool-use ids are the model API's, but stored text is never trusted. */
function stepKey(kind: string, id: string): string {
  return `${kind}-${id.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 80)}`;
}

function who(task: Task): string {
  if (task.source === "schedule") return task.userId ? `schedule (set by ${task.userId})` : "a schedule";
  if (task.source === "cli") return task.userId ? `${task.userId} on the command line` : "the command line";
  return task.userId ? `Slack user ${task.userId}` : "Slack";
}

function where(task: Task): string {
  if (task.channelId) return `Slack channel ${task.channelId}${task.threadTs ? ` (thread ${task.threadTs})` : ""}`;
  return task.source === "cli" ? "command line" : task.source;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}
