// Which untagged replies in a thread the bot takes, through the real Bolt app and worker: after a
// task ended, the asker's reply starts a new task only while nobody else has spoken since; a
// colleague's untagged reply never does; a mention always does; "thanks!" never starts a paid run.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startHarness, type Harness } from "./slack-harness.ts";
import { isAcknowledgement } from "../../src/slack/intake/acknowledgement.ts";

const LIMIT = { timeout: 90_000 };

describe("the untagged-reply rule", () => {
  let h: Harness;
  let work: string;
  before(async () => {
    h = await startHarness({ worker: true, script: () => ({ text: "Done." }) });
    work = h.slack.channels["work"]!;
  });
  after(() => h?.close());

  /** A person replies in a thread without mentioning the bot (the message event Slack sends). */
  async function reply(person: string, threadTs: string, text: string): Promise<string> {
    const said = await h.say(person, work, text, threadTs);
    await h.send.event(said.event, { teamId: h.slack.teamId });
    await h.idle();
    return said.ts;
  }

  async function finishedTaskIn(person: string, text: string): Promise<string> {
    const { ts } = await h.mention(person, work, text);
    await h.waitForFinish((await h.waitFor("the task", () => h.taskFor(work, ts))).id);
    return ts;
  }

  it("after a task ended, the asker's untagged reply starts a new task when nobody else spoke since", LIMIT, async () => {
    const thread = await finishedTaskIn("alice", "list the open incidents");
    const followUp = await reply("alice", thread, "and the closed ones from last week");
    const task = await h.waitFor("the follow-up task", () => h.taskFor(work, followUp));
    assert.equal(task.text, "and the closed ones from last week");
    await h.waitForFinish(task.id);
  });

  it("a colleague's untagged reply is theirs: no task; and once they spoke, the asker needs a mention too", LIMIT, async () => {
    const thread = await finishedTaskIn("alice", "draft the release notes");
    const calls = h.api.requests.length;
    const aside = await reply("bob", thread, "looks incomplete to me, the API changes are missing");
    assert.equal(await h.taskFor(work, aside), null, "bob did not ask the bot here");
    const untagged = await reply("alice", thread, "add the API changes");
    assert.equal(await h.taskFor(work, untagged), null, "someone else spoke since: it takes a mention");
    assert.equal(h.api.requests.length, calls, "no model call");

    const mentioned = await h.mention("alice", work, "add the API changes", thread);
    const task = await h.waitFor("the mentioned task", () => h.taskFor(work, mentioned.ts));
    await h.waitForFinish(task.id);
    // A mention from bob works just as well.
    const bobs = await h.mention("bob", work, "and the deprecations", thread);
    await h.waitForFinish((await h.waitFor("bob's task", () => h.taskFor(work, bobs.ts))).id);
  });

  it('"thanks!" never starts a paid run; a mention that only thanks gets 🙌', LIMIT, async () => {
    const thread = await finishedTaskIn("carol", "summarise the on-call handover");
    const calls = h.api.requests.length;
    for (const text of ["thanks!", "Thank you so much 🙏", ":+1:", "great, that works"]) {
      const ts = await reply("carol", thread, text);
      assert.equal(await h.taskFor(work, ts), null, text);
    }
    const top = await h.mention("carol", work, "thanks a lot!");
    await h.idle();
    assert.equal(await h.taskFor(work, top.ts), null);
    assert.equal(h.api.requests.length, calls, "no model call for any of them");
    const reactions = h.slack
      .callsOf("reactions.add")
      .filter((c) => c.params["timestamp"] === top.ts)
      .map((c) => c.params["name"]);
    assert.deepEqual(reactions, ["raised_hands"]);
    // A real request after the thanks still works.
    const more = await reply("carol", thread, "ok, now do the same for last week");
    await h.waitForFinish((await h.waitFor("the next task", () => h.taskFor(work, more))).id);
  });
});

describe("acknowledgements", () => {
  it("are thanks and praise with filler only, and nothing that asks or instructs", () => {
    for (const text of [
      "thanks",
      "thanks!",
      "Thank you!!",
      "thx",
      "ty",
      "cheers mate",
      "great, thanks",
      "perfect",
      "👍",
      "🙏🙏",
      ":+1:",
      ":pray: thanks",
      "awesome, that works",
      "LGTM",
      "nice job",
      "ok thanks",
      "merci",
    ]) {
      assert.equal(isAcknowledgement(text), true, text);
    }
    for (const text of [
      "ok",
      "yes",
      "go ahead",
      "thanks, now fix the tests",
      "thanks? it still fails",
      "great, ship it",
      "perfect, do the same for prod",
      "",
      "   ",
      "fix it",
      "thanks ".repeat(40),
    ]) {
      assert.equal(isAcknowledgement(text), false, text);
    }
  });
});
