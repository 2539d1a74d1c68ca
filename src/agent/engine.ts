// The agent loop: plan, call tools in the sandbox, repeat until the model answers.
// It knows nothing of Slack, E2B or terminals: it talks to a Sandbox, tools and a ProgressSink.
import type Anthropic from "@anthropic-ai/sdk";
import type { AgentEvent, ProgressSink, TaskStatus, Todo, UnscopedEvent, Usage } from "./events.ts";
import { addUsage, emptyUsage } from "./events.ts";
import type { AgentOutcome, Message, RunOptions } from "./run-options.ts";
import type { AgentTool, ToolContext } from "./tool.ts";
import { sandboxTools, readOnlyToolNames } from "./tools/index.ts";
import { createWriteTodosTool } from "./tools/write-todos.ts";
import { createSubagentTool, type SubagentType } from "./tools/subagent-task.ts";
import { mergePlan } from "./todo-plan.ts";
import { RUN_ENDING_CODES, runToolCalls } from "./run-tools.ts";
import { callModel } from "./model-turn.ts";
import { dropOldToolResults, dropOldTurns, TokenEstimator } from "./compaction.ts";
import { systemPrompt } from "./system-prompt.ts";
import { CodedError, hasCode, type Failure } from "../shared/errors.ts";

export function runAgent(options: RunOptions): Promise<AgentOutcome> {
  return new AgentRun(options, "main", 0).run();
}

const COMPACT_AT = 0.8;

class AgentRun {
  private readonly options: RunOptions;
  private readonly agent: string;
  private readonly depth: number;
  private readonly tools: Map<string, AgentTool>;
  private readonly toolDefs: Anthropic.ToolUnion[];
  private readonly system: Anthropic.TextBlockParam[];
  private readonly fixedChars: number;
  private readonly estimator = new TokenEstimator();
  private readonly usage: Usage = emptyUsage();
  private readonly deadline: number;
  private readonly signal: AbortSignal;
  private readonly stopTimer: () => void;
  private messages: Message[] = [];
  private todos: Todo[] = [];
  private turn = 0;
  private subagents = 0;
  private lastText = "";
  /** Calls of the checkpoint's last turn that were never answered: the run paused before them. */
  private unanswered: Anthropic.ToolUseBlock[] = [];

  constructor(options: RunOptions, agent: string, depth: number, subagentType?: SubagentType) {
    this.options = options;
    this.agent = agent;
    this.depth = depth;
    this.deadline = Date.now() + options.limits.timeoutMs;
    const timeout = new AbortController();
    const seconds = Math.round(options.limits.timeoutMs / 1000);
    const timer = setTimeout(() => timeout.abort(new CodedError("timeout", `the task ran out of time after ${seconds} s`)), options.limits.timeoutMs);
    this.stopTimer = () => clearTimeout(timer);
    this.signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;

    const own: AgentTool[] = [createWriteTodosTool((todos) => this.updatePlan(todos)) as AgentTool];
    if (depth === 0) own.push(createSubagentTool((d, t, ctx) => this.runSubagent(d, t, ctx)) as AgentTool);
    let all = [...own, ...sandboxTools, ...(options.extraTools ?? [])];
    if (subagentType === "researcher") all = all.filter((t) => readOnlyToolNames.has(t.name) || t.name === "write_todos");
    this.tools = new Map(all.map((t) => [t.name, t]));
    this.toolDefs = all.map((t) => ({ name: t.name, description: t.description, input_schema: t.inputSchema as Anthropic.Tool.InputSchema }));
    const text = systemPrompt({
      workdir: options.sandbox.workdir,
      date: new Date().toISOString().slice(0, 10),
      toolNames: [...this.tools.keys()],
      subagent: depth > 0,
    });
    this.system = [{ type: "text", text, cache_control: { type: "ephemeral" } }];
    // System prompt and tools never change during a task: measure them once.
    this.fixedChars = JSON.stringify(this.system).length + JSON.stringify(this.toolDefs).length;
  }

  async run(): Promise<AgentOutcome> {
    try {
      await this.restore();
      return await this.loop();
    } catch (error) {
      return this.finish(...this.stopOf(error));
    } finally {
      this.stopTimer();
    }
  }

  private async restore(): Promise<void> {
    const saved = await this.options.checkpoints?.load();
    if (saved) {
      this.messages = saved.messages;
      this.todos = saved.todos;
      this.turn = saved.turn;
      addUsage(this.usage, saved.usage);
      this.lastText = lastAssistantText(saved.messages);
      this.unanswered = pendingCalls(saved.messages);
    } else {
      // Content always as block arrays: the bytes of a message must not change once it is sent.
      this.messages = [...(this.options.history ?? []).map(asBlocks), { role: "user", content: [{ type: "text", text: this.options.prompt }] }];
    }
    this.emit({ type: "started", taskId: this.options.taskId, resumedFromTurn: saved?.turn ?? 0 });
    if (saved && this.todos.length > 0) this.emit({ type: "plan", todos: this.todos });
  }

