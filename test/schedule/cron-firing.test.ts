// A schedule really firing through pg-boss's cron on real Postgres, with two `deep-agent start`
// processes running at once: every occurrence gives exactly one pg-boss job and one run, the first run posts
// its "Scheduled: …" message in the channel and queues its task, and an occurrence that comes while
// that task is still queued is skipped. Needs TEST_DATABASE_URL.
//
// The processes run pg-boss's cron pass every second (TEST_SCHEDULE_TICK_SECONDS=1) instead of every
// 30 s. A pass sends every occurrence of the last 60 s (pg-boss's due window) and the one-minute cron
// always has one there, so the first run comes within seconds of the start; the test then lets several
// more passes, from either process, find that occurrence (or the next) due again, and checks that they
// all came to one job and one run per occurrence. It never waits for a wall-clock minute: where the
// test used to wait out the whole due window for a second pass at the 30 s cadence, it now sees five
// or more passes in about six seconds.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createTarget, type TestTarget } from "../helpers/test-database.ts";
import { runCli, cleanEnv, nodeFlags } from "../helpers/run-cli.ts";
import { withDb } from "../worker/scripted-tasks.ts";
import { startSlackWorkspace, type SlackWorkspace } from "../doubles/slack/slack-workspace.ts";
import { waitFor } from "../helpers/wait-for.ts";

const mainPath = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
/** Cron passes (and send-it and scheduler polls) a second apart. */
const TICK_SECONDS = 1;
/** Passes that must run after the first run, each a chance to send a due occurrence again. */
const MORE_PASSES = 5;

interface Proc {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<void>;
  log(): string;
}

/** `deep-agent start` without workers (the tasks stay queued) or Slack intake: the scheduler role. */
function startScheduler(env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, [...nodeFlags, mainPath, "start", "--no-worker", "--no-slack"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`scheduler did not start in 60 s:\n${output}`)), 60_000);
    const watch = (chunk: string) => {
      output += chunk;
      if (output.includes('"msg":"scheduler started"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.setEncoding("utf8").on("data", watch);
    child.stderr!.setEncoding("utf8").on("data", watch);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`scheduler exited (${code}) before starting:\n${output}`));
    });
  });
  ready.catch(() => {});
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return { child, ready, exited, log: () => output };
}

