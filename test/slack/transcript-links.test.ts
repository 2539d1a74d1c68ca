// The progress card and the result message link to the task's transcript at PUBLIC_URL, and the
// link opens the page: the command the agent ran and what it printed.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { lastToolResults, type RecordedRequest, type Reply } from "../doubles/messages-api.ts";
import { startHarness, type Harness } from "./slack-harness.ts";

const PUBLIC_URL = "https://deep-agent.example.test";
const LINK = new RegExp(`<(${PUBLIC_URL.replaceAll(".", "\\.")}/tasks/[0-9a-f-]{36}\\?t=[A-Za-z0-9_-]{43})\\|Transcript>`);

async function script(req: RecordedRequest): Promise<Reply> {
  return lastToolResults(req).length > 0 ? { text: "All listed." } : { toolCalls: [{ name: "execute", input: { command: "echo listed-by-the-agent" } }] };
}

describe("transcript links in Slack", () => {
  let h: Harness;
  let work: string;
  before(async () => {
    h = await startHarness({ worker: true, script, env: { PUBLIC_URL } });
    work = h.slack.channels["work"]!;
  });
  after(() => h?.close());

  it("the card and the result link to the transcript, and the link opens it", { timeout: 90_000 }, async () => {
    const { ts } = await h.mention("alice", work, "list the files");
    const task = await h.waitFor("the task", () => h.taskFor(work, ts));
    await h.waitForFinish(task.id);
    const thread = await h.waitFor("the result", async () => {
      const t = await h.thread(work, ts);
      return t.length >= 3 ? t : null;
    });
    const card = JSON.stringify(thread[1]!.blocks);
    const result = JSON.stringify(thread[2]!.blocks);
    const fromCard = LINK.exec(card)?.[1];
    assert.ok(fromCard, card);
    assert.ok(fromCard.includes(task.id));
    assert.equal(LINK.exec(result)?.[1], fromCard, "the result links to the same transcript");

    // The link's path and token, on this process's HTTP server.
    const page = await fetch(`http://127.0.0.1:${h.http.port}${fromCard.slice(PUBLIC_URL.length)}`);
    assert.equal(page.status, 200);
    const body = await page.text();
    assert.match(body, /\$ echo listed-by-the-agent/);
    assert.match(body, /All listed\./);
  });
});
