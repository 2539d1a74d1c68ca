// Mentions and direct messages reaching the real Bolt app over signed HTTP: each becomes one
// queued task with an 👀 and a progress message in its thread, however often Slack delivers it;
// forged or stale requests are refused; the bot ignores itself and other bots (but not Workflow
// Builder); an empty mention gets the help.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { eachDatabase } from "../helpers/test-database.ts";
import { ENQUEUE_LOCK } from "../../src/store/task-repo.ts";
import { startHarness, SIGNING_SECRET, type Harness } from "./slack-harness.ts";

const LIMIT = { timeout: 60_000 };

eachDatabase((database) =>
  describe(`mentions over HTTP on ${database}`, () => {
    let h: Harness;
    let work: string;
    before(async () => {
      h = await startHarness({ database });
      work = h.slack.channels["work"]!;
    });
    after(() => h?.close());

    it("queues a task for a mention and answers in its thread at once", LIMIT, async () => {
      const { ts, status } = await h.mention("alice", work, "find the *slowest* test & fix it");
      assert.equal(status, 200);
      const task = await h.waitFor("the task", () => h.taskFor(work, ts));
      assert.equal(task.status, "queued");
      assert.equal(task.text, "find the *slowest* test & fix it", "the bot's mention is stripped and entities decoded");
      assert.equal(task.userId, h.slack.users["alice"]);
      assert.equal(task.channelId, work);
      assert.equal(task.threadTs, ts, "a mention in a channel starts its own thread");

      const thread = await h.waitFor("the progress message", async () => {
        const t = await h.thread(work, ts);
        return t.length >= 2 ? t : null;
      });
      const [parent, progress] = thread;
      assert.deepEqual(
        parent!.reactions?.map((r) => r.name),
        ["eyes"],
      );
      assert.equal(progress!.user, h.slack.bot.userId);
      assert.match(progress!.text, /Queued/);
      const cancel = JSON.stringify(progress!.blocks);
      assert.match(cancel, /"action_id":"deep_agent_cancel"/);
      assert.match(cancel, new RegExp(task.id));
    });

    it("makes one task of an event delivered three times, at once or one after another", LIMIT, async () => {
      const { ts, event } = await h.say("bob", work, `<@${h.slack.bot.userId}> summarise the incident`);
      const mention = { ...event, type: "app_mention" };
      delete (mention as Record<string, unknown>)["channel_type"];
      const statuses = await Promise.all([1, 2, 3].map((n) => h.send.event(mention, { teamId: h.slack.teamId, eventId: "EvSAME0001" }, n > 1 ? { retryNum: n - 1 } : {})));
      assert.deepEqual(
        statuses.map((s) => s.status),
        [200, 200, 200],
      );
      const again = await h.send.event(mention, { teamId: h.slack.teamId, eventId: "EvSAME0001" }, { retryNum: 3 });
      assert.equal(again.status, 200);
      // The same message also arrives as a plain message event (a different event id): still one task.
      await h.send.event({ ...event }, { teamId: h.slack.teamId, eventId: "EvTWIN0001" });

      await h.idle();
      const tasks = (await h.tasks()).filter((t) => t.threadTs === ts);
      assert.equal(tasks.length, 1);
      const thread = await h.thread(work, ts);
      assert.equal(thread.filter((m) => m.user === h.slack.bot.userId).length, 1, "one progress message");
      assert.equal(h.slack.callsOf("reactions.add").filter((c) => c.params["timestamp"] === ts).length, 1, "one 👀");
    });

    it("refuses a forged signature and a stale timestamp, and makes no task", LIMIT, async () => {
      const before = (await h.tasks()).length;
      const { event } = await h.say("alice", work, `<@${h.slack.bot.userId}> delete everything`);
      const mention = { ...event, type: "app_mention" };
      const forged = await h.send.event(mention, { teamId: h.slack.teamId }, { secret: "not-the-signing-secret" });
      assert.equal(forged.status, 401);
      const stale = await h.send.event(mention, { teamId: h.slack.teamId }, { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 });
      assert.equal(stale.status, 401);
      const unsigned = await fetch(`http://127.0.0.1:${h.http.port}/slack/events`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "event_callback", event: mention }),
      });
      assert.equal(unsigned.status, 401);
      // Right secret, body changed after signing.
      const body = JSON.stringify({ type: "event_callback", team_id: h.slack.teamId, event: mention, event_id: "EvX" });
      const { sign } = await import("../doubles/slack/signed-requests.ts");
      const ts = Math.floor(Date.now() / 1000);
      const tampered = await fetch(`http://127.0.0.1:${h.http.port}/slack/events`, {
        method: "POST",
        headers: { "content-type": "application/json", ...sign(SIGNING_SECRET, body, ts) },
        body: body.replace("delete", "remove"),
      });
      assert.equal(tampered.status, 401);
      await h.idle();
      assert.equal((await h.tasks()).length, before);
    });

    it("acknowledges mentions and commands while the database is stalled, and catches up after", LIMIT, async () => {
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked = () => {};
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      // Holding the queue's enqueue lock stalls every new task (on the embedded database, which runs
      // one transaction at a time, every query).
      const stall = h.stack.db.transaction(
        async () => {
          locked();
          await released;
        },
        { lock: ENQUEUE_LOCK },
      );
      await isLocked;
      try {
        const mention = await h.mention("alice", work, "stalled but acknowledged");
        assert.equal(mention.status, 200, "acknowledged with the database stalled");
        const queue = await h.command("alice", work, "queue");
        assert.equal(queue.status, 200);
        assert.equal(queue.ack, null);
        assert.equal(await Promise.race([h.idle().then(() => "idle"), new Promise((r) => setTimeout(() => r("still waiting"), 200))]), "still waiting", "the work waits for the database");
        release();
        await stall;
        const task = await h.waitFor("the task", () => h.taskFor(work, mention.ts));
        assert.equal(task.text, "stalled but acknowledged");
        assert.match(await h.replyTo(queue.id), /queue/i);
      } finally {
        release();
        await stall;
      }
    });

    it("answers Slack's URL verification challenge", LIMIT, async () => {
      const res = await h.send.raw(JSON.stringify({ type: "url_verification", challenge: "abc123", token: "x" }), "application/json");
      assert.equal(res.status, 200);
      assert.match(res.body, /abc123/);
    });

    it("gives the help, only to the sender, for an empty mention", LIMIT, async () => {
      const { ts, status } = await h.mention("carol", work, "   ");
      assert.equal(status, 200);
      const reply = await h.waitFor("the help", async () => h.slack.callsOf("chat.postEphemeral").find((c) => c.params["user"] === h.slack.users["carol"]));
      assert.match(String(reply.params["text"]), /\/agent task/);
      assert.equal(await h.taskFor(work, ts), null);
    });

    it("takes a direct message as a task in its own thread", LIMIT, async () => {
      const dm = await h.slack.as("bob").conversations.open({ users: h.slack.bot.userId });
      const channel = dm.channel!.id!;
      const { ts, event } = await h.say("bob", channel, "what changed in main this week?");
      assert.equal((await h.send.event({ ...event, channel_type: "im" }, { teamId: h.slack.teamId })).status, 200);
      const task = await h.waitFor("the task", () => h.taskFor(channel, ts));
      assert.equal(task.text, "what changed in main this week?");
      assert.equal((task.meta["slack"] as { origin: string }).origin, "dm");
    });

    it("ignores its own messages, other bots, edits and plain channel chatter; takes Workflow Builder posts", LIMIT, async () => {
      const before = (await h.tasks()).length;
      const base = { channel: work, team: h.slack.teamId };
      const ts = () => `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
      const mention = `<@${h.slack.bot.userId}> deploy`;
      await h.deliver({ ...base, type: "app_mention", user: h.slack.bot.userId, text: mention, ts: ts() });
      await h.deliver({ ...base, type: "app_mention", bot_id: "BOTHER01", user: "UOTHERBOT", text: mention, ts: ts(), bot_profile: { name: "Deploy Bot" } });
      await h.deliver({ ...base, type: "message", subtype: "bot_message", bot_id: "BOTHER01", text: mention, ts: ts(), thread_ts: "1.0" });
      await h.deliver({ ...base, type: "message", subtype: "message_changed", hidden: true, ts: ts(), message: { text: mention } });
      await h.deliver({ ...base, type: "message", channel_type: "channel", user: h.slack.users["alice"], text: "lunch?", ts: ts() });
      await h.idle();
      assert.equal((await h.tasks()).length, before, "none of these is a task");

      // A workflow's post: a bot message with no person behind it.
      const posted = await h.slack.as("alice").chat.postMessage({ channel: work, text: `${mention} the weekly report` });
      await h.deliver({ ...base, type: "app_mention", subtype: "bot_message", bot_id: "BWORKFLOW1", username: "Weekly report", text: `${mention} the weekly report`, ts: posted.ts });
      const task = await h.waitFor("the workflow's task", () => h.taskFor(work, posted.ts!));
      assert.equal(task.text, "deploy the weekly report");
      assert.equal(task.userId, null);
    });
  }),
);

describe("who may use it", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      env: (slack) => ({ ALLOWED_SLACK_USERS: slack.users["alice"]!, SLACK_ADMIN_USERS: slack.users["bob"]!, ALLOWED_SLACK_CHANNELS: slack.channels["work"]! }),
    });
  });
  after(() => h?.close());

  const whisperTo = (person: string, pattern: RegExp) =>
    h.waitFor(`a reply to ${person}`, async () => h.slack.callsOf("chat.postEphemeral").find((c) => c.params["user"] === h.slack.users[person] && pattern.test(String(c.params["text"]))));

  it("refuses people off the allow-list, politely and only to them", LIMIT, async () => {
    const work = h.slack.channels["work"]!;
    const { ts } = await h.mention("carol", work, "run the migration");
    const refusal = await whisperTo("carol", /allow-list/);
    assert.equal(refusal.params["channel"], work);
    assert.equal(await h.taskFor(work, ts), null);
    assert.equal((await h.thread(work, ts)).length, 1, "nothing is posted in the channel");

    const allowed = await h.mention("alice", work, "run the tests");
    await h.waitFor("alice's task", () => h.taskFor(work, allowed.ts));
    const admin = await h.mention("bob", work, "restart the runner");
    await h.waitFor("the admin's task", () => h.taskFor(work, admin.ts));
  });

  it("works only in allowed channels; direct messages are not channels", LIMIT, async () => {
    const ops = h.slack.channels["ops"]!;
    const { ts } = await h.mention("alice", ops, "hello there");
    await whisperTo("alice", /not enabled in this channel/);
    assert.equal(await h.taskFor(ops, ts), null);

    const dm = await h.slack.as("alice").conversations.open({ users: h.slack.bot.userId });
    const said = await h.say("alice", dm.channel!.id!, "hello in private");
    await h.send.event({ ...said.event, channel_type: "im" }, { teamId: h.slack.teamId });
    await h.waitFor("the DM task", () => h.taskFor(dm.channel!.id!, said.ts));
  });

  it("takes no task from a workflow when only listed people may ask", LIMIT, async () => {
    const work = h.slack.channels["work"]!;
    const posted = await h.slack.as("alice").chat.postMessage({ channel: work, text: "from a workflow" });
    await h.deliver({ type: "app_mention", subtype: "bot_message", bot_id: "BWORKFLOW1", channel: work, text: `<@${h.slack.bot.userId}> weekly report`, ts: posted.ts });
    await h.idle();
    assert.equal(await h.taskFor(work, posted.ts!), null);
  });
});

describe("limits", () => {
  let h: Harness;
  let work: string;
  before(async () => {
    h = await startHarness({ env: (slack) => ({ MAX_TASKS_PER_USER: "2", MAX_QUEUE_DEPTH: "6", SLACK_ADMIN_USERS: slack.users["carol"]! }) });
    work = h.slack.channels["work"]!;
  });
  after(() => h?.close());

  it("says try later instead of queueing past a person's limit or a full queue; an admin has no per-person limit", LIMIT, async () => {
    const first = await h.mention("alice", work, "task one");
    const second = await h.mention("alice", work, "task two");
    await h.waitFor("two tasks", () => h.taskFor(work, second.ts));
    assert.ok(await h.taskFor(work, first.ts));
    const third = await h.mention("alice", work, "task three");
    const tooMany = await h.waitFor("the limit reply", async () =>
      h.slack.callsOf("chat.postEphemeral").find((c) => c.params["user"] === h.slack.users["alice"] && /already have 2 tasks/.test(String(c.params["text"]))),
    );
    assert.match(String(tooMany.params["text"]), /Try again when one finishes/);
    assert.equal(await h.taskFor(work, third.ts), null);

    const bobs = await h.mention("bob", work, "task four");
    await h.waitFor("bob's task", () => h.taskFor(work, bobs.ts));
    // An admin is not held to the per-person limit: a third task of theirs is queued.
    for (const text of ["admin one", "admin two", "admin three"]) {
      const m = await h.mention("carol", work, text);
      await h.waitFor(`the admin's "${text}"`, () => h.taskFor(work, m.ts));
    }
    const full = await h.mention("bob", work, "task five");
    const reply = await h.waitFor("the queue-full reply", async () => h.slack.callsOf("chat.postEphemeral").find((c) => c.params["user"] === h.slack.users["bob"]));
    assert.match(String(reply.params["text"]), /queue is full/);
    assert.equal(await h.taskFor(work, full.ts), null);
    assert.equal((await h.tasks()).length, 6);
    assert.equal(h.slack.callsOf("chat.postEphemeral").filter((c) => c.params["user"] === h.slack.users["carol"]).length, 0, "the admin was never refused");
  });
});

