// `/agent` and the Cancel button through the real Bolt app over signed HTTP: every subcommand,
// bad input answered with the usage (only to the caller, nothing changed), and cancelling
// allowed for the requester and admins only.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startHarness, type Harness } from "./slack-harness.ts";

const LIMIT = { timeout: 60_000 };

const pings: Array<{ args: string; caller: unknown }> = [];

describe("/agent", () => {
  let h: Harness;
  let work: string;
  before(async () => {
    h = await startHarness({
      env: (slack) => ({ SLACK_ADMIN_USERS: slack.users["carol"]! }),
      // Another part of the product (schedules) plugs its subcommands in like this.
      subcommands: {
        ping: {
          help: "• `/agent ping <words>` — a registered subcommand",
          async run(args, caller) {
            pings.push({ args, caller });
            return { text: `pong: ${args}`, visibility: "in_channel" };
          },
        },
      },
    });
    work = h.slack.channels["work"]!;
  });
  after(() => h?.close());

  it("answers help at once, only to the caller", LIMIT, async () => {
    for (const text of ["help", "", "  HELP  "]) {
      const { status, ack } = await h.command("alice", work, text);
      assert.equal(status, 200);
      assert.equal(ack?.["response_type"], "ephemeral");
      assert.match(String(ack?.["text"]), /\/agent task <text>/);
      assert.match(String(ack?.["text"]), /\/agent cancel <id>/);
    }
  });

  it("passes subcommands registered by other parts of the product to them, and lists them in the help", LIMIT, async () => {
    const { ack, id } = await h.command("carol", work, "ping  hello there");
    assert.equal(ack, null);
    assert.equal(await h.replyTo(id), "pong: hello there");
    assert.equal(h.slack.responses.find((r) => r.id === id)!.body["response_type"], "in_channel");
    assert.deepEqual(pings.at(-1), { args: "hello there", caller: { userId: h.slack.users["carol"], channelId: work, admin: true, teamId: h.slack.teamId } });
    const help = await h.command("alice", work, "help");
    assert.match(String(help.ack?.["text"]), /\/agent ping <words>/);
  });

  it("answers bad input with what is wrong and the usage, and changes nothing", LIMIT, async () => {
    const before = (await h.tasks()).length;
    const posts = h.slack.callsOf("chat.postMessage").length;
    const cases: Array<[string, RegExp]> = [
      ["deploy prod", /Unknown subcommand `deploy`/],
      ["task", /needs the task/],
      ["task    ", /needs the task/],
      ["cancel", /needs the id/],
      ["cancel DROP TABLE", /is not a task id/],
      ["status one two", /at most one task id/],
      ["status ../../etc", /is not a task id/],
      ["queue everything", /takes no arguments/],
    ];
    for (const [text, problem] of cases) {
      const { ack } = await h.command("alice", work, text);
      assert.equal(ack?.["response_type"], "ephemeral", text);
      assert.match(String(ack?.["text"]), problem, text);
      assert.match(String(ack?.["text"]), /Usage: `\/agent task <text>`/, text);
    }
    await h.idle();
    assert.equal((await h.tasks()).length, before);
    assert.equal(h.slack.callsOf("chat.postMessage").length, posts, "nothing posted in any channel");
  });

  it("task: posts who asked in the channel and works in that message's thread", LIMIT, async () => {
    // As Slack sends it for a command declared with should_escape: true.
    const { ack } = await h.command("alice", work, "task write release notes for &lt;v2.3&gt; &amp; tag it");
    assert.equal(ack, null, "an empty ack: the answer is the thread itself");
    await h.idle();
    const task = (await h.tasks()).find((t) => t.text === "write release notes for <v2.3> & tag it");
    assert.ok(task, "the task is queued with the text as typed");
    const history = await h.slack.as("alice").conversations.history({ channel: work, limit: 50 });
    const parent = history.messages!.find((m) => m.ts === task.threadTs)!;
    assert.equal(parent.user, h.slack.bot.userId);
    assert.equal(parent.text, `<@${h.slack.users["alice"]}> asked: write release notes for &lt;v2.3&gt; &amp; tag it`);
    const thread = await h.thread(work, parent.ts!);
    assert.match(thread[1]!.text, /Queued/);
    assert.equal((task.meta["slack"] as { origin: string }).origin, "command");
  });

  it("queue: lists queued and running tasks with position, who, age and channel, only to the caller", LIMIT, async () => {
    await h.mention("bob", work, "look at flaky tests");
    await h.idle();
    const { ack, id } = await h.command("carol", work, "queue");
    assert.equal(ack, null);
    const text = await h.replyTo(id);
    const post = h.slack.responses.find((r) => r.id === id)!;
    assert.equal(post.body["response_type"], "ephemeral");
    assert.match(text, /\*Queue\* — 0 running, \d+ queued/);
    const bobsLine = text.split("\n").find((l) => l.includes("look at flaky tests"))!;
    assert.match(bobsLine, /#\d+ queued \d+s ago/);
    assert.ok(bobsLine.includes(`<@${h.slack.users["bob"]}>`));
    assert.ok(bobsLine.includes(`<#${work}>`));
  });

  it("status: one task by id (or id prefix), the caller's own without one, and unknown ids", LIMIT, async () => {
    const { ts } = await h.mention("alice", work, "check the backups");
    await h.idle();
    const task = (await h.taskFor(work, ts))!;
    const byId = await h.command("bob", work, `status ${task.id.slice(0, 8)}`);
    const text = await h.replyTo(byId.id);
    assert.match(text, new RegExp(`Task \`${task.id.slice(0, 8)}\``));
    assert.match(text, /queued \(position \d+\)/);
    assert.match(text, /check the backups/);

    const mine = await h.command("alice", work, "status");
    assert.match(await h.replyTo(mine.id), /check the backups/);

    const unknown = await h.command("alice", work, "status deadbeef");
    assert.match(await h.replyTo(unknown.id), /No task with id `deadbeef`/);
  });

  it("cancel: refused for someone else, done for the requester, with the thread told", LIMIT, async () => {
    const { ts } = await h.mention("alice", work, "rebuild the index");
    await h.idle();
    const task = (await h.taskFor(work, ts))!;

    const bobs = await h.command("bob", work, `cancel ${task.id}`);
    assert.match(await h.replyTo(bobs.id), new RegExp(`Only <@${h.slack.users["alice"]}>, who asked for it, or an admin`));
    await h.idle();
    assert.equal((await h.task(task.id))!.status, "queued");

    const alices = await h.command("alice", work, `cancel ${task.id.slice(0, 8)}`);
    assert.match(await h.replyTo(alices.id), /Cancelled task/);
    await h.idle();
    const cancelled = (await h.task(task.id))!;
    assert.equal(cancelled.status, "cancelled");

    const thread = await h.thread(work, ts);
    assert.match(thread[1]!.text, /^Cancelled/, "the progress message shows the final state");
    assert.doesNotMatch(JSON.stringify(thread[1]!.blocks), /deep_agent_cancel/, "and no Cancel button any more");
    const result = thread.find((m) => m.user === h.slack.bot.userId && /Cancelled by/.test(JSON.stringify(m.blocks)));
    assert.ok(result, "a result message says who cancelled it");
    assert.match(JSON.stringify(result.blocks), new RegExp(`Cancelled by <@${h.slack.users["alice"]}>`));
    assert.deepEqual(
      thread[0]!.reactions?.map((r) => r.name),
      ["x"],
    );

    const again = await h.command("alice", work, `cancel ${task.id}`);
    assert.match(await h.replyTo(again.id), /already finished \(cancelled\)/);
    const unknown = await h.command("alice", work, "cancel 00000000");
    assert.match(await h.replyTo(unknown.id), /No task with id/);
  });

  it("cancel: an admin may cancel anyone's task", LIMIT, async () => {
    const { ts } = await h.mention("bob", work, "reindex search");
    await h.idle();
    const task = (await h.taskFor(work, ts))!;
    const { id } = await h.command("carol", work, `cancel ${task.id}`);
    assert.match(await h.replyTo(id), /Cancelled task/);
    await h.idle();
    assert.equal((await h.task(task.id))!.status, "cancelled");
  });

  it("the Cancel button: refused for another person, cancels for the requester", LIMIT, async () => {
    const { ts } = await h.mention("alice", work, "compress the logs");
    await h.idle();
    const task = (await h.taskFor(work, ts))!;
    const progressTs = (task.meta["slack"] as { progressTs: string }).progressTs;

    const bobClick = await h.click("bob", work, progressTs, task.id);
    assert.equal(bobClick.status, 200);
    assert.match(await h.replyTo(bobClick.id), /Only .* or an admin can cancel/);
    const bobPost = h.slack.responses.find((r) => r.id === bobClick.id)!;
    assert.equal(bobPost.body["response_type"], "ephemeral");
    assert.equal(bobPost.body["replace_original"], false, "the progress message stays as it is");
    await h.idle();
    assert.equal((await h.task(task.id))!.status, "queued");

    const aliceClick = await h.click("alice", work, progressTs, task.id);
    assert.match(await h.replyTo(aliceClick.id), /Cancelled task/);
    await h.idle();
    assert.equal((await h.task(task.id))!.status, "cancelled");
    const progress = await h.slack.message(work, progressTs);
    assert.match(progress!.text, /^Cancelled/);
  });
});