describe("a schedule firing through pg-boss's cron on Postgres", { skip: !process.env["TEST_DATABASE_URL"] && "needs TEST_DATABASE_URL (a real Postgres server)" }, () => {
  let target: TestTarget;
  let slack: SlackWorkspace;
  let channel: string;
  const procs: Proc[] = [];

  before(async () => {
    target = await createTarget("postgres");
    slack = await startSlackWorkspace();
    channel = slack.channels["work"]!;
  });
  after(async () => {
    for (const p of procs) p.child.kill("SIGKILL");
    await slack?.close();
    await target?.cleanup();
  });

  it("fires each occurrence once with two processes, posting the run in the channel", { timeout: 120_000 }, async () => {
    const env = cleanEnv({
      ...target.env,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_API_URL: slack.apiUrl,
      LOG_LEVEL: "info",
      PORT: "0",
      HOST: "127.0.0.1",
      TEST_SCHEDULE_TICK_SECONDS: String(TICK_SECONDS),
    });
    const added = await runCli(["schedule", "add", "* * * * *", "minutely heartbeat", "--tz", "UTC", "--channel", channel], { env, timeoutMs: 60_000 });
    assert.equal(added.code, 0, added.stderr);
    const id = /^scheduled ([a-z2-9]{8})/.exec(added.stdout)![1]!;

    procs.push(startScheduler(env), startScheduler(env));
    await Promise.all(procs.map((p) => p.ready));

    const runs = () =>
      withDb(target, async (db) => {
        const { rows } = await db.query<{ job_id: string; occurrence: Date; outcome: string; task_id: string | null; thread_ts: string | null }>(
          "SELECT job_id, occurrence, outcome, task_id, thread_ts FROM schedule_runs WHERE schedule_id = $1 ORDER BY occurrence",
          [id],
        );
        return rows;
      });

    const logs = () => procs.map((p) => p.log()).join("\n---\n");
    const scheduleJobs = () =>
      withDb(target, async (db) => {
        const { rows } = await db.query<{ id: string; state: string }>("SELECT id, state FROM pgboss.job WHERE name = 'deep-agent-schedules' AND data->>'scheduleId' = $1", [id]);
        return rows;
      });

    // The first occurrence: the first pass of either process finds the current minute's due.
    await waitFor("the first run", async () => (await runs())[0], { timeoutMs: 60_000, intervalMs: 100, detail: logs });

    // More passes, each able to send a due occurrence again (the first, or the next minute's if it came).
    const passes = new Set<number>();
    const cronOn = () => withDb(target, async (db) => (await db.query<{ cron_on: Date | null }>("SELECT cron_on FROM pgboss.version")).rows[0]?.cron_on ?? null);
    const since = (await cronOn())?.getTime() ?? 0;
    await waitFor(
      `${MORE_PASSES} more cron passes`,
      async () => {
        const on = (await cronOn())?.getTime() ?? 0;
        if (on > since) passes.add(on);
        return passes.size >= MORE_PASSES;
      },
      { timeoutMs: 60_000, intervalMs: 100, detail: logs },
    );

    // Stop once everything sent has been handled, and not right at a minute (a new occurrence's
    // job could then be sent as the processes stop, and be left for the next process to handle).
    await waitFor(
      "every firing handled, away from a minute boundary",
      async () => {
        const second = new Date().getSeconds();
        if (second < 3 || second > 56) return false;
        const { rows } = await withDb(target, (db) =>
          db.query<{ n: number }>("SELECT count(*)::int AS n FROM pgboss.job WHERE name IN ('__pgboss__send-it', 'deep-agent-schedules') AND state IN ('created', 'retry', 'active')"),
        );
        if (Number(rows[0]!.n) > 0) return false;
        return (await scheduleJobs()).length === (await runs()).length;
      },
      { timeoutMs: 30_000, intervalMs: 100, detail: logs },
    );
    for (const p of procs) p.child.kill("SIGTERM");
    await Promise.all(procs.map((p) => p.exited));

    const all = await runs();
    const jobs = (await scheduleJobs()).map((r) => r.id).sort();
    const occurrences = all.map((r) => new Date(r.occurrence).toISOString());
    assert.equal(new Set(occurrences).size, occurrences.length, `one run per occurrence: ${occurrences.join(", ")}`);
    assert.deepEqual(all.map((r) => r.job_id).sort(), jobs, "one pg-boss job per run, none unhandled");
    assert.ok(all.length >= 1 && all.length <= 2, `runs: ${all.length}`);

    // The first run started a task in the thread of its "Scheduled: …" message.
    assert.equal(all[0]!.outcome, "started");
    const tasks = await withDb(target, async (db) => (await db.query<{ id: string; source: string; thread_ts: string }>("SELECT id, source, thread_ts FROM tasks")).rows);
    assert.equal(tasks.length, 1, "one task");
    assert.equal(tasks[0]!.source, "schedule");
    const parents = (await slack.history(channel)).filter((m) => m.text.startsWith("Scheduled: minutely heartbeat ("));
    assert.equal(parents.length, 1, "one parent message");
    assert.equal(tasks[0]!.thread_ts, parents[0]!.ts);
    assert.match(parents[0]!.text, /\(\w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC\)$/);

    // With no worker the task is still queued, so a second occurrence (if it came) was skipped.
    if (all[1]) {
      assert.equal(all[1].outcome, "skipped");
      const notes = (await slack.thread(channel, parents[0]!.ts)).slice(1);
      assert.match(notes.map((n) => n.text).join("\n"), /Skipped the run of/);
    }
  });
});
