// chat.update calls of TASKS concurrent tasks in one workspace, which share one budget (45 a
// minute; Slack allows about 50): the most in any minute, updates per card, and how long the
// final states took to show. The Slack emulator enforces 50 a minute and answers 429 past it.
// Slack time runs SPEED times faster than real time (the budget and the emulator's log share the
// clock), so minutes of Slack time pass in seconds. Everything else is real: Bolt app, queue,
// worker pool, engine, local sandboxes.
// Run: npx node bench/slack-update-budget.ts   (TASKS=20 TURNS=9 SPEED=3 to change it)
import { startHarness } from "../test/slack/slack-harness.ts";
import type { RecordedRequest, Reply } from "../test/doubles/messages-api.ts";
import { systemClock, type Clock } from "../src/slack/thread/update-budget.ts";

const TASKS = Number(process.env["TASKS"] ?? 20);
const TURNS = Number(process.env["TURNS"] ?? 9);
const SPEED = Number(process.env["SPEED"] ?? 3);

const start = Date.now();
const clock: Clock = { now: () => start + (Date.now() - start) * SPEED, sleep: (ms, signal) => systemClock.sleep(ms / SPEED, signal) };

function script(req: RecordedRequest): Reply {
  const turn = req.body.messages.filter((m) => m.role === "assistant").length;
  if (turn >= TURNS) return { text: "Done.", delayMs: 50 };
  const done = Math.floor(((turn + 1) * 4) / TURNS);
  const todos = Array.from({ length: 4 }, (_, i) => ({ content: `step ${i + 1}`, status: i < done ? "completed" : i === done ? "in_progress" : "pending" }));
  return {
    toolCalls: [
      { name: "write_todos", input: { todos } },
      { name: "execute", input: { command: `echo turn ${turn}` } },
    ],
    delayMs: 100,
  };
}

const h = await startHarness({ script, worker: true, clock, minUpdateIntervalMs: 20, env: { LOG_LEVEL: "warn", WORKER_CONCURRENCY: String(TASKS), MAX_TASKS_PER_USER: String(TASKS * 2) } });
h.slack.rateLimit("chat.update", 50);
try {
  const work = h.slack.channels["work"]!;
  const people = ["alice", "bob", "carol"];
  const asked = await Promise.all(Array.from({ length: TASKS }, (_, i) => h.mention(people[i % 3]!, work, `job ${i}`)));
  const tasks = await Promise.all(asked.map((a) => h.waitFor("the task", () => h.taskFor(work, a.ts))));
  const finishedAt: number[] = [];
  const done = await Promise.all(
    tasks.map(async (t) => {
      const task = await h.waitForFinish(t.id, 10 * 60_000);
      finishedAt.push(clock.now());
      return task;
    }),
  );
  const updates = h.slack.callsOf("chat.update");
  let busiest = 0;
  for (const c of updates) busiest = Math.max(busiest, updates.filter((d) => d.at >= c.at && d.at < c.at + 60_000).length);
  const perCard = done.map((t) => updates.filter((c) => c.params["ts"] === (t.meta["slack"] as { progressTs: string }).progressTs).length);
  const minutes = (updates.at(-1)!.at - updates[0]!.at) / 60_000;
  console.log(`${TASKS} concurrent tasks, ${TURNS} turns each, Slack time ${SPEED}× real time:`);
  console.log(`  chat.update calls: ${updates.length} over ${minutes.toFixed(1)} Slack minutes; most in any minute: ${busiest} (budget 45, Slack's limit 50)`);
  console.log(`  answered 429: ${updates.filter((c) => c.status === 429).length}`);
  console.log(`  updates per card: min ${Math.min(...perCard)}, max ${Math.max(...perCard)}`);
  console.log(
    `  succeeded: ${done.filter((t) => t.status === "succeeded").length} of ${TASKS}; last final state shown ${((Math.max(...finishedAt) - start) / 60_000).toFixed(1)} Slack minutes after the start`,
  );
} finally {
  await h.close();
}
