// Slack Web API calls made for one 30-step task, by method, and the tightest spacing of updates
// to any one message; and the task's wall time (mention → answer in the thread) next to the bare
// libraries running the same 30 model turns and commands without any progress (bench/bare-slack-pipeline.ts),
// median of RUNS runs each, alternating. A step is one model turn with a tool call (a command, and every third step
// a plan update); each model turn takes STEP_MS, so the task runs for about 30 × STEP_MS.
// Everything is real (Bolt app, queue, worker, engine, local sandbox) against the Slack emulator.
// The progress card is paced as in production (MIN_UPDATE_MS, default 1000).
// Run: npx node bench/slack-api-calls.ts   (STEPS=30 STEP_MS=400 RUNS=3 MIN_UPDATE_MS=1000 to change it)
import { startHarness } from "../test/slack/slack-harness.ts";
import { startMessagesApi, type RecordedRequest, type Reply } from "../test/doubles/messages-api.ts";
import { startSlackWorkspace, type SlackWorkspace } from "../test/doubles/slack/slack-workspace.ts";
import { startBarePipeline } from "./bare-slack-pipeline.ts";
import { median } from "./stats.ts";

const STEPS = Number(process.env["STEPS"] ?? 30);
const STEP_MS = Number(process.env["STEP_MS"] ?? 400);
const RUNS = Number(process.env["RUNS"] ?? 3);
const MIN_UPDATE_MS = Number(process.env["MIN_UPDATE_MS"] ?? 1000);
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

async function answeredAt(slack: SlackWorkspace, from: number): Promise<number> {
  for (let i = from; ; ) {
    for (; i < slack.calls.length; i++) {
      const c = slack.calls[i]!;
      if (c.method === "chat.postMessage" && JSON.stringify(c.params).includes(`Finished all ${STEPS} steps`)) return performance.now();
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function bareRun(): Promise<number> {
  const slack = await startSlackWorkspace();
  const api = await startMessagesApi({ script });
  const bare = await startBarePipeline(slack, api.baseURL);
  try {
    const work = slack.channels["work"]!;
    const text = `<@${slack.bot.userId}> a thirty-step job`;
    const posted = await slack.as("alice").chat.postMessage({ channel: work, text });
    const from = slack.calls.length;
    const started = performance.now();
    await bare.mention({ type: "app_mention", channel: work, user: slack.users["alice"], text, ts: posted.ts!, team: slack.teamId });
    return (await answeredAt(slack, from)) - started;
  } finally {
    await bare.close();
    await api.close();
    await slack.close();
  }
}

async function productRun(report: boolean): Promise<number> {
  const h = await startHarness({ script, worker: true, minUpdateIntervalMs: MIN_UPDATE_MS, env: { LOG_LEVEL: "warn", MAX_TURNS: String(STEPS + 5) } });
  try {
    const work = h.slack.channels["work"]!;
    const text = `a thirty-step job`;
    const { event } = await h.say("alice", work, `<@${h.slack.bot.userId}> ${text}`);
    const { channel_type: _t, ...rest } = event;
    const before = h.slack.calls.length;
    const started = performance.now();
    await h.deliver({ ...rest, type: "app_mention" });
    const wall = (await answeredAt(h.slack, before)) - started;
    const task = await h.waitFor("the task", () => h.taskFor(work, String(rest["ts"])));
    const done = await h.waitForFinish(task.id, 10 * 60_000);
    await h.idle();
    if (report) reportCalls(h.slack, before, wall, done);
    return wall;
  } finally {
    await h.close();
  }
}

function reportCalls(slack: SlackWorkspace, before: number, wall: number, done: { status: string; turns: number }): void {
  const calls = slack.calls.slice(before);
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

  console.log(
    `slack web api calls for one ${STEPS}-step task (${STEP_MS} ms per model turn, cards paced ${MIN_UPDATE_MS} ms; ran ${(wall / 1000).toFixed(1)} s, ${done.status}, ${done.turns} turns):`,
  );
  for (const [method, n] of [...byMethod].sort((a, b) => b[1] - a[1])) console.log(`  ${method.padEnd(32)} ${n}`);
  console.log(`  ${"total".padEnd(32)} ${calls.length}   (issue 15: no more than before the speed work)`);
  console.log(
    `  progress message updates: ${[...updates.values()].map((t) => t.length).join(", ")}; closest two updates of one message ${Number.isFinite(minGap) ? `${minGap} ms` : "n/a"} apart; most in any 1 s window: ${maxPerSecond}`,
  );
}

const bareMs: number[] = [];
const productMs: number[] = [];
for (let run = 1; run <= RUNS; run++) {
  bareMs.push(await bareRun());
  productMs.push(await productRun(run === 1));
  console.log(`  run ${run}: bare ${(bareMs.at(-1)! / 1000).toFixed(2)} s, deep-agent with Slack progress ${(productMs.at(-1)! / 1000).toFixed(2)} s`);
}
console.log(
  `${STEPS}-step task wall time, mention → answer (median of ${RUNS}): bare ${(median(bareMs) / 1000).toFixed(2)} s, deep-agent ${(median(productMs) / 1000).toFixed(2)} s, ` +
    `ratio ${(median(productMs) / median(bareMs)).toFixed(2)}× (target ≤ 1.1×)`,
);
