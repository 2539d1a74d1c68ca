// Slack tasks run end to end: the real Bolt app over signed HTTP, the durable queue, the real
// worker pool and engine against the scripted Messages API, local sandboxes, and the Slack
// emulator. Each scenario picks its script by a marker in the task text.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { eachDatabase } from "../helpers/test-database.ts";
import { startHarness, type Harness } from "./slack-harness.ts";
import { lastToolResults, lastUserText, type RecordedRequest, type Reply, type ScriptContext } from "../doubles/messages-api.ts";
import type { SlackMessage } from "../doubles/slack/slack-workspace.ts";

const LIMIT = { timeout: 90_000 };
const LONG_ANSWER = `# Findings\n\n${Array.from({ length: 300 }, (_, i) => `- item ${i}: the **component ${i}** is fine, see \`src/c${i}.ts\``).join("\n")}`;
/** Exactly the most a markdown block holds. */
const ANSWER_12K = `# Audit\n\n${"All components are fine. ".repeat(600)}`.slice(0, 12_000);

/** Promises a script waits on, resolved by the test: makes "while it runs" deterministic. One set per suite. */
type Gate = (name: string) => { promise: Promise<void>; open: () => void };
function gateSet(): Gate {
  const gates = new Map<string, { promise: Promise<void>; open: () => void }>();
  return (name) => {
    let g = gates.get(name);
    if (!g) {
      let open = () => {};
      const promise = new Promise<void>((resolve) => (open = resolve));
      g = { promise, open };
      gates.set(name, g);
    }
    return g;
  };
}

function firstUserText(req: RecordedRequest): string {
  const first = req.body.messages[0];
  if (!first) return "";
  return typeof first.content === "string" ? first.content : first.content.map((b) => ("text" in b && typeof b.text === "string" ? b.text : "")).join("\n");
}

function allText(req: RecordedRequest): string {
  return req.body.messages.map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content))).join("\n");
}

const turn = (req: RecordedRequest) => req.body.messages.filter((m) => m.role === "assistant").length;

const scriptWith =
  (gate: Gate) =>
  async (req: RecordedRequest, ctx: ScriptContext): Promise<Reply> => {
    const first = firstUserText(req);
    const n = turn(req);
    if (first.includes("[plan]")) {
      if (n === 0)
        return {
          toolCalls: [
            {
              name: "write_todos",
              input: {
                todos: [
                  { content: "Look at the repo", status: "in_progress" },
                  { content: "Write the report", status: "pending" },
                  { content: "Check it", status: "pending" },
                ],
              },
            },
          ],
        };
      if (n === 1)
        return {
          toolCalls: [
            { name: "execute", input: { command: "mkdir -p outputs && printf 'rows: 3\\n' > outputs/report.txt" } },
            {
              name: "write_todos",
              input: {
                todos: [
                  { content: "Look at the repo", status: "completed" },
                  { content: "Write the report", status: "completed" },
                  { content: "Check it", status: "in_progress" },
                ],
              },
            },
          ],
        };
      if (n === 2) return { toolCalls: [{ name: "write_todos", input: { todos: [{ content: "Check it", status: "completed" }] } }] };
      return { text: "## Report\n**All done**: the report is in `outputs/report.txt` (3 rows). See [the docs](https://example.com/docs)." };
    }
    if (first.includes("[inbox]")) {
      if (n === 0) {
        gate("inbox-first-call").open();
        await gate("inbox-running").promise;
        return { toolCalls: [{ name: "execute", input: { command: "true" } }] };
      }
      return { text: `I also saw: ${lastUserText(req).replace(/\s+/g, " ")}` };
    }
    if (first.includes("[history]")) {
      const second = req.body.messages.some((m) => m.role === "user" && JSON.stringify(m.content).includes("second question"));
      if (!second) return n === 0 ? { toolCalls: [{ name: "execute", input: { command: "echo forty-two > answer.txt" } }] } : { text: "first answer: forty-two" };
      // The follow-up: history (question, answer), then the new message; its sandbox is the first one.
      if (lastToolResults(req).length === 0) return { toolCalls: [{ name: "execute", input: { command: "cat answer.txt" } }] };
      return { text: `second answer: ${lastToolResults(req)[0]!.content.trim()}` };
    }
    if (first.includes("[long]")) return { text: LONG_ANSWER };
    if (first.includes("[12k]")) return { text: ANSWER_12K };
    if (first.includes("[cancel]")) return { text: "never", delayMs: 60_000 };
    if (first.includes("[refused]")) return { status: 400, message: "prompt rejected by policy" };
    if (first.includes("[secret]")) return { text: `the key is ${process.env["__TEST_SECRET"] ?? "?"} and that is all` };
    if (first.includes("[attach]")) {
      if (n === 0) {
        const path = /attachments\/[\w.-]+/.exec(lastUserText(req))?.[0] ?? "missing";
        return { toolCalls: [{ name: "read_file", input: { file_path: path } }] };
      }
      return { text: `the file says: ${lastToolResults(req)[0]?.content.replace(/\s+/g, " ") ?? "nothing"}` };
    }
    void ctx;
    return { text: "Done." };
  };

