// Feedback buttons on results and the App Home tab, through the real Bolt app over signed HTTP:
// each press is stored with the task and the person (a second press replaces the first) and
// counted in /metrics; the Home tab is published when opened, showing the viewer's own tasks (and
// no one else's text), with Cancel on the open ones, which works from there.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startHarness, type Harness } from "./slack-harness.ts";
import type { RecordedRequest, Reply } from "../doubles/messages-api.ts";

const LIMIT = { timeout: 90_000 };

let releaseWait = () => {};
const waiting = new Promise<void>((resolve) => (releaseWait = resolve));

async function script(req: RecordedRequest): Promise<Reply> {
  if (JSON.stringify(req.body.messages[0]?.content ?? "").includes("[wait]")) {
    await waiting;
    return { text: "finally" };
  }
  return { text: "Here is the answer." };
}

describe("feedback and the App Home tab", () => {
  let h: Harness;
  let work: string;
  before(async () => {
    h = await startHarness({ worker: true, script });
    work = h.slack.channels["work"]!;
  });
  after(async () => {
    releaseWait();
    await h?.close();
  });

  const feedbackOf = async (taskId: string) =>
    (await h.stack.db.query<{ user_id: string; value: string }>("SELECT user_id, value FROM task_feedback WHERE task_id = $1 ORDER BY user_id", [taskId])).rows.map((r) => [
      r.user_id,
      r.value,
    ]);

  it("stores each press with the task and the person; a second press replaces the first; /metrics counts them", LIMIT, async () => {
    const { ts } = await h.mention("alice", work, "summarise the incident");
    const task = await h.waitForFinish((await h.waitFor("the task", () => h.taskFor(work, ts))).id);
    const result = (await h.thread(work, ts)).filter((m) => m.user === h.slack.bot.userId).at(-1)!;
    const buttons = JSON.stringify(result.blocks);
    assert.match(buttons, new RegExp(`"value":"positive:${task.id}"`));
    assert.match(buttons, new RegExp(`"value":"negative:${task.id}"`));

    const press = (person: string, value: string) => h.press(person, { actionId: "deep_agent_feedback", type: "feedback_buttons", value, channel: work, messageTs: result.ts });
    const first = await press("alice", `positive:${task.id}`);
    assert.equal(first.status, 200);
    assert.match(await h.replyTo(first.id), /Thanks for the feedback/);
    await press("alice", `negative:${task.id}`);
    await press("bob", `positive:${task.id}`);
    await h.idle();
    assert.deepEqual(
      await feedbackOf(task.id),
      [
        [h.slack.users["alice"], "negative"],
        [h.slack.users["bob"], "positive"],
      ].sort(),
    );

    const metrics = await fetch(`http://127.0.0.1:${h.http.port}/metrics`).then((r) => r.text());
    assert.match(metrics, /deep_agent_feedback\{value="positive"\} 1/);
    assert.match(metrics, /deep_agent_feedback\{value="negative"\} 1/);
  });

  it("ignores presses that are not ours: a made-up value, an unknown task, someone else's row", LIMIT, async () => {
    const { ts } = await h.mention("carol", work, "check the dashboards");
    const task = await h.waitForFinish((await h.waitFor("the task", () => h.taskFor(work, ts))).id);
    for (const value of [
      "positive",
      `maybe:${task.id}`,
      "positive:00000000-0000-4000-8000-000000000000",
      `positive:${task.id}'; DROP TABLE task_feedback; --`,
      `positive:${task.id}`.repeat(50),
      "\u0000",
    ]) {
      await h.press("bob", { actionId: "deep_agent_feedback", type: "feedback_buttons", value, channel: work, messageTs: ts });
    }
    await h.idle();
    assert.deepEqual(await feedbackOf(task.id), []);
  });

  it("publishes the Home tab when it is opened: the viewer's own tasks, the queue without others' text, their schedules", LIMIT, async () => {
    const alices = await h.mention("alice", work, "[wait] rotate the certificates");
    const open = await h.waitFor("alice's running task", async () => {
      const t = await h.taskFor(work, alices.ts);
      return t?.status === "running" ? t : null;
    });
    const bobs = await h.mention("bob", work, "[wait] bob's secret project");
    await h.waitFor("bob's task", () => h.taskFor(work, bobs.ts));
    const schedule = await h.command("alice", work, 'schedule "0 9 * * 1" write the weekly digest');
    assert.match(await h.replyTo(schedule.id), /scheduled/);

    const status = await h.deliver({ type: "app_home_opened", user: h.slack.users["alice"], channel: "D0HOME", tab: "home", event_ts: `${Date.now() / 1000}` });
    assert.equal(status, 200);
    await h.idle();
    const view = h.slack.homeOf(h.slack.users["alice"]!);
    assert.ok(view, "a view was published for alice");
    assert.equal(view["type"], "home");
    const shown = JSON.stringify(view);
    assert.match(shown, /rotate the certificates/);
    assert.match(shown, /summarise the incident/, "her finished task too");
    assert.match(shown, /write the weekly digest/, "her schedule");
    assert.doesNotMatch(shown, /secret project|check the dashboards/, "nobody else's tasks");
    assert.match(shown, /tasks? of other people or channels/);
    assert.match(shown, /open the thread/);
    assert.match(shown, new RegExp(`"action_id":"deep_agent_home_cancel".*?"value":"${open.id}"`));
    assert.equal(h.slack.homeOf(h.slack.users["bob"]!), undefined, "only the viewer's tab");

    // Cancel from the tab: the task stops, and the tab is published again saying so.
    const publishes = h.slack.callsOf("views.publish").length;
    await h.press("alice", { actionId: "deep_agent_home_cancel", value: open.id });
    const done = await h.waitForFinish(open.id);
    assert.equal(done.status, "cancelled");
    await h.waitFor("the tab published again", async () => h.slack.callsOf("views.publish").length > publishes);
    assert.match(JSON.stringify(h.slack.homeOf(h.slack.users["alice"]!)), /Cancell?ing task/);

    // Bob cannot cancel alice's task from his tab (it is not his, and he is no admin).
    const other = await h.mention("alice", work, "[wait] another long one");
    const otherTask = await h.waitFor("alice's second task", () => h.taskFor(work, other.ts));
    await h.press("bob", { actionId: "deep_agent_home_cancel", value: otherTask.id });
    await h.idle();
    assert.match(JSON.stringify(h.slack.homeOf(h.slack.users["bob"]!)), /No task with id/);
    assert.equal((await h.task(otherTask.id))!.cancelRequestedAt, null);
  });
});