describe("limits under a burst", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: () => ({ MAX_TASKS_PER_USER: "2" }) });
  });
  after(() => h?.close());

  it("four mentions from one person at the same moment: two tasks, two refusals, no card left for the refused", LIMIT, async () => {
    const work = h.slack.channels["work"]!;
    const sent = await Promise.all(["burst one", "burst two", "burst three", "burst four"].map((text) => h.mention("alice", work, text)));
    const refusals = await h.waitFor("two refusals", async () => {
      const found = h.slack.callsOf("chat.postEphemeral").filter((c) => c.params["user"] === h.slack.users["alice"] && /already have 2 tasks/.test(String(c.params["text"])));
      return found.length >= 2 ? found : undefined;
    });
    assert.equal(refusals.length, 2);
    const started = (await Promise.all(sent.map((m) => h.taskFor(work, m.ts)))).filter((t) => t !== null);
    assert.equal(started.length, 2);
    assert.equal((await h.tasks()).length, 2);
    // A card posted for a request refused under the lock is taken back.
    const cards = h.slack.callsOf("chat.postMessage").filter((c) => /queued/i.test(JSON.stringify(c.params)));
    const deleted = h.slack.callsOf("chat.delete").length;
    assert.equal(cards.length - deleted, 2, `${cards.length} cards posted, ${deleted} deleted`);
  });
});
