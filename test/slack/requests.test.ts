// Requests as real Slack sends them, through the real Bolt app over signed HTTP: slash command text
// in Slack's markup (should_escape: true) decoded like a mention's and escaped once when shown;
// `model=<id>` choosing the task's model among AGENT_MODELS (and reaching the engine), or refused
// with the list; `/agent schedule` refused in a channel the bot is not in; an attachment whose
// download answers Slack's sign-in page refused instead of copied.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startHarness, type Harness } from "./slack-harness.ts";
import { lastUserText, type RecordedRequest, type Reply } from "../doubles/messages-api.ts";

const LIMIT = { timeout: 90_000 };

async function script(req: RecordedRequest): Promise<Reply> {
  return { text: `ran on ${req.body.model}: ${lastUserText(req).replace(/\s+/g, " ").slice(-300)}` };
}

describe("requests as Slack sends them", () => {
  let h: Harness;
  let work: string;
  let files: Server;
  let filesUrl: string;
  before(async () => {
    h = await startHarness({ worker: true, script, env: { AGENT_MODELS: "claude-sonnet-test, claude-opus-test" } });
    work = h.slack.channels["work"]!;
    // Where Slack's file downloads point: a sign-in page for one, a real HTML file for the other.
    files = createServer((req, res) => {
      if (req.url === "/signin.pdf") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end("<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Slack</body></html>");
      } else if (req.url === "/sneaky.bin") {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.end("\n  <html><body>Sign in</body></html>");
      } else {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<!doctype html><p>the page the person attached</p>");
      }
    });
    await new Promise<void>((resolve) => files.listen(0, "127.0.0.1", resolve));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  });
  after(async () => {
    await h?.close();
    files?.close();
  });

  it("decodes slash command text (should_escape) as a mention's, and shows it escaped once", LIMIT, async () => {
    const bob = h.slack.users["bob"]!;
    const escaped = `task fix &lt;b&gt; &amp; &lt;i&gt; for <@${bob}|bob> in <#${work}|work>, see <https://docs.example.com/x?a=1&amp;b=2|the doc> and <https://ci.example.com/7>`;
    const { ack } = await h.command("alice", work, escaped);
    assert.equal(ack, null);
    await h.idle();
    const task = await h.waitFor("the task", async () => (await h.tasks()).find((t) => t.text.startsWith("fix <b>")));
    assert.equal(task.text, `fix <b> & <i> for <@${bob}> in #work, see the doc (https://docs.example.com/x?a=1&b=2) and https://ci.example.com/7`);
    const parent = (await h.slack.as("alice").conversations.history({ channel: work, limit: 50 })).messages!.find((m) => m.ts === task.threadTs)!;
    assert.equal(
      parent.text,
      `<@${h.slack.users["alice"]}> asked: fix &lt;b&gt; &amp; &lt;i&gt; for <@${bob}> in #work, see the doc (https://docs.example.com/x?a=1&amp;b=2) and https://ci.example.com/7`,
    );
    assert.doesNotMatch(parent.text!, /&amp;(amp|lt|gt);/, "never escaped twice");
    await h.waitForFinish(task.id);
  });

  it("model=<id> picks one of AGENT_MODELS for that task, and the engine runs on it", LIMIT, async () => {
    const { ts } = await h.mention("alice", work, "model=claude-opus-test summarise the design doc");
    const task = await h.waitFor("the task", () => h.taskFor(work, ts));
    assert.equal(task.model, "claude-opus-test");
    assert.equal(task.text, "summarise the design doc");
    const done = await h.waitForFinish(task.id);
    assert.match(done.result ?? "", /^ran on claude-opus-test: /);
    assert.doesNotMatch(done.result ?? "", /model=/, "the choice is not part of the request");
    const result = (await h.thread(work, ts)).filter((m) => m.user === h.slack.bot.userId).at(-1)!;
    assert.match(JSON.stringify(result.blocks), /model `claude-opus-test`/, "the footer names a model other than the default");

    const plain = await h.mention("alice", work, "summarise it again");
    const second = await h.waitForFinish((await h.waitFor("the second task", () => h.taskFor(work, plain.ts))).id);
    assert.equal(second.model, null);
    assert.match(second.result ?? "", /^ran on claude-sonnet-test: /, "the first of AGENT_MODELS is the default");

    const { id } = await h.command("bob", work, "task model=claude-opus-test write the changelog");
    await h.idle();
    assert.equal(
      h.slack.responses.find((r) => r.id === id),
      undefined,
      "no complaint",
    );
    const command = await h.waitFor("the command's task", async () => (await h.tasks()).find((t) => t.text === "write the changelog"));
    assert.equal(command.model, "claude-opus-test");
    await h.waitForFinish(command.id);
  });

  it("refuses a model that is not on the list, naming the ones that are, and queues nothing", LIMIT, async () => {
    const before = (await h.tasks()).length;
    const { ts } = await h.mention("carol", work, "model=gpt-9 <do> it");
    const refusal = await h.waitFor("the refusal", async () =>
      h.slack.callsOf("chat.postEphemeral").find((c) => c.params["user"] === h.slack.users["carol"] && /model/.test(String(c.params["text"]))),
    );
    assert.equal(
      String(refusal.params["text"]),
      "I can't use `gpt-9`: I run only these models: `claude-sonnet-test`, `claude-opus-test` (the first is the default). Ask again with one of them, or without `model=`.",
    );
    const { id } = await h.command("carol", work, "task model=claude-opus-test&lt;script&gt; x");
    assert.match(await h.replyTo(id), /^I can't use `claude-opus-test&lt;script&gt;`: I run only these models/);
    await h.idle();
    assert.equal(await h.taskFor(work, ts), null);
    assert.equal((await h.tasks()).length, before);
  });

  it("refuses /agent schedule in a channel the bot is not in, and stores nothing", LIMIT, async () => {
    const general = h.slack.channels["general"]!;
    const { id } = await h.command("alice", general, 'schedule "0 9 * * 1-5" post the standup summary');
    assert.match(await h.replyTo(id), /^I'm not in this channel.*\/invite @deep-agent/);
    assert.equal(h.slack.responses.find((r) => r.id === id)!.body["response_type"], "ephemeral");
    const { rows } = await h.stack.db.query("SELECT id FROM schedules");
    assert.equal(rows.length, 0);
    const ok = await h.command("alice", work, 'schedule "0 9 * * 1-5" post the standup summary');
    assert.match(await h.replyTo(ok.id), /scheduled `/);
  });

  it("takes a download that answers a web page (Slack's sign-in page) as an error, not a file", LIMIT, async () => {
    const files = [
      { id: "F1", name: "report.pdf", url_private_download: `${filesUrl}/signin.pdf`, size: 90, mimetype: "application/pdf" },
      { id: "F2", name: "dump.bin", url_private_download: `${filesUrl}/sneaky.bin`, size: 40, mimetype: "application/octet-stream" },
      { id: "F3", name: "page.html", url_private_download: `${filesUrl}/page.html`, size: 40, mimetype: "text/html" },
    ];
    const { ts, event } = await h.say("alice", work, `<@${h.slack.bot.userId}> read the attachments`);
    const { channel_type: _c, ...rest } = event;
    await h.deliver({ ...rest, type: "app_mention", files });
    const done = await h.waitForFinish((await h.waitFor("the task", () => h.taskFor(work, ts))).id);
    const prompt = h.api.requests.find((r) => lastUserText(r).includes("read the attachments"))!;
    const text = lastUserText(prompt);
    assert.match(text, /copied into the working directory: attachments\/page\.html\]/);
    assert.match(
      text,
      /could not be copied: report\.pdf \(Slack answered with a web page instead of the file: the app may lack the files:read permission\), dump\.bin \(Slack answered with a web page/,
    );
    assert.equal(done.status, "succeeded");
  });
});
