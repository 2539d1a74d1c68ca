// From a Slack request to a draft pull request, through the real Bolt app, queue, worker pool and
// engine, against GitHub on loopback: a mention with repo=acme/widgets → the agent edits a file →
// the branch is pushed with that change, a draft pull request has it as head, and the thread
// shows its link as a button; a reply in the thread adds a commit to the same pull request; a
// task that changes nothing opens none; an unreadable repository is refused before queueing; a
// channel's default repository; a protected branch named in the thread with the diff attached.
// The bot's token is a canary: it never reaches the model, the stored tasks, Slack or the logs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Reply, ScriptFn } from "../doubles/messages-api.ts";
import { startFakeGitHub, type FakeGitHub } from "../doubles/github/fake-github.ts";
import { databaseTargets } from "../helpers/test-database.ts";
import { startHarness, type Harness } from "./slack-harness.ts";

const LIMIT = { timeout: 120_000 };

/** The agent: edits the widget's colour as asked, or changes nothing when asked only to check. */
const agent: ScriptFn = (_req, ctx): Reply => {
  const asked = ctx.lastUserText();
  if (ctx.lastToolResults().length > 0) {
    const colour = /darker/.test(asked) ? "dark green" : "green";
    return { text: `Make the widgets ${colour}\n\nChanged \`src/widget.txt\` to ${colour}; checked it with cat.` };
  }
  if (/check the/.test(asked)) return { text: "Everything is fine; nothing to change." };
  if (/darker/.test(asked)) return { toolCalls: [{ name: "edit_file", input: { file_path: "widgets/src/widget.txt", old_string: "green", new_string: "dark green" } }] };
  return {
    toolCalls: [
      { name: "execute", input: { command: "env; cat widgets/.git/config; git -C widgets config --list" } },
      { name: "edit_file", input: { file_path: "widgets/src/widget.txt", old_string: "blue", new_string: "green" } },
    ],
  };
};

