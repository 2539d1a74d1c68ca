// Intake latency, the product beside a bare Bolt app (bench/bare-bolt-app.ts: verify, ack, one
// insert, one Web API call) in the same run, on the same database kind:
//  - signed app_mention POSTed to /slack/events → HTTP 200, at a steady RATE requests/s for
//    SECONDS s, each a distinct message (for the product, `deep-agent start --no-worker`, each
//    becomes a task). Work after the ack runs alongside the following requests, as in production.
//  - mention → first Slack Web API call about that message, FIRST mentions one at a time.
// Each side runs RUNS times, alternating; medians over runs and the ratio product/bare are printed.
// The Slack double and the recorder (slack-recorder.ts) run in a process of their own; this one only sends and times.
// Run: npx node bench/slack-intake.ts [pglite|postgres]   (RATE=50 SECONDS=10 RUNS=3 FIRST=20; postgres needs TEST_DATABASE_URL)
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { WebClient } from "@slack/web-api";
import { slackSender } from "../test/doubles/slack/signed-requests.ts";
import { createTarget, type TargetKind, type TestTarget } from "../test/helpers/test-database.ts";
import { startWorker, workerEnv } from "../test/worker/processes.ts";
import { waitFor } from "../test/helpers/wait-for.ts";
import { nodeFlags } from "../test/helpers/run-cli.ts";
import { openDatabase } from "../src/store/open-database.ts";
import { median, percentile } from "./stats.ts";
import type { RecordedCall } from "./slack-recorder.ts";

const RATE = Number(process.env["RATE"] ?? 50);
const SECONDS = Number(process.env["SECONDS"] ?? 10);
const RUNS = Number(process.env["RUNS"] ?? 3);
const FIRST = Number(process.env["FIRST"] ?? 20);
const TOTAL = RATE * SECONDS;
const SECRET = "bench-signing-secret";

interface Workspace {
  apiUrl: string;
  recorderUrl: string;
  emulatorUrl: string;
  botToken: string;
  teamId: string;
  bot: { userId: string };
  users: Record<string, string>;
  channels: Record<string, string>;
}

async function firstLine(child: ChildProcess, what: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`${what} exited (${code})`)));
  });
}

async function startWorkspace(): Promise<{ slack: Workspace; child: ChildProcess }> {
  const script = fileURLToPath(new URL("./slack-workspace-server.ts", import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ["pipe", "pipe", "inherit"] });
  return { slack: JSON.parse(await firstLine(child, "workspace")) as Workspace, child };
}

type Side = "bare" | "deep-agent";
interface Started {
  port: number;
  stop(): Promise<void>;
}

async function startSide(side: Side, target: TestTarget, slack: Workspace, apiUrl: string): Promise<Started> {
  if (side === "bare") {
    const script = fileURLToPath(new URL("./bare-bolt-app.ts", import.meta.url));
    const env = { ...process.env, ...target.env, SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: slack.botToken, SLACK_API_URL: apiUrl };
    const child = spawn(process.execPath, [...nodeFlags, script], { env, stdio: ["ignore", "pipe", "inherit"] });
    const { port } = JSON.parse(await firstLine(child, "bare bolt app")) as { port: number };
    const exited = new Promise((r) => child.once("exit", r));
    const stop = async () => {
      child.kill("SIGTERM");
      await exited;
    };
    return { port, stop };
  }
  const env = workerEnv(target, "http://127.0.0.1:9", {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: apiUrl,
    MAX_TASKS_PER_USER: String(TOTAL * 2),
    MAX_QUEUE_DEPTH: String(TOTAL * 4),
    LOG_LEVEL: "info",
    // e.g. PRODUCT_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" to see where the product's time goes.
    ...(process.env["PRODUCT_NODE_OPTIONS"] ? { NODE_OPTIONS: process.env["PRODUCT_NODE_OPTIONS"] } : {}),
  });
  const app = startWorker(env, ["start", "--no-worker"]);
  await waitFor("the app", () => app.log().includes("slack intake ready"), 60_000);
  const port = Number(/"port":(\d+)[^\n]*http server listening/.exec(app.log())![1]);
  const stop = async () => {
    app.kill("SIGTERM");
    await app.exited;
  };
  return { port, stop };
}

interface Figures {
  p50: number;
  p99: number;
  max: number;
  first: number;
  statuses: string;
}

