// Secrets that are not environment variables (MCP_CONFIG headers and env values, E2B_MCP_SERVERS)
// and secrets that appear mid-task (in a todo, in the command running now, in a refusal) never
// reach Slack: not the live card, not `/agent status`, not the result, not a reply.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startHarness, type Harness } from "./slack-harness.ts";
import type { RecordedRequest, Reply } from "../doubles/messages-api.ts";

const LIMIT = { timeout: 90_000 };
const HEADER_TOKEN = "mcp-header-canary-5d1e8b";
const ENV_TOKEN = "mcp-env-canary-a93f02";
const E2B_TOKEN = "e2b-mcp-canary-77c1d4";
const CANARIES = [HEADER_TOKEN, ENV_TOKEN, E2B_TOKEN];

let release: () => void = () => {};
const running = new Promise<void>((resolve) => (release = resolve));
let started: () => void = () => {};
const inFirstCommand = new Promise<void>((resolve) => (started = resolve));

async function script(req: RecordedRequest): Promise<Reply> {
  const turn = req.body.messages.filter((m) => m.role === "assistant").length;
  if (turn === 0) {
    return {
      toolCalls: [
        {
          name: "write_todos",
          input: {
            todos: [
              { content: `call the API with ${HEADER_TOKEN}`, status: "in_progress" },
              { content: `then ${ENV_TOKEN}`, status: "pending" },
            ],
          },
        },
        { name: "execute", input: { command: `echo ${E2B_TOKEN} > seen.txt` } },
      ],
    };
  }
  if (turn === 1) {
    started();
    await running;
    return { toolCalls: [{ name: "execute", input: { command: `sleep 0.2 # ${HEADER_TOKEN}` } }] };
  }
  return { text: `Done. Tokens: ${CANARIES.join(", ")}` };
}

describe("secrets kept out of Slack", () => {
  let h: Harness;
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "secrets-slack-"));
    const mcpConfig = path.join(dir, "mcp.json");
    await fs.writeFile(
      mcpConfig,
      JSON.stringify({
        mcpServers: {
          remote: { url: "http://127.0.0.1:9/mcp", headers: { Authorization: `Bearer ${HEADER_TOKEN}` } },
          local: { command: "false", env: { API_TOKEN: ENV_TOKEN } },
        },
      }),
    );
    h = await startHarness({ script, worker: true, env: { MCP_CONFIG: mcpConfig, E2B_MCP_SERVERS: JSON.stringify({ exa: { apiKey: E2B_TOKEN } }) } });
  });
  after(async () => {
    // A failed assertion must not leave the model double holding the worker (close would wait on it).
    release();
    await h?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("shows the plan, the running command, the status and the result without them", LIMIT, async () => {
    const work = h.slack.channels["work"]!;
    const { ts } = await h.mention("alice", work, "use the tokens");
    const task = await h.waitFor("the task", () => h.taskFor(work, ts));
    await inFirstCommand;
    // The card has shown the plan by now; ask for the status while the task runs.
    await h.waitFor("a card update with the plan", async () => h.slack.callsOf("chat.update").some((c) => JSON.stringify(c.params).includes("call the API with")));
    // The task's record takes the plan a moment after the card (its writes are coalesced).
    await h.waitFor("the plan in the task's record", async () => ((await h.taskFor(work, ts))?.todos.length ?? 0) > 0);
    const { id } = await h.command("alice", work, `status ${task.id.slice(0, 8)}`);
    const status = await h.replyTo(id);
    assert.match(status, /Plan: 0\/2 done · now: call the API with \[secret\]/);
    release();
    const done = await h.waitForFinish(task.id);
    assert.equal(done.status, "succeeded");
    assert.ok(
      CANARIES.every((c) => done.result?.includes(c)),
      "the agent did write them",
    );

    const posted = JSON.stringify([h.slack.calls.map((c) => c.params), h.slack.responses.map((r) => r.body)]);
    for (const canary of CANARIES) assert.ok(!posted.includes(canary), `${canary} reached Slack`);
    assert.match(posted, /Tokens: \[secret\], \[secret\], \[secret\]/);
    const logs = h.logs.join("");
    for (const canary of CANARIES) assert.ok(!logs.includes(canary), `${canary} reached the logs`);
  });
});
