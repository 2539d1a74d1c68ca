// The per-workspace chat.update budget: on its own with a clock the test moves (any minute holds at
// most the budget, a final state goes before live updates, a 429 pauses the workspace, a wait can
// be given up), and under load through the real Bolt app, queue, 20 concurrent tasks of the real
// worker pool and the Slack emulator — which enforces Slack's 50 a minute per workspace — with a
// clock 3 times faster than real time, so minutes of Slack time pass in seconds.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createUpdateBudget, systemClock, type Clock } from "../../src/slack/thread/update-budget.ts";
import { startHarness, type Harness } from "./slack-harness.ts";
import { manualClock } from "../helpers/manual-clock.ts";
import type { RecordedRequest, Reply } from "../doubles/messages-api.ts";

describe("the chat.update budget", () => {
  it("grants a burst at once, then spreads the rest so no minute holds more than the budget", async () => {
    const time = manualClock();
    const budget = createUpdateBudget({ perMinute: 50, burst: 5, clock: time.clock });
    const grants: number[] = [];
    // 300 requests waiting at once, as 20 busy cards would make.
    const all = Array.from({ length: 300 }, () => budget.acquire("T1", { final: false }).then(() => grants.push(time.clock.now())));
    await time.advance(0);
    assert.equal(grants.length, 5, "the burst");
    await time.advance(5 * 60_000);
    for (const at of grants) assert.ok(grants.filter((g) => g >= at && g < at + 60_000).length <= 50, `a minute from ${at} holds more than 50`);
    assert.ok(grants.length >= 5 + 45 * 5 - 1, `${grants.length} granted in 5 minutes`);
    // Another workspace has its own budget.
    let other = false;
    void budget.acquire("T2", { final: false }).then(() => (other = true));
    await time.advance(0);
    assert.equal(other, true);
    await time.advance(10 * 60_000);
    await Promise.all(all);
  });

  it("lets a final state go before every live update, waits out a pause, and drops a wait given up", async () => {
    const time = manualClock();
    const budget = createUpdateBudget({ perMinute: 10, burst: 1, clock: time.clock });
    const order: string[] = [];
    await budget.acquire("T", { final: false });
    const give = new AbortController();
    const live = [1, 2, 3].map((n) => budget.acquire("T", { final: false, ...(n === 2 ? { signal: give.signal } : {}) }).then((ok) => order.push(ok ? `live ${n}` : `live ${n} gave up`)));
    await time.advance(0);
    const final = budget.acquire("T", { final: true }).then(() => order.push("final"));
    give.abort();
    await time.advance(0);
    assert.deepEqual(order, ["live 2 gave up"]);
    budget.pause("T", 60_000);
    await time.advance(59_000);
    assert.deepEqual(order, ["live 2 gave up"], "nothing during the pause");
    await time.advance(10 * 60_000);
    await Promise.all([...live, final]);
    assert.deepEqual(order, ["live 2 gave up", "final", "live 1", "live 3"]);
  });
});

/** A clock `speed` times faster than real time: a Slack minute passes in 60/speed seconds. */
function fastClock(speed: number): Clock {
  const start = Date.now();
  return { now: () => start + (Date.now() - start) * speed, sleep: (ms, signal) => systemClock.sleep(ms / speed, signal) };
}

const TURNS = 9;

async function busyScript(req: RecordedRequest): Promise<Reply> {
  const turn = req.body.messages.filter((m) => m.role === "assistant").length;
  if (turn >= TURNS) return { text: "Done.", delayMs: 50 };
  const done = Math.floor(((turn + 1) * 4) / TURNS);
  const todos = Array.from({ length: 4 }, (_, i) => ({ content: `step ${i + 1}`, status: i < done ? "completed" : i === done ? "in_progress" : "pending" }));
  // A plan change and a command each turn: two changes a card wants to show.
  return {
    toolCalls: [
      { name: "write_todos", input: { todos } },
      { name: "execute", input: { command: `echo turn ${turn}` } },
    ],
    delayMs: 100,
  };
}

describe("20 concurrent tasks in one workspace", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      worker: true,
      script: busyScript,
      clock: fastClock(3),
      // Every card would update every 20 ms if it could: far beyond what Slack allows.
      minUpdateIntervalMs: 20,
      env: { WORKER_CONCURRENCY: "20", MAX_TASKS_PER_USER: "100" },
    });
    h.slack.rateLimit("chat.update", 50);
  });
  after(() => h?.close());

  it("share one budget: slower updates, never a 429, and every final state shown", { timeout: 180_000 }, async () => {
    const work = h.slack.channels["work"]!;
    const people = ["alice", "bob", "carol"];
    const asked = await Promise.all(Array.from({ length: 20 }, (_, i) => h.mention(people[i % 3]!, work, `job ${i}`)));
    const tasks = await Promise.all(asked.map((a) => h.waitFor("the task", () => h.taskFor(work, a.ts))));
    const done = await Promise.all(tasks.map((t) => h.waitForFinish(t.id, 150_000)));
    assert.deepEqual(
      done.filter((t) => t.status !== "succeeded").map((t) => `${t.text}: ${t.status} ${t.failure?.code ?? ""} ${t.failure?.detail ?? ""}`),
      [],
      "every task succeeded",
    );

    const updates = h.slack.callsOf("chat.update");
    assert.equal(updates.filter((c) => c.status === 429).length, 0, "Slack never had to refuse one");
    let busiest = 0;
    for (const c of updates) busiest = Math.max(busiest, updates.filter((d) => d.at >= c.at && d.at < c.at + 60_000).length);
    assert.ok(busiest <= 50, `${busiest} chat.update calls in one minute`);
    for (const t of done) {
      const progressTs = (t.meta["slack"] as { progressTs: string }).progressTs;
      const card = await h.slack.message(work, progressTs);
      assert.match(card!.text, /^Done \(4\/4 steps done\)/, `task ${t.text}'s final state is shown`);
    }
    assert.ok(updates.length > done.length, "live updates went out too, not only the final states");
  });
});
