// Mention → final answer in the thread, for a 3-step task on an instant model: the real product
// (Bolt app, queue, worker, engine, local sandbox, progress card paced as in production) next to
// the bare libraries doing the same work (bench/bare-slack-pipeline.ts), in one run against the
// same Slack emulator. Also: how long after the model's last reply the answer was posted.
// Run: npx node bench/slack-final-answer.ts [pglite|postgres]   (RUNS=3 MENTIONS=5 to change it)
import { startHarness } from "../test/slack/slack-harness.ts";
import { startMessagesApi, type RecordedRequest, type Reply } from "../test/doubles/messages-api.ts";
import type { TargetKind } from "../test/helpers/test-database.ts";
import { startBarePipeline } from "./bare-slack-pipeline.ts";
import { startSlackWorkspace, type SlackWorkspace } from "../test/doubles/slack/slack-workspace.ts";
import { median } from "./stats.ts";

const RUNS = Number(process.env["RUNS"] ?? 3);
const MENTIONS = Number(process.env["MENTIONS"] ?? 5);
const kind: TargetKind = process.argv[2] === "postgres" ? "postgres" : "pglite";

const lastReplyAt = new Map<string, number>();
function script(req: RecordedRequest): Reply {
  const marker = /job-[a-z]+-\d+-\d+/.exec(JSON.stringify(req.body.messages[0]))?.[0] ?? "job-unknown";
  const step = req.body.messages.filter((m) => m.role === "assistant").length;
  if (step < 2) return { toolCalls: [{ name: "execute", input: { command: "true" } }] };
  lastReplyAt.set(marker, performance.now());
  return { text: `The answer for ${marker}.` };
}

// Each side runs alone in this process (its own Slack workspace and database), so neither's
// background work (pollers, supervisors) lands in the other's timings; they alternate per run.
interface Side {
  slack: SlackWorkspace;
  deliver(event: Record<string, unknown>): Promise<number>;
  close(): Promise<void>;
}

async function openSide(side: "bare" | "product"): Promise<Side> {
  if (side === "product") {
    const h = await startHarness({ script, worker: true, database: kind, minUpdateIntervalMs: 1000, env: { LOG_LEVEL: "warn", WORKER_CONCURRENCY: "4" } });
    return { slack: h.slack, deliver: (e) => h.deliver(e), close: () => h.close() };
  }
  const slack = await startSlackWorkspace();
  const api = await startMessagesApi({ script });
  const bare = await startBarePipeline(slack, api.baseURL, kind);
  return {
    slack,
    deliver: (e) => bare.mention(e),
    async close() {
      await bare.close();
      await api.close();
      await slack.close();
    },
  };
}

async function answered(slack: SlackWorkspace, marker: string, from: number): Promise<number> {
  const deadline = performance.now() + 30_000;
  for (let i = from; performance.now() < deadline; ) {
    for (; i < slack.calls.length; i++) {
      const c = slack.calls[i]!;
      if (c.method === "chat.postMessage" && JSON.stringify(c.params).includes(`answer for ${marker}`)) return performance.now();
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(`no answer for ${marker} in 30 s`);
}

async function one(s: Side, marker: string): Promise<{ total: number; afterModel: number }> {
  const work = s.slack.channels["work"]!;
  const text = `<@${s.slack.bot.userId}> ${marker}: do three steps`;
  const posted = await s.slack.as("alice").chat.postMessage({ channel: work, text });
  const event = { type: "app_mention", channel: work, user: s.slack.users["alice"], text, ts: posted.ts!, team: s.slack.teamId };
  const from = s.slack.calls.length;
  const start = performance.now();
  const status = await s.deliver(event);
  if (status !== 200) throw new Error(`${marker}: the mention got HTTP ${status}`);
  const done = await answered(s.slack, marker, from);
  // Let the product finish its reactions and status line before the next mention.
  await new Promise((r) => setTimeout(r, 300));
  return { total: done - start, afterModel: done - (lastReplyAt.get(marker) ?? start) };
}

async function measure(side: "bare" | "product", run: number) {
  const s = await openSide(side);
  try {
    await one(s, `job-${side}-${run}-0`); // warm-up: module loading, first connections
    const all: { total: number; afterModel: number }[] = [];
    for (let n = 1; n <= MENTIONS; n++) all.push(await one(s, `job-${side}-${run}-${n}`));
    return { total: median(all.map((x) => x.total)), afterModel: median(all.map((x) => x.afterModel)) };
  } finally {
    await s.close();
  }
}

const runs: { bare: number; product: number; bareAfter: number; productAfter: number }[] = [];
for (let run = 1; run <= RUNS; run++) {
  const b = await measure("bare", run);
  const p = await measure("product", run);
  const r = { bare: b.total, product: p.total, bareAfter: b.afterModel, productAfter: p.afterModel };
  runs.push(r);
  console.log(
    `  run ${run}: bare ${r.bare.toFixed(1)} ms, deep-agent ${r.product.toFixed(1)} ms (after the model's last reply: bare ${r.bareAfter.toFixed(1)}, deep-agent ${r.productAfter.toFixed(1)} ms)`,
  );
}
const bareMs = median(runs.map((r) => r.bare));
const productMs = median(runs.map((r) => r.product));
console.log(
  `mention → final answer in the thread, 3-step task, instant model, ${kind} (median of ${RUNS} runs × ${MENTIONS} mentions): ` +
    `bare ${bareMs.toFixed(1)} ms, deep-agent ${productMs.toFixed(1)} ms, ratio ${(productMs / bareMs).toFixed(2)}× (target ≤ 2×); ` +
    `answer posted ${median(runs.map((r) => r.productAfter)).toFixed(1)} ms after the model's last reply (bare ${median(runs.map((r) => r.bareAfter)).toFixed(1)} ms; target ≤ 100 ms)`,
);