  private async loop(): Promise<AgentOutcome> {
    let continuation = "";
    for (;;) {
      if (this.signal.aborted) throw this.signal.reason;
      if (this.unanswered.length > 0) {
        // Resumed after a pause: the calls it paused before are answered first (their results must follow them).
        const calls = this.unanswered;
        this.unanswered = [];
        const ran = await this.runCalls(calls);
        if (ran.kind === "paused") return this.pause(ran.summary);
        if (this.signal.aborted) throw this.signal.reason;
        this.messages.push({ role: "user", content: ran.results });
        await this.checkpoint();
        continue;
      }
      await this.takeInbox();
      if (this.turn >= this.options.limits.maxTurns) {
        return this.finish("failed", new CodedError("turn_limit", `the task used all ${this.options.limits.maxTurns} turns without finishing`).toFailure());
      }
      const verdict = this.depth === 0 ? await this.options.gate?.modelCall?.({ ...this.usage }) : undefined;
      if (verdict?.kind === "stop") return this.finish("failed", verdict.failure);
      if (verdict?.kind === "pause" && this.canPause()) {
        await this.checkpoint();
        return this.pause(verdict.summary);
      }
      this.turn++;
      this.emit({ type: "turn", turn: this.turn });
      const response = await this.callModelFitting();
      const content = response.content.length > 0 ? response.content : [{ type: "text" as const, text: "(no answer)", citations: null }];
      this.messages.push({ role: "assistant", content: content as Anthropic.ContentBlockParam[] });
      const text = content
        .flatMap((b) => (b.type === "text" ? [b.text] : []))
        .join("\n")
        .trim();
      const calls = content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
      if (text) {
        this.lastText = continuation + text;
        this.emit({ type: "text", text, final: calls.length === 0 && response.stop_reason !== "max_tokens" });
      }

      if (calls.length === 0) {
        if (response.stop_reason === "max_tokens") {
          continuation = this.lastText;
          this.messages.push({ role: "user", content: [{ type: "text", text: "Your reply was cut off by the output limit. Continue exactly where you stopped." }] });
          await this.checkpoint();
          continue;
        }
        // A message that arrived while the model was answering gets an answer too.
        if (await this.takeInbox()) continue;
        return this.finish("succeeded");
      }
      continuation = "";
      let results: Anthropic.ToolResultBlockParam[];
      if (response.stop_reason === "max_tokens") {
        results = calls.map((c) => ({
          type: "tool_result" as const,
          tool_use_id: c.id,
          is_error: true,
          content: "Your reply was cut off by the output limit before this call was complete, so it was not run. Send it again, smaller.",
        }));
      } else {
        const ran = await this.runCalls(calls);
        if (ran.kind === "paused") {
          // Saved with the calls unanswered: the run that resumes it answers them.
          await this.checkpoint();
          return this.pause(ran.summary);
        }
        results = ran.results;
      }
      if (this.signal.aborted) throw this.signal.reason;
      this.messages.push({ role: "user", content: results });
      await this.checkpoint();
    }
  }

  private runCalls(calls: readonly Anthropic.ToolUseBlock[]) {
    return runToolCalls(calls, {
      tools: this.tools,
      maxResultChars: this.options.limits.maxToolResultChars,
      context: (id) => this.toolContext(id),
      ...(this.options.gate ? { gate: this.options.gate } : {}),
      canPause: this.canPause(),
    });
  }

  /** Only the main agent of a run that checkpoints can stop and be resumed later. */
  private canPause(): boolean {
    return this.depth === 0 && this.options.checkpoints !== undefined;
  }

  /** The run stops here, checkpointed, until a person decides; the caller resumes it from the checkpoint. */
  private pause(summary: string): AgentOutcome {
    this.emit({ type: "note", level: "info", message: `Waiting for a person's decision: ${summary}` });
    return { status: "paused", result: this.lastText, todos: this.todos, usage: { ...this.usage }, turns: this.turn, messages: this.messages, pausedFor: summary };
  }