async function measure(side: Side, kind: TargetKind, slack: Workspace): Promise<Figures> {
  const target = await createTarget(kind);
  const app = await startSide(side, target, slack, slack.recorderUrl);
  const callsSince = async (since: number) => (await (await fetch(`${slack.recorderUrl.replace(/\/api\/$/, "")}/__calls?since=${since}`)).json()) as RecordedCall[];
  try {
    const send = slackSender(`http://127.0.0.1:${app.port}/slack/events`, SECRET);
    const work = slack.channels["work"]!;
    const people = Object.keys(slack.users);
    const clients = new Map(people.map((p) => [p, new WebClient(`xoxp-${p}`, { slackApiUrl: `${slack.emulatorUrl}/api/` })]));
    const botId = side === "bare" ? "UBARE" : slack.bot.userId;
    // The messages exist in Slack before their events arrive, as they would.
    const mention = async (i: number, label: string) => {
      const person = people[i % people.length]!;
      const text = `<@${botId}> ${label} ${i}`;
      const posted = await clients.get(person)!.chat.postMessage({ channel: work, text });
      return { type: "app_mention", channel: work, user: slack.users[person], text, ts: posted.ts as string };
    };
    const events: Array<Record<string, unknown>> = [];
    for (let i = 0; i < TOTAL; i++) events.push(await mention(i, "bench task"));
    // Warm-up: the first requests pay for compilation and connection set-up.
    for (let i = 0; i < 25; i++) await send.event(await mention(i, "warm-up"), { teamId: slack.teamId });

    // Mention → first Web API call about it, one mention at a time.
    const firsts: number[] = [];
    for (let i = 0; i < FIRST; i++) {
      const event = await mention(i, "first call");
      const t0 = performance.timeOrigin + performance.now();
      await send.event(event, { teamId: slack.teamId });
      const call = await waitFor("a Slack call about the mention", async () => (await callsSince(t0)).find((c) => c.body.includes(event.ts)), { timeoutMs: 30_000, intervalMs: 5 });
      firsts.push(call.at - t0);
      await new Promise((r) => setTimeout(r, 50));
    }

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
    const recorded = side === "deep-agent" ? await allRecorded(target, performance.now() - started) : "";
    return {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
      first: median(firsts),
      statuses: `${[...statuses].map(([s, n]) => `${s}×${n}`).join(", ")}${recorded}`,
    };
  } finally {
    await app.stop();
    await target.cleanup();
  }
}

/** Every mention of the load phase became a task (the product must have done the work, not only acked): when. */
async function allRecorded(target: TestTarget, sinceStart: number): Promise<string> {
  const t0 = performance.now();
  const db = await openDatabase(target.config, { role: "command" });
  let n = 0;
  try {
    await waitFor(
      "all tasks recorded",
      async () => {
        const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM tasks WHERE text LIKE 'bench task %'");
        n = Number(rows[0]?.n ?? 0);
        return n >= TOTAL;
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    ).catch(() => {});
  } finally {
    await db.close();
  }
  return `; ${n}/${TOTAL} tasks recorded ${((sinceStart + performance.now() - t0) / 1000).toFixed(1)} s after the first request`;
}

const kinds: TargetKind[] =
  process.argv[2] === "postgres" ? ["postgres"] : process.argv[2] === "pglite" ? ["pglite"] : process.env["TEST_DATABASE_URL"] ? ["pglite", "postgres"] : ["pglite"];

const f = (n: number) => n.toFixed(1);
for (const kind of kinds) {
  const { slack, child } = await startWorkspace();
  try {
    const runs: Record<Side, Figures[]> = { bare: [], "deep-agent": [] };
    for (let run = 0; run < RUNS; run++) {
      for (const side of ["bare", "deep-agent"] as const) {
        const r = await measure(side, kind, slack);
        runs[side].push(r);
        console.log(`  run ${run + 1} ${side.padEnd(10)} HTTP 200 p50 ${f(r.p50)} ms, p99 ${f(r.p99)} ms, max ${f(r.max)} ms; first Slack call ${f(r.first)} ms (${r.statuses})`);
      }
    }
    const med = (side: Side, key: "p50" | "p99" | "max" | "first") => median(runs[side].map((r) => r[key]));
    console.log(`slack intake on ${kind}: ${TOTAL} signed app_mention events at ${RATE}/s, medians of ${RUNS} runs (bare Bolt app | deep-agent start --no-worker | ratio)`);
    for (const [label, key] of [
      ["request → HTTP 200 p50", "p50"],
      ["request → HTTP 200 p99", "p99"],
      ["request → HTTP 200 max", "max"],
      ["mention → first Slack call", "first"],
    ] as const) {
      const bare = med("bare", key);
      const product = med("deep-agent", key);
      console.log(`  ${label.padEnd(28)} ${f(bare).padStart(7)} ms | ${f(product).padStart(7)} ms | ×${(product / bare).toFixed(2)}`);
    }
  } finally {
    child.kill("SIGTERM");
  }
}
