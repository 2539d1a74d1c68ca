// Slack's AI-app surface through the real Bolt app (its Assistant) and worker: a new assistant
// thread gets suggested prompts; a message in it is a task (titled after it) that knows which
// channel the person had open; while the agent works the thread shows a status line, set again
// before Slack's two minutes run out, and cleared when it is done.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startHarness, type Harness } from "./slack-harness.ts";
import { systemClock, type Clock } from "../../src/slack/thread/update-budget.ts";
import { lastUserText, type RecordedRequest, type Reply } from "../doubles/messages-api.ts";

const LIMIT = { timeout: 90_000 };
// 600 times real time: Slack's two minutes pass in 0.2 s.
const SPEED = 600;
const start = Date.now();
const clock: Clock = { now: () => start + (Date.now() - start) * SPEED, sleep: (ms, signal) => systemClock.sleep(ms / SPEED, signal) };

let release = () => {};
const released = new Promise<void>((resolve) => (release = resolve));
let working = () => {};
const isWorking = new Promise<void>((resolve) => (working = resolve));

async function script(req: RecordedRequest): Promise<Reply> {
  working();
  await released;
  return { text: `answered: ${lastUserText(req).split("\n").at(-1)}` };
}

describe("the AI-app split view", () => {
  let h: Harness;
  let dm: string;
  let work: string;
  before(async () => {
    h = await startHarness({ worker: true, script, clock, statusRefreshMs: 50 });
    work = h.slack.channels["work"]!;
    dm = (await h.slack.as("alice").conversations.open({ users: h.slack.bot.userId })).channel!.id!;
  });
  after(async () => {
    release();
    await h?.close();
  });

  it("suggests prompts in a new thread, takes its messages as tasks, titles it, and shows a status line while working", LIMIT, async () => {
    // The thread Slack opens in the assistant panel, with the channel alice is looking at.
    const root = await h.slack.as("alice").chat.postMessage({ channel: dm, text: "New chat" });
    const thread = { user_id: h.slack.users["alice"], channel_id: dm, thread_ts: root.ts, context: { channel_id: work, team_id: h.slack.teamId } };
    assert.equal(await h.deliver({ type: "assistant_thread_started", assistant_thread: thread, event_ts: root.ts }), 200);
    await h.idle();
    const prompts = h.slack.assistantThread(dm, root.ts!)?.prompts ?? [];
    assert.ok(prompts.length >= 2 && prompts.every((p) => p.title && p.message), JSON.stringify(prompts));

    const { ts, event } = await h.say("alice", dm, "summarise what this channel decided this week", root.ts!);
    await h.deliver({ ...event, channel_type: "im" });
    const task = await h.waitFor("the task", () => h.taskFor(dm, ts));
    assert.equal(task.text, "summarise what this channel decided this week");
    assert.equal(task.threadTs, root.ts);
    await h.waitFor("the thread's title", async () => h.slack.assistantThread(dm, root.ts!)?.title === "summarise what this channel decided this week");

    await isWorking;
    await h.waitFor("the status line", async () => /^is working/.test(h.slack.assistantThread(dm, root.ts!)?.status ?? ""));
    // Minutes later (on this quick clock) it is still there: set again before it ran out.
    const setting = () => h.slack.callsOf("assistant.threads.setStatus").filter((c) => c.params["thread_ts"] === root.ts && c.params["status"] !== "");
    await h.waitFor("the status line set again", async () => setting().length >= 2);
    assert.match(h.slack.assistantThread(dm, root.ts!)!.status, /^is working/);
    const prompt = lastUserText(h.api.requests.find((r) => lastUserText(r).includes("decided this week"))!);
    assert.match(prompt, /while looking at this channel: #work/);

    release();
    const done = await h.waitForFinish(task.id);
    assert.equal(done.result, `answered: <@${h.slack.users["alice"]}>: summarise what this channel decided this week`);
    assert.equal(h.slack.assistantThread(dm, root.ts!)!.status, "", "cleared when the work is done");
    const statusCalls = h.slack.callsOf("assistant.threads.setStatus").filter((c) => c.params["thread_ts"] === root.ts);
    assert.ok(statusCalls.length >= 3, `${statusCalls.length} setStatus calls`);
    assert.equal(statusCalls.at(-1)!.params["status"], "");
  });
});