  /** Calls the model, compacting the conversation first when it nears the context window. */
  private async callModelFitting(): Promise<Anthropic.Message> {
    let chars = this.compactIfNeeded(COMPACT_AT);
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await callModel(this.options.model, this.request(), {
          signal: this.signal,
          onRetry: (n, delayMs, reason) => this.emit({ type: "retry", attempt: n, delayMs, reason }),
        });
        const turnUsage = pickUsage(response.usage);
        addUsage(this.usage, turnUsage);
        this.estimator.calibrate(chars, turnUsage.input_tokens + turnUsage.cache_read_input_tokens + turnUsage.cache_creation_input_tokens);
        this.emit({ type: "usage", turn: turnUsage, total: { ...this.usage } });
        return response;
      } catch (error) {
        // The API says it does not fit after all: compact harder and try again.
        if (hasCode(error, "context_overflow") && attempt < 2) {
          chars = this.compactIfNeeded(attempt === 0 ? 0.5 : 0.25, true);
          continue;
        }
        throw error;
      }
    }
  }

  /** Compacts when the estimate passes `fraction` of the window; returns the size of the request in characters. */
  private compactIfNeeded(fraction: number, force = false): number {
    const limit = this.options.limits.contextWindowTokens * fraction;
    const beforeChars = this.charsOf(this.messages);
    const before = this.estimator.estimate(beforeChars);
    if (before <= limit && !force) return beforeChars;
    let result = dropOldToolResults(this.messages, 2);
    let chars = this.charsOf(result.messages);
    if (this.estimator.estimate(chars) > limit) {
      result = dropOldToolResults(this.messages, 0);
      chars = this.charsOf(result.messages);
    }
    let droppedMessages = 0;
    for (let keep = 8; this.estimator.estimate(chars) > limit && keep >= 2; keep -= 2) {
      const turns = dropOldTurns(result.messages, keep);
      droppedMessages = turns.droppedMessages;
      result = { ...turns, droppedResults: result.droppedResults };
      chars = this.charsOf(result.messages);
    }
    if (result.droppedResults === 0 && droppedMessages === 0) return beforeChars;
    this.messages = result.messages;
    this.emit({ type: "compacted", droppedResults: result.droppedResults + droppedMessages, beforeTokens: before, afterTokens: this.estimator.estimate(chars) });
    return chars;
  }

  /** Characters of a request with these messages: the estimator's measure of its size. */
  private charsOf(messages: readonly Message[]): number {
    return this.fixedChars + JSON.stringify(messages).length;
  }

  private request() {
    return {
      max_tokens: this.options.limits.maxOutputTokens,
      system: this.system,
      tools: this.toolDefs,
      messages: withCacheBreakpoints(this.messages),
    };
  }

  private async takeInbox(): Promise<boolean> {
    if (!this.options.inbox || this.depth > 0) return false;
    const incoming = await this.options.inbox.take();
    if (incoming.length === 0) return false;
    const blocks: Anthropic.TextBlockParam[] = incoming.map((text) => ({ type: "text", text: `[New message from the user while you were working]\n${text}` }));
    const last = this.messages.at(-1);
    if (last?.role === "user") {
      const existing: Anthropic.ContentBlockParam[] = typeof last.content === "string" ? [{ type: "text", text: last.content }] : last.content;
      this.messages[this.messages.length - 1] = { role: "user", content: [...existing, ...blocks] };
    } else {
      this.messages.push({ role: "user", content: blocks });
    }
    this.emit({ type: "note", level: "info", message: `Passed ${incoming.length} new message${incoming.length === 1 ? "" : "s"} to the agent` });
    return true;
  }

  private updatePlan(todos: Todo[]): Todo[] {
    this.todos = mergePlan(this.todos, todos);
    this.emit({ type: "plan", todos: this.todos.map((t) => ({ ...t })) });
    return this.todos;
  }

  private toolContext(toolUseId: string): ToolContext {
    return {
      sandbox: this.options.sandbox,
      signal: this.signal,
      toolUseId,
      emit: (event) => this.emit(event),
      maxCommandMs: Math.max(1000, this.deadline - Date.now()),
    };
  }

  private async runSubagent(description: string, type: SubagentType, ctx: ToolContext) {
    const name = `sub-${++this.subagents}`;
    const parent = this.options.sink;
    const sink: ProgressSink = { emit: (event) => parent.emit(event.agent === "main" ? { ...event, agent: name } : event) };
    const { checkpoints: _c, inbox: _i, history: _h, ...shared } = this.options;
    const child = new AgentRun(
      {
        ...shared,
        taskId: `${this.options.taskId}/${name}`,
        prompt: description,
        sink,
        signal: ctx.signal,
        limits: { ...this.options.limits, timeoutMs: Math.max(1000, this.deadline - Date.now()) },
      },
      "main",
      this.depth + 1,
      type,
    );
    const outcome = await child.run();
    addUsage(this.usage, outcome.usage);
    this.emit({ type: "usage", turn: outcome.usage, total: { ...this.usage } });
    // The sub-agent works in the same sandbox: what ended its run ends this one too.
    const failure = outcome.failure;
    if (failure && RUN_ENDING_CODES.has(failure.code)) throw new CodedError(failure.code, failure.detail, { transient: failure.transient });
    const ok = outcome.status === "succeeded";
    const text = ok
      ? outcome.result || "(the sub-agent gave no answer)"
      : `The sub-agent did not finish (${outcome.failure?.detail ?? outcome.status}). What it had so far:\n${outcome.result || "(nothing)"}`;
    return { ok, text, summary: `${name} ${outcome.status} after ${outcome.turns} turns` };
  }

  private async checkpoint(): Promise<void> {
    await this.options.checkpoints?.save({ turn: this.turn, messages: this.messages, todos: this.todos, usage: { ...this.usage } });
  }

  /** How the run stopped: the caller's abort reason (a cancel, a shutdown), the timeout, or a failure. */
  private stopOf(error: unknown): [TaskStatus, Failure] {
    if (hasCode(error, "timeout")) return ["failed", error.toFailure()];
    if (this.options.signal?.aborted) {
      const reason = this.options.signal.reason;
      if (hasCode(reason)) return [reason.code === "cancelled" ? "cancelled" : "failed", reason.toFailure()];
      const why = reason instanceof Error && reason.name !== "AbortError" ? reason.message : typeof reason === "string" ? reason : "cancelled";
      return ["cancelled", new CodedError("cancelled", why).toFailure()];
    }
    if (hasCode(error)) return ["failed", error.toFailure()];
    const message = error instanceof Error ? error.message : String(error);
    return ["failed", new CodedError("internal", `internal error: ${message}`).toFailure()];
  }

  private finish(status: TaskStatus, failure?: Failure): AgentOutcome {
    answerDanglingToolCalls(this.messages, `not run: the task stopped (${failure?.detail || status})`);
    const outcome: AgentOutcome = {
      status,
      result: this.lastText,
      todos: this.todos,
      usage: { ...this.usage },
      turns: this.turn,
      messages: this.messages,
      ...(failure ? { failure } : {}),
    };
    this.emit({ type: "finished", status, result: outcome.result, usage: outcome.usage, ...(failure ? { failure } : {}) });
    return outcome;
  }

  private emit(event: UnscopedEvent): void {
    try {
      this.options.sink.emit({ ...event, agent: this.agent } as AgentEvent);
    } catch {
      // A broken renderer must not break the task.
    }
  }
}

