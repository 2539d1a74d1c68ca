// `deep-agent start` as a real process with Slack configured: a signed mention on its PORT
// becomes a task whose result lands in the thread; in Socket Mode it connects with the app
// token instead; without a bot token it runs without Slack and says so; with a token Slack
// refuses it stops with one clear line.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startMessagesApi, type MessagesApi } from "../doubles/messages-api.ts";
import { startSlackWorkspace, type SlackWorkspace } from "../doubles/slack/slack-workspace.ts";
import { startSocketModeServer } from "../doubles/slack/socket-mode-server.ts";
import { slackSender, eventCallback } from "../doubles/slack/signed-requests.ts";
import { createTarget, type TestTarget } from "../helpers/test-database.ts";
import { startWorker, workerEnv, type WorkerProcess } from "../worker/processes.ts";
import { waitFor } from "../helpers/wait-for.ts";
import { runCli } from "../helpers/run-cli.ts";

const SECRET = "process-test-signing-secret";
const LIMIT = { timeout: 120_000 };

function portOf(log: string): number {
  const match = /"port":(\d+)[^\n]*http server listening/.exec(log);
  if (!match) throw new Error(`no port in:\n${log}`);
  return Number(match[1]);
}

describe("deep-agent start with Slack", () => {
  let api: MessagesApi;
  let slack: SlackWorkspace;
  let target: TestTarget;
  const processes: WorkerProcess[] = [];
  before(async () => {
    api = await startMessagesApi({ script: [{ text: "All **done** from the process." }, { text: "Socket mode answer." }] });
    slack = await startSlackWorkspace();
    target = await createTarget("pglite", { migrated: true });
  });
  after(async () => {
    for (const p of processes) p.kill("SIGKILL");
    await api?.close();
    await slack?.close();
    await target?.cleanup();
  });

  const resultShown = (channel: string, ts: string) =>
    waitFor("the ✅ on the mention", async () => ((await slack.message(channel, ts))?.reactions ?? []).some((r) => r.name === "white_check_mark"), 60_000);

  it("HTTP mode: a signed mention on PORT is answered in its thread; SIGTERM stops it cleanly", LIMIT, async () => {
    const env = workerEnv(target, api.baseURL, { SLACK_BOT_TOKEN: slack.botToken, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl });
    const proc = startWorker(env, ["start"]);
    processes.push(proc);
    await proc.ready;
    await waitFor("slack intake", () => proc.log().includes("slack intake ready on POST /slack/events"), { timeoutMs: 60_000, detail: proc.log });
    const work = slack.channels["work"]!;
    const posted = await slack.as("alice").chat.postMessage({ channel: work, text: `<@${slack.bot.userId}> say hello` });
    const send = slackSender(`http://127.0.0.1:${portOf(proc.log())}/slack/events`, SECRET);
    const res = await send.event({ type: "app_mention", channel: work, user: slack.users["alice"], text: `<@${slack.bot.userId}> say hello`, ts: posted.ts }, { teamId: slack.teamId });
    assert.equal(res.status, 200);
    await resultShown(work, posted.ts!);
    const thread = await slack.thread(work, posted.ts!);
    // The answer is the agent's Markdown, in Slack's markdown block.
    assert.match(JSON.stringify(thread.at(-1)!.blocks), /"type":"markdown","text":"All \*\*done\*\* from the process\."/);
    proc.kill("SIGTERM");
    assert.equal((await proc.exited).code, 0, proc.log());
    assert.ok(!proc.log().includes(slack.botToken), "the bot token never reaches the logs");
    assert.ok(!proc.log().includes(SECRET), "the signing secret never reaches the logs");
  });

  it("Socket Mode: connects with the app token and takes events over the socket", LIMIT, async () => {
    const socket = await startSocketModeServer();
    slack.setSocketUrl(socket.url);
    try {
      const env = workerEnv(target, api.baseURL, { SLACK_BOT_TOKEN: slack.botToken, SLACK_APP_TOKEN: slack.appToken, SLACK_API_URL: slack.apiUrl });
      const proc = startWorker(env, ["start"]);
      processes.push(proc);
      await proc.ready;
      await socket.connected();
      const work = slack.channels["work"]!;
      const posted = await slack.as("bob").chat.postMessage({ channel: work, text: `<@${slack.bot.userId}> socket task` });
      const body = eventCallback({ type: "app_mention", channel: work, user: slack.users["bob"], text: `<@${slack.bot.userId}> socket task`, ts: posted.ts }, { teamId: slack.teamId });
      await socket.send("events_api", body);
      await resultShown(work, posted.ts!);
      proc.kill("SIGTERM");
      assert.equal((await proc.exited).code, 0, proc.log());
    } finally {
      await socket.close();
    }
  });

  it("without SLACK_BOT_TOKEN it runs without Slack and says so in one line", LIMIT, async () => {
    const env = workerEnv(target, api.baseURL, {});
    const proc = startWorker(env, ["start"]);
    processes.push(proc);
    await proc.ready;
    await waitFor("the log line", () => proc.log().includes("Slack intake off: SLACK_BOT_TOKEN is not set"), { timeoutMs: 60_000, detail: proc.log });
    const slackLines = proc
      .log()
      .split("\n")
      .filter((l) => /slack/i.test(l));
    assert.equal(slackLines.filter((l) => /intake/i.test(l)).length, 1, slackLines.join("\n"));
    proc.kill("SIGTERM");
    assert.equal((await proc.exited).code, 0);
  });

  it("stops with one clear line when Slack refuses the bot token", LIMIT, async () => {
    const env = workerEnv(target, api.baseURL, { SLACK_BOT_TOKEN: "xoxb-not-a-real-token", SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl });
    const result = await runCli(["start"], { env, timeoutMs: 60_000 });
    assert.equal(result.code, 2, result.stderr);
    // (The emulator takes any token for its default user, which is not a bot: the same refusal.)
    assert.match(result.stderr, /SLACK_BOT_TOKEN: Slack did not accept the bot token/);
    assert.ok(!result.stderr.includes("xoxb-not-a-real-token"));
  });
});
