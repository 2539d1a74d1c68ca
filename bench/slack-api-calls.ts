// Slack Web API calls made for one 30-step task, by method, and the tightest spacing of updates
// to any one message. A step is one model turn with a tool call (a command, and every third step
// a plan update); each model turn takes STEP_MS, so the task runs for about 30 × STEP_MS.
// Everything is real (Bolt app, queue, worker, engine, local sandbox) against the Slack emulator.
// Run: npx node bench/slack-api-calls.ts   (STEPS=30 STEP_MS=400 to change the task)
import { startHarness } from "../test/slack/slack-harness.ts";
import type { RecordedRequest, Reply } from "../test/doubles/messages-api.ts";

const STEPS = Number(process.env["STEPS"] ?? 30);
const STEP_MS = Number(process.env["STEP_MS"] ?? 400);
const PLAN = 10;

function plan(done: number) {
  return Array.from({ length: PLAN }, (_, i) => ({ content: `Part ${i + 1} of the job`, status: i < done ? "completed" : i === done ? "in_progress" : "pending" }));
}

function script(req: RecordedRequest): Reply {
  const step = req.body.messages.filter((m) => m.role === "assistant").length;
  if (step === 0) return { delayMs: STEP_MS, toolCalls: [{ name: "write_todos", input: { todos: plan(0) } }] };
  if (step >= STEPS) return { delayMs: STEP_MS, text: `Finished all ${STEPS} steps.` };
  const calls: NonNullable<Extract<Reply, { toolCalls?: unknown }>["toolCalls"]> = [{ name: "execute", input: { command: `echo step ${step}` } }];
  if (step % 3 === 0) calls.push({ name: "write_todos", input: { todos: plan(Math.min(PLAN, Math.floor((step / STEPS) * PLAN))) } });
  return { delayMs: STEP_MS, toolCalls: calls };
}

const h = await startHarness({ script, worker: true, env: { LOG_LEVEL: "warn", MAX_TURNS: String(STEPS + 5) } });
try {
  const work = h.slack.channels["work"]!;
  const before = h.slack.calls.length;
  const started = Date.now();
  const { ts } = await h.mention("alice", work, "a thirty-step job");
  const task = await h.waitFor("the task", () => h.taskFor(work, ts));
  const done = await h.waitForFinish(task.id, 10 * 60_000);
  await h.idle();
  const seconds = (Date.now() - started) / 1000;
  const calls = h.slack.calls.slice(before);
  const byMethod = new Map<string, number>();
  for (const c of calls) byMethod.set(c.method, (byMethod.get(c.method) ?? 0) + 1);

  // Spacing of successful updates per message.
  const updates = new Map<string, number[]>();
  for (const c of calls.filter((c) => c.method === "chat.update" && c.ok)) {
    const key = String(c.params["ts"]);
    updates.set(key, [...(updates.get(key) ?? []), c.at]);
  }
  let minGap = Infinity;
  let maxPerSecond = 0;
  for (const times of updates.values()) {
    for (let i = 1; i < times.length; i++) minGap = Math.min(minGap, times[i]! - times[i - 1]!);
    for (const t of times) maxPerSecond = Math.max(maxPerSecond, times.filter((u) => u >= t && u < t + 1000).length);
  }

  console.log(`slack web api calls for one ${STEPS}-step task (${STEP_MS} ms per model turn; ran ${seconds.toFixed(1)} s, ${done.status}, ${done.turns} turns):`);
  for (const [method, n] of [...byMethod].sort((a, b) => b[1] - a[1])) console.log(`  ${method.padEnd(32)} ${n}`);
  console.log(`  ${"total".padEnd(32)} ${calls.length}`);
  console.log(
    `  progress message updates: ${[...updates.values()].map((t) => t.length).join(", ")}; closest two updates of one message ${Number.isFinite(minGap) ? `${minGap} ms` : "n/a"} apart; most in any 1 s window: ${maxPerSecond}`,
  );
} finally {
  await h.close();
}