const botMessages = (h: Harness, thread: SlackMessage[]) => thread.filter((m) => m.user === h.slack.bot.userId);
const resultOf = (h: Harness, thread: SlackMessage[]) => botMessages(h, thread).slice(1);

eachDatabase((database) =>
  describe(`Slack tasks end to end on ${database}`, () => {
    let h: Harness;
    let work: string;
    const gate = gateSet();
    before(async () => {
      h = await startHarness({ script: scriptWith(gate), worker: true, database });
      process.env["__TEST_SECRET"] = h.config.ANTHROPIC_API_KEY;
      work = h.slack.channels["work"]!;
    });
    after(() => h?.close());

    it("mention → live plan → result in the thread, with outputs/, footer and ✅", LIMIT, async () => {
      const { ts } = await h.mention("alice", work, "[plan] make a report");
      const task = await h.waitFor("the task", () => h.taskFor(work, ts));
      const done = await h.waitForFinish(task.id);
      assert.equal(done.status, "succeeded");

      const thread = await h.thread(work, ts);
      assert.deepEqual(
        thread[0]!.reactions?.map((r) => r.name),
        ["white_check_mark"],
        "👀 replaced by ✅",
      );
      const [progress, result, ...rest] = botMessages(h, thread);
      assert.match(progress!.text, /^Done \(3\/3 steps done\)/);
      const plan = progress!.blocks!.find((b) => b["type"] === "plan") as { tasks: Array<{ title: string; status: string }> };
      assert.deepEqual(
        plan.tasks.map((t) => [t.title, t.status]),
        [
          ["Look at the repo", "complete"],
          ["Write the report", "complete"],
          ["Check it", "complete"],
        ],
      );
      assert.doesNotMatch(JSON.stringify(progress!.blocks), /deep_agent_cancel/);

      const resultBlocks = JSON.stringify(result!.blocks);
      // The agent's Markdown as it wrote it, in Slack's markdown block (Slack renders it).
      const markdown = result!.blocks!.find((b) => b["type"] === "markdown");
      assert.equal(markdown?.["text"], "## Report\n**All done**: the report is in `outputs/report.txt` (3 rows). See [the docs](https://example.com/docs).");
      assert.match(resultBlocks, /"type":"feedback_buttons","action_id":"deep_agent_feedback"/);
      assert.match(resultBlocks, /tokens in · \d+ out/);
      assert.match(resultBlocks, /≈ (&lt;)?\$[\d.]+ \(estimated\)/);
      assert.match(resultBlocks, new RegExp(`task \`${task.id.slice(0, 8)}\``));
      const upload = rest.find((m) => m.files?.some((f) => f.name === "report.txt"));
      assert.ok(upload, "the file from outputs/ is uploaded to the thread");
      const updates = h.slack.callsOf("chat.update").filter((c) => c.params["ts"] === progress!.ts);
      assert.ok(updates.length >= 2, "the progress message was updated as the plan moved");
    });

    it("the asker's reply while the task runs reaches the running agent, not a second task; a colleague's untagged reply does not", LIMIT, async () => {
      const { ts } = await h.mention("alice", work, "[inbox] look at the flaky test");
      const task = await h.waitFor("the task", () => h.taskFor(work, ts));
      // The agent is in its first model call when the replies arrive.
      await gate("inbox-first-call").promise;
      const aside = await h.say("bob", work, "@alice did you see the CI logs?", ts);
      await h.send.event(aside.event, { teamId: h.slack.teamId });
      const reply = await h.say("alice", work, "also check the retry logic", ts);
      await h.send.event(reply.event, { teamId: h.slack.teamId });
      await h.idle();
      gate("inbox-running").open();
      const done = await h.waitForFinish(task.id);
      assert.equal(done.result, `I also saw: [New message from the user while you were working] <@${h.slack.users["alice"]}>: also check the retry logic`);
      const tasks = (await h.tasks()).filter((t) => t.threadTs === ts);
      assert.equal(tasks.length, 1);
      assert.equal(h.slack.callsOf("reactions.add").filter((c) => c.params["timestamp"] === aside.ts).length, 0, "bob's aside was not taken");
    });

    it("a reply after the task finished starts a new task with the earlier conversation", LIMIT, async () => {
      const { ts } = await h.mention("alice", work, "[history] first question");
      const first = await h.waitForFinish((await h.waitFor("the task", () => h.taskFor(work, ts))).id);
      assert.equal(first.result, "first answer: forty-two");

      const reply = await h.say("alice", work, "and the second question?", ts);
      await h.send.event(reply.event, { teamId: h.slack.teamId });
      const second = await h.waitFor("the follow-up task", () => h.taskFor(work, reply.ts));
      const done = await h.waitForFinish(second.id);
      assert.equal(second.threadTs, ts);
      // The file the first task wrote is still there: the same sandbox.
      assert.match(done.result ?? "", /^second answer: .*forty-two/);
      const request = h.api.requests.find((r) => lastUserText(r).includes("second question"))!;
      assert.equal(request.body.messages.length, 3, "the earlier question and answer, then the new message");
      assert.match(allText(request), /first question/);
      assert.match(allText(request), /first answer: forty-two/);
      const thread = await h.thread(work, ts);
      assert.equal(resultOf(h, thread).length >= 2, true);
    });

    it("an answer up to 12,000 characters is posted inline in a markdown block; a longer one as a file with a summary", LIMIT, async () => {
      const inline = await h.mention("bob", work, "[12k] audit the big component");
      await h.waitForFinish((await h.waitFor("the task", () => h.taskFor(work, inline.ts))).id);
      const inlineThread = await h.thread(work, inline.ts);
      const answer = resultOf(h, inlineThread)[0]!;
      assert.equal(answer.blocks!.find((b) => b["type"] === "markdown")?.["text"], ANSWER_12K, "all 12,000 characters, inline");
      assert.ok(!inlineThread.some((m) => m.files?.some((f) => f.name.startsWith("result-"))), "no file for an answer that fits");

      const { ts } = await h.mention("bob", work, "[long] audit every component");
      const done = await h.waitForFinish((await h.waitFor("the task", () => h.taskFor(work, ts))).id);
      assert.equal(done.status, "succeeded");
      const thread = await h.thread(work, ts);
      const [summary] = resultOf(h, thread);
      const shown = String(summary!.blocks!.find((b) => b["type"] === "markdown")?.["text"]);
      assert.match(shown, /^# Findings/);
      assert.match(shown, /The full answer is in the attached file/);
      assert.ok(shown.length < 1500, "the message itself is a summary");
      assert.match(JSON.stringify(summary!.blocks), /deep_agent_feedback/);
      const fileMessage = botMessages(h, thread).find((m) => m.files?.some((f) => f.name.startsWith("result-")));
      assert.ok(fileMessage, "the whole answer is a file");
      const file = fileMessage.files!.find((f) => f.name.startsWith("result-"))!;
      const content = await fetch(file.url_private_download!, { headers: { authorization: `Bearer ${h.slack.botToken}` } }).then((r) => r.text());
      assert.equal(content, LONG_ANSWER);
    });

    it("cancel by button stops a running task and says who cancelled it", LIMIT, async () => {
      const { ts } = await h.mention("carol", work, "[cancel] wait forever");
      const task = await h.waitFor("the task to run", async () => {
        const t = await h.taskFor(work, ts);
        return t?.status === "running" ? t : null;
      });
      const progressTs = (task.meta["slack"] as { progressTs: string }).progressTs;
      const bob = await h.click("bob", work, progressTs, task.id);
      assert.match(await h.replyTo(bob.id), /Only .* or an admin can cancel/);
      const carol = await h.click("carol", work, progressTs, task.id);
      assert.match(await h.replyTo(carol.id), /Cancelling task/);
      const done = await h.waitForFinish(task.id);
      assert.equal(done.status, "cancelled");
      const thread = await h.thread(work, ts);
      assert.deepEqual(
        thread[0]!.reactions?.map((r) => r.name),
        ["x"],
      );
      const [progress, result] = botMessages(h, thread);
      assert.match(progress!.text, /^Cancelled/);
      assert.match(JSON.stringify(result!.blocks), new RegExp(`Cancelled by <@${h.slack.users["carol"]}>`));
    });

    it("a failure says why in words, with ❌", LIMIT, async () => {
      const { ts } = await h.mention("alice", work, "[refused] do something odd");
      const done = await h.waitForFinish((await h.waitFor("the task", () => h.taskFor(work, ts))).id);
      assert.equal(done.status, "failed");
      const thread = await h.thread(work, ts);
      assert.deepEqual(
        thread[0]!.reactions?.map((r) => r.name),
        ["x"],
      );
      const [progress, result] = botMessages(h, thread);
      assert.match(progress!.text, /^Failed/);
      const shown = JSON.stringify(result!.blocks);
      assert.match(shown, /The task failed.* The model service refused the request\. Tell an operator if it keeps happening\./);
      // Operator detail (the API's message, configuration names) stays in the log.
      assert.doesNotMatch(shown, /HTTP 4\d\d|AGENT_MODEL|ANTHROPIC_BASE_URL/);
      assert.match(h.logs.join(""), /the Claude API rejected the request \(HTTP 400/);
    });

    it("secrets are scrubbed from what is posted and from the logs", LIMIT, async () => {
      const { ts } = await h.mention("alice", work, "[secret] print the key");
      const done = await h.waitForFinish((await h.waitFor("the task", () => h.taskFor(work, ts))).id);
      assert.match(done.result ?? "", /sk-ant-test-key/, "the agent did output it");
      const thread = await h.thread(work, ts);
      const posted = JSON.stringify(botMessages(h, thread));
      assert.doesNotMatch(posted, /sk-ant-test-key/);
      assert.match(posted, /the key is \[secret\] and that is all/);
      const logs = h.logs.join("");
      for (const secret of [h.slack.botToken, "test-signing-secret-0123456789", h.config.ANTHROPIC_API_KEY!]) assert.ok(!logs.includes(secret), "a secret reached the logs");
    });

    it("files attached to a mention are copied into the sandbox", LIMIT, async () => {
      const up = await h.slack.as("alice").files.uploadV2({ channel_id: work, file: Buffer.from("alpha,beta\n1,2\n"), filename: "data.csv", initial_comment: "the data" });
      const shared = (up as unknown as { files: Array<{ files: Array<{ id: string; name: string; url_private_download: string; size: number }> }> }).files[0]!.files[0]!;
      const { ts, event } = await h.say("alice", work, `<@${h.slack.bot.userId}> [attach] sum the columns`);
      const { channel_type: _c, ...rest } = event;
      await h.deliver({
        ...rest,
        type: "app_mention",
        files: [{ id: shared.id, name: shared.name, url_private_download: shared.url_private_download, size: shared.size, mimetype: "text/csv" }],
      });
      const done = await h.waitForFinish((await h.waitFor("the task", () => h.taskFor(work, ts))).id);
      assert.match(done.result ?? "", /^the file says: .*alpha,beta.*1,2$/);
    });

    it("a 429 on chat.update is waited out and the final state still shows", LIMIT, async () => {
      h.slack.fail("chat.update", { retryAfter: 1, times: 1 });
      const { ts } = await h.mention("bob", work, "[plan] another report");
      const done = await h.waitForFinish((await h.waitFor("the task", () => h.taskFor(work, ts))).id);
      assert.equal(done.status, "succeeded");
      const progressTs = (done.meta["slack"] as { progressTs: string }).progressTs;
      const updates = h.slack.callsOf("chat.update").filter((c) => c.params["ts"] === progressTs);
      assert.equal(updates[0]!.status, 429);
      assert.equal(updates.at(-1)!.status, 200);
      const progress = await h.slack.message(work, progressTs);
      assert.match(progress!.text, /^Done \(3\/3 steps done\)/);
    });
  }),
);