for (const database of databaseTargets())
  describe(`repositories from Slack on ${database}`, () => {
    let h: Harness;
    let gh: FakeGitHub;
    let work: string;
    before(async () => {
      gh = await startFakeGitHub();
      h = await startHarness({ database, worker: true, script: agent, env: gh.env() });
      work = h.slack.channels["work"]!;
    });
    after(async () => {
      await h?.close();
      await gh?.close();
    });

    const blocksOf = (messages: Array<{ blocks?: unknown }>) => JSON.stringify(messages.map((m) => m.blocks ?? null));

    it("a mention with repo=acme/widgets ends in a draft pull request linked in the thread; a reply adds a commit to it", LIMIT, async () => {
      const { ts } = await h.mention("alice", work, "make the widgets green repo=acme/widgets");
      const task = await h.waitFor("the task", () => h.taskFor(work, ts));
      assert.equal(task.meta["repo"], "acme/widgets");
      const done = await h.waitForFinish(task.id);
      assert.equal(done.status, "succeeded", JSON.stringify(done.failure));

      const branch = `deep-agent/${task.id.replace(/-/g, "").slice(0, 8)}`;
      assert.equal(await gh.file("acme/widgets", branch, "src/widget.txt"), "colour = green\n");
      const pull = (await gh.pulls("acme/widgets")).find((p) => p.head.ref === branch)!;
      assert.ok(pull, "a pull request from the task's branch");
      assert.equal(pull.draft, true);
      assert.equal(pull.title, "Make the widgets green");
      assert.match(pull.body ?? "", new RegExp(`Slack user ${h.slack.users["alice"]}`));
      assert.match(pull.body ?? "", /in \[this thread\]\(http/, "the thread's permalink");
      const [commit] = await gh.log("acme/widgets", branch);
      assert.match(commit!.body, new RegExp(`Requested-by: Slack user ${h.slack.users["alice"]}`));

      const thread = await h.thread(work, ts);
      const shown = blocksOf(thread);
      assert.match(shown, new RegExp(`"url":"${pull.html_url.replace(/[/.]/g, "\\$&")}"`), "a button to the pull request");
      assert.match(shown, /Opened draft pull request/);

      // A reply in the thread (no mention): the same branch, a second commit, the same pull request.
      const reply = await h.say("alice", work, "make it darker", ts);
      await h.deliver(reply.event);
      const followUp = await h.waitFor("the follow-up task", () => h.taskFor(work, reply.ts));
      const second = await h.waitForFinish(followUp.id);
      assert.equal(second.status, "succeeded", JSON.stringify(second.failure));
      assert.equal(await gh.file("acme/widgets", branch, "src/widget.txt"), "colour = dark green\n");
      assert.deepEqual(
        (await gh.log("acme/widgets", branch)).slice(0, 2).map((c) => c.subject),
        ["Make the widgets dark green", "Make the widgets green"],
      );
      assert.equal((await gh.pulls("acme/widgets")).filter((p) => p.head.ref === branch).length, 1, "still one pull request");
      const after = blocksOf(await h.thread(work, ts));
      assert.match(after, /Pushed 1 new commit to branch/);
      assert.match(after, new RegExp(`Open pull request #${pull.number}`));
    });

    it("a task that changes nothing opens no pull request, and the thread says so", LIMIT, async () => {
      const before = await gh.branches("acme/widgets");
      const { ts } = await h.mention("bob", work, "check the widgets repo=acme/widgets");
      const task = await h.waitFor("the task", () => h.taskFor(work, ts));
      assert.equal((await h.waitForFinish(task.id)).status, "succeeded");
      assert.deepEqual(await gh.branches("acme/widgets"), before, "nothing pushed");
      assert.match(blocksOf(await h.thread(work, ts)), /No files changed in `acme\/widgets`, so no pull request was opened/);
    });

    it("a repository deep-agent cannot read, or a bad name, is refused before queueing, in one line only the asker sees", LIMIT, async () => {
      const before = (await h.tasks()).length;
      await h.mention("carol", work, "fix the vault repo=globex/vault");
      await h.mention("carol", work, "fix it repo=not-a-repo");
      const refusals = await h.waitFor("the refusals", async () => {
        const found = h.slack.callsOf("chat.postEphemeral").filter((c) => c.params["user"] === h.slack.users["carol"]);
        return found.length >= 2 ? found : null;
      });
      const texts = refusals.map((c) => String(c.params["text"]));
      assert.ok(
        texts.some((t) => /^I can't work on `globex\/vault`: The repository does not exist, or deep-agent's GitHub access cannot read it/.test(t)),
        texts.join("\n"),
      );
      assert.ok(
        texts.some((t) => /^I can't take that task: "not-a-repo" is not a repository name/.test(t)),
        texts.join("\n"),
      );
      await h.idle();
      assert.equal((await h.tasks()).length, before, "nothing queued");
    });

    it("/agent repo sets the channel's default, shows it and clears it; tasks there use it", LIMIT, async () => {
      const ops = h.slack.channels["ops"]!;
      const refused = await h.command("alice", ops, "repo globex/vault");
      assert.match(await h.replyTo(refused.id), /I can't work on `globex\/vault`/);
      const set = await h.command("alice", ops, "repo acme/widgets");
      await h.replyTo(set.id);
      const said = h.slack.responses.find((r) => r.id === set.id)!;
      assert.equal(said.body["response_type"], "in_channel");
      assert.match(String(said.body["text"]), /set this channel's repository to `acme\/widgets`/);
      const shown = await h.command("bob", ops, "repo");
      assert.match(await h.replyTo(shown.id), /This channel's repository is `acme\/widgets`/);

      const { ts } = await h.mention("bob", ops, "check the widgets");
      const task = await h.waitFor("the task", () => h.taskFor(ops, ts));
      assert.equal(task.meta["repo"], "acme/widgets", "the channel's default");
      await h.waitForFinish(task.id);
      const optOut = await h.mention("bob", ops, "check the weather repo=none");
      assert.equal((await h.waitFor("the task", () => h.taskFor(ops, optOut.ts))).meta["repo"], null);

      const cleared = await h.command("alice", ops, "repo none");
      assert.match(await h.replyTo(cleared.id), /cleared this channel's repository \(was `acme\/widgets`\)/);
      const again = await h.command("alice", ops, "repo");
      assert.match(await h.replyTo(again.id), /This channel has no repository/);
    });

    it("a push GitHub refuses: the cause in the thread, the answer kept, the diff attached", LIMIT, async () => {
      await gh.git.protect("acme/widgets", "deep-agent/*");
      const { ts } = await h.mention("alice", work, "make the widgets green repo=acme/widgets");
      const task = await h.waitFor("the task", () => h.taskFor(work, ts));
      const done = await h.waitForFinish(task.id);
      assert.equal(done.status, "failed");
      assert.equal(done.failure?.code, "branch_protected");
      assert.match(done.result ?? "", /Make the widgets green/, "the agent's answer is kept");
      const thread = await h.thread(work, ts);
      const text = JSON.stringify(thread.map((m) => [m.text, m.blocks]));
      assert.match(text, /GitHub refused the push: the branch is protected/);
      assert.match(text, /kept in the sandbox and attached as a diff/);
      const upload = h.slack
        .callsOf("files.completeUploadExternal")
        .concat(h.slack.callsOf("files.getUploadURLExternal"))
        .map((c) => JSON.stringify(c.params));
      assert.ok(
        upload.some((u) => /changes-acme-widgets-.*\.diff/.test(u)),
        `the diff is uploaded: ${upload.join("\n")}`,
      );
    });

    it("the token never reaches the model, the stored tasks, Slack or the logs", LIMIT, async () => {
      const token = gh.tokens.bot;
      const seenByModel = JSON.stringify(h.api.requests.map((r) => r.body));
      assert.match(seenByModel, /remote\.origin\.url=http/, "the model did read the clone's git config");
      assert.ok(!seenByModel.includes(token), "not in anything the model saw");
      const { rows: taskRows } = await h.stack.db.query("SELECT * FROM tasks");
      const { rows: repoRows } = await h.stack.db.query("SELECT * FROM task_repos");
      assert.ok(repoRows.length >= 3);
      assert.ok(!JSON.stringify([taskRows, repoRows]).includes(token), "not in the stored tasks");
      const slack = JSON.stringify(h.slack.calls);
      assert.ok(!slack.includes(token), "not in Slack");
      assert.ok(!slack.includes("[secret]"), "nothing even had to be scrubbed from Slack");
      assert.ok(!h.logs.join("").includes(token), "not in the logs");
    });
  });