/** Cache breakpoints on the last two user messages: each turn reads the previous turn's prefix. */
function withCacheBreakpoints(messages: readonly Message[]): Message[] {
  const out = [...messages];
  let marked = 0;
  for (let i = out.length - 1; i >= 0 && marked < 2; i--) {
    const m = out[i]!;
    if (m.role !== "user") continue;
    const blocks = [...asBlocks(m).content];
    const last = blocks.at(-1);
    if (!last || last.type === "thinking" || last.type === "redacted_thinking") continue;
    blocks[blocks.length - 1] = { ...(last as object), cache_control: { type: "ephemeral" } } as Anthropic.ContentBlockParam;
    out[i] = { role: "user", content: blocks };
    marked++;
  }
  return out;
}

function pickUsage(u: Anthropic.Usage): Usage {
  return {
    input_tokens: u.input_tokens ?? 0,
    output_tokens: u.output_tokens ?? 0,
    cache_read_input_tokens: u.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: u.cache_creation_input_tokens ?? 0,
  };
}

function lastAssistantText(messages: readonly Message[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== "assistant") continue;
    if (typeof m.content === "string") return m.content;
    const text = m.content
      .flatMap((b) => (b.type === "text" ? [b.text] : []))
      .join("\n")
      .trim();
    if (text) return text;
  }
  return "";
}

/** The tool calls of a conversation's last turn when no results follow them (it paused before running them). */
function pendingCalls(messages: readonly Message[]): Anthropic.ToolUseBlock[] {
  const last = messages.at(-1);
  if (last?.role !== "assistant" || typeof last.content === "string") return [];
  return last.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
}

/** A conversation that stopped between a tool call and its result gets error results, so it can be continued. */
function answerDanglingToolCalls(messages: Message[], text: string): void {
  const last = messages.at(-1);
  if (last?.role !== "assistant" || typeof last.content === "string") return;
  const calls = last.content.filter((b) => b.type === "tool_use");
  if (calls.length === 0) return;
  messages.push({ role: "user", content: calls.map((c) => ({ type: "tool_result" as const, tool_use_id: c.id, is_error: true, content: text })) });
}

function asBlocks(message: Message): Message & { content: Anthropic.ContentBlockParam[] } {
  if (typeof message.content !== "string") return message as Message & { content: Anthropic.ContentBlockParam[] };
  return { ...message, content: [{ type: "text", text: message.content }] } as Message & { content: Anthropic.ContentBlockParam[] };
}
