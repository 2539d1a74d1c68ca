// Who sees what in `/agent queue`, `/agent status` and `/agent cancel`, tried as the asker, a
// colleague in the same channel, someone elsewhere, and an admin; and people off the allow-list,
// who get the refusal for every command.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startHarness, type Harness } from "./slack-harness.ts";

const LIMIT = { timeout: 60_000 };

describe("privacy of the queue", () => {
  let h: Harness;
  let work: string;
  let ops: string;
  let channelTask: string;
  let dmTask: string;
  const ask = async (person: string, channel: string, text: string) => h.replyTo((await h.command(person, channel, text)).id);

  before(async () => {
    // No worker: the tasks stay queued while the commands look at them. Carol is an admin.
    h = await startHarness({ env: (slack) => ({ SLACK_ADMIN_USERS: slack.users["carol"]! }) });
    work = h.slack.channels["work"]!;
    ops = h.slack.channels["ops"]!;
    const mention = await h.mention("alice", work, "rotate the staging certificates");
    channelTask = (await h.waitFor("the channel task", () => h.taskFor(work, mention.ts))).id;
    const dm = (await h.slack.as("alice").conversations.open({ users: h.slack.bot.userId })).channel!.id!;
    const { ts, event } = await h.say("alice", dm, "draft my performance review");
    await h.send.event({ ...event, channel_type: "im" }, { teamId: h.slack.teamId });
    dmTask = (await h.waitFor("the DM task", () => h.taskFor(dm, ts))).id;
  });
  after(() => h?.close());

  it("the asker sees both of her tasks, wherever she asks", LIMIT, async () => {
    const queue = await ask("alice", ops, "queue");
    assert.match(queue, /rotate the staging certificates/);
    assert.match(queue, /draft my performance review/);
    assert.match(await ask("alice", ops, `status ${dmTask.slice(0, 8)}`), /draft my performance review/);
  });

  it("a colleague in the channel sees the channel's task, never the DM task", LIMIT, async () => {
    const queue = await ask("bob", work, "queue");
    assert.match(queue, /rotate the staging certificates/);
    assert.doesNotMatch(queue, /performance review/);
    assert.match(queue, /1 task of other people or channels/);
    assert.match(await ask("bob", work, `status ${channelTask.slice(0, 8)}`), /rotate the staging certificates/);
    const unknown = await ask("bob", work, "status 0000aaaa");
    assert.equal(await ask("bob", work, `status ${dmTask.slice(0, 8)}`), unknown.replace("0000aaaa", dmTask.slice(0, 8)), "answered exactly like an unknown id");
    assert.equal(await ask("bob", work, `cancel ${dmTask.slice(0, 8)}`), unknown.replace("0000aaaa", dmTask.slice(0, 8)));
    assert.match(await ask("bob", work, `cancel ${channelTask.slice(0, 8)}`), /Only <@U\w+>, who asked for it, or an admin can cancel/);
  });

  it("someone in another channel sees only counts", LIMIT, async () => {
    const queue = await ask("bob", ops, "queue");
    assert.doesNotMatch(queue, /certificates|performance review|<@/);
    assert.match(queue, /0 running, 2 queued/);
    assert.match(queue, /2 tasks of other people or channels/);
    assert.match(await ask("bob", ops, `status ${channelTask.slice(0, 8)}`), /^No task with id/);
  });

  it("an admin sees everything", LIMIT, async () => {
    const queue = await ask("carol", ops, "queue");
    assert.match(queue, /rotate the staging certificates/);
    assert.match(queue, /draft my performance review/);
    assert.match(await ask("carol", ops, `status ${dmTask.slice(0, 8)}`), /draft my performance review/);
  });
});

describe("people off the allow-list", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: (slack) => ({ ALLOWED_SLACK_USERS: slack.users["alice"]! }) });
  });
  after(() => h?.close());

  it("get the refusal for queue, status, cancel and help alike", LIMIT, async () => {
    const work = h.slack.channels["work"]!;
    for (const text of ["queue", "status", "status 0000aaaa", "cancel 0000aaaa", "help"]) {
      const { ack } = await h.command("bob", work, text);
      assert.match(String(ack?.["text"] ?? ""), /allow-list/, `/agent ${text}`);
    }
  });
});
