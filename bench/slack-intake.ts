// Intake latency: a signed app_mention POSTed to /slack/events of a real `deep-agent start
// --no-worker` process until its HTTP 200, at a steady 50 requests/s for 20 s, each a distinct
// message that becomes a task. The app's work after the ack (recording the task, 👀, the
// progress message) runs alongside the following requests, as in production. The Slack double
// runs in a process of its own; this process only sends and times.
// Run: npx node bench/slack-intake.ts [pglite|postgres]   (RATE=50 SECONDS=20; postgres needs TEST_DATABASE_URL)
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { WebClient } from "@slack/web-api";
import { slackSender } from "../test/doubles/slack/signed-requests.ts";
import { createTarget, type TargetKind } from "../test/helpers/test-database.ts";
import { startWorker, workerEnv } from "../test/worker/processes.ts";
import { waitFor } from "../test/helpers/wait-for.ts";
import { openDatabase } from "../src/store/open-database.ts";
import { percentile } from "./stats.ts";

const RATE = Number(process.env["RATE"] ?? 50);
const SECONDS = Number(process.env["SECONDS"] ?? 20);
const TOTAL = RATE * SECONDS;
const SECRET = "bench-signing-secret";

interface Workspace {
  apiUrl: string;
  emulatorUrl: string;
  botToken: string;
  teamId: string;
  bot: { userId: string };
  users: Record<string, string>;
  channels: Record<string, string>;
}

async function startWorkspace(): Promise<{ slack: Workspace; child: ChildProcess }> {
  const script = fileURLToPath(new URL("./slack-workspace-server.ts", import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ["pipe", "pipe", "inherit"] });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`workspace exited (${code})`)));
  });
  return { slack: JSON.parse(first) as Workspace, child };
}

const kinds: TargetKind[] =
  process.argv[2] === "postgres" ? ["postgres"] : process.argv[2] === "pglite" ? ["pglite"] : process.env["TEST_DATABASE_URL"] ? ["pglite", "postgres"] : ["pglite"];

for (const kind of kinds) {
  const { slack, child } = await startWorkspace();
  const target = await createTarget(kind);
  const env = workerEnv(target, "http://127.0.0.1:9", {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    MAX_TASKS_PER_USER: String(TOTAL),
    MAX_QUEUE_DEPTH: String(TOTAL * 2),
    LOG_LEVEL: "info",
  });
  const app = startWorker(env, ["start", "--no-worker"]);
  try {
    await waitFor("the app", () => app.log().includes("slack intake ready"), 60_000);
    const port = Number(/"port":(\d+)[^\n]*http server listening/.exec(app.log())![1]);
    const send = slackSender(`http://127.0.0.1:${port}/slack/events`, SECRET);
    const work = slack.channels["work"]!;
    const people = Object.keys(slack.users);
    const clients = new Map(people.map((p) => [p, new WebClient(`xoxp-${p}`, { slackApiUrl: `${slack.emulatorUrl}/api/` })]));

    // The messages exist in Slack before their events arrive, as they would.
    const mention = async (i: number, label: string) => {
      const person = people[i % people.length]!;
      const text = `<@${slack.bot.userId}> ${label} ${i}`;
      const posted = await clients.get(person)!.chat.postMessage({ channel: work, text });
      return { type: "app_mention", channel: work, user: slack.users[person], text, ts: posted.ts };
    };
    const events: Array<Record<string, unknown>> = [];
    for (let i = 0; i < TOTAL; i++) events.push(await mention(i, "bench task"));
    // Warm-up: the first requests pay for compilation and connection set-up.
    for (let i = 0; i < 25; i++) await send.event(await mention(i, "warm-up"), { teamId: slack.teamId });

    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const started = performance.now();
    const inflight: Array<Promise<void>> = [];
    for (let i = 0; i < TOTAL; i++) {
      const wait = started + (i * 1000) / RATE - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inflight.push(
        (async () => {
          const t0 = performance.now();
          const res = await send.event(events[i]!, { teamId: slack.teamId });
          latencies.push(performance.now() - t0);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        })(),
      );
    }
    await Promise.all(inflight);
    const sent = (performance.now() - started) / 1000;

    const db = await openDatabase(target.config, { role: "command" });
    let recorded = 0;
    try {
      await waitFor(
        "all tasks recorded",
        async () => {
          const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM tasks WHERE text LIKE 'bench task %'");
          recorded = Number(rows[0]?.n ?? 0);
          return recorded >= TOTAL;
        },
        { timeoutMs: 120_000, intervalMs: 100 },
      ).catch(() => {});
    } finally {
      await db.close();
    }
    const caughtUp = (performance.now() - started) / 1000;

    console.log(`slack intake on ${kind}: ${TOTAL} signed app_mention events at ${RATE}/s over ${sent.toFixed(1)} s to \`deep-agent start --no-worker\``);
    console.log(`  HTTP status: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(", ")}`);
    console.log(`  request → HTTP 200: median ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms`);
    console.log(`  tasks recorded: ${recorded}/${TOTAL}, all of them ${caughtUp.toFixed(1)} s after the first request`);
  } finally {
    app.kill("SIGTERM");
    await app.exited;
    child.kill("SIGTERM");
    await target.cleanup();
  }
}
