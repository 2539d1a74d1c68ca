// `/agent usage [days]` through the real Bolt app: estimated spend from stored usage, only to the
// caller; totals for everyone allowed (all tasks, this channel, their own), per-person and
// per-channel lines for admins only.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createTaskRepo } from "../../src/store/task-repo.ts";
import type { Usage } from "../../src/agent/events.ts";
import { databaseTargets } from "../helpers/test-database.ts";
import { startHarness, type Harness } from "./slack-harness.ts";

const LIMIT = { timeout: 60_000 };
const usage = (u: Partial<Usage>): Usage => ({ input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, ...u });

for (const kind of databaseTargets()) {
  describe(`/agent usage on ${kind}`, () => {
    let h: Harness;
    let work: string;
    let ops: string;
    before(async () => {
      h = await startHarness({ database: kind, env: (slack) => ({ SLACK_ADMIN_USERS: slack.users["carol"]!, ALLOWED_SLACK_USERS: slack.users["alice"]! }) });
      work = h.slack.channels["work"]!;
      ops = h.slack.channels["ops"]!;
      const repo = createTaskRepo(h.stack.db);
      const { alice, bob } = h.slack.users as { alice: string; bob: string };
      // At the default (Sonnet) list prices: $3 per million input tokens, $15 per million output, $0.30 per million cache reads.
      const rows: Array<[string, "slack" | "cli", string | null, string | null, Usage, number]> = [
        ["a", "slack", alice, work, usage({ input_tokens: 1_000_000 }), 0], // $3.00
        ["b", "slack", bob, work, usage({ input_tokens: 2_000_000 }), 0], // $6.00
        ["c", "slack", bob, ops, usage({ output_tokens: 100_000 }), 0], // $1.50
        ["d", "slack", alice, "D0ALICEDM", usage({ input_tokens: 500_000 }), 0], // $1.50
        ["e", "cli", "ops-bot", null, usage({ cache_read_input_tokens: 1_000_000 }), 0], // $0.30
        ["old", "slack", alice, work, usage({ input_tokens: 10_000_000 }), 10], // $30, ten days ago
      ];
      for (const [name, source, userId, channelId, u, daysAgo] of rows) {
        const { task } = await repo.insert({ text: `task ${name}`, source, ...(userId ? { userId } : {}), ...(channelId ? { channelId } : {}) });
        await h.stack.db.query("UPDATE tasks SET usage = $2::jsonb, created_at = clock_timestamp() - make_interval(days => $3::int) WHERE id = $1", [task.id, JSON.stringify(u), daysAgo]);
      }
    });
    after(() => h?.close());

    it("shows everyone allowed the totals: all tasks, this channel's, their own; nobody else's lines", LIMIT, async () => {
      const { ack, id } = await h.command("alice", work, "usage");
      assert.equal(ack, null);
      const text = await h.replyTo(id);
      assert.equal(h.slack.responses.find((r) => r.id === id)!.body["response_type"], "ephemeral");
      assert.match(text, /Spend in the last 7 days/);
      assert.match(text, /All tasks: ≈\$12\.30 over 5 tasks/);
      assert.match(text, /In this channel: ≈\$9\.00 over 2 tasks/);
      assert.match(text, /Yours: ≈\$4\.50 over 2 tasks/);
      assert.doesNotMatch(text, /By person|By channel/);
      assert.doesNotMatch(text, new RegExp(h.slack.users["bob"]!), "no one else's spend is named");
      assert.doesNotMatch(text, /ops-bot/);
    });

    it("shows admins the spend by person and by channel", LIMIT, async () => {
      const { id } = await h.command("carol", ops, "usage 30");
      const text = await h.replyTo(id);
      assert.match(text, /Spend in the last 30 days/);
      assert.match(text, /All tasks: ≈\$42\.30 over 6 tasks/);
      assert.match(text, /In this channel: ≈\$1\.50 over 1 task\b/);
      assert.match(text, new RegExp(`• <@${h.slack.users["alice"]}> ≈\\$34\\.50 \\(3 tasks\\)`));
      assert.match(text, new RegExp(`• <@${h.slack.users["bob"]}> ≈\\$7\\.50 \\(2 tasks\\)`));
      assert.match(text, /• `ops-bot` \(command line\) ≈\$0\.30 \(1 task\)/);
      assert.match(text, new RegExp(`• <#${work}> ≈\\$39\\.00 \\(3 tasks\\)`));
      assert.match(text, /• direct messages ≈\$1\.50 \(1 task\)/);
      assert.match(text, /• the command line ≈\$0\.30 \(1 task\)/);
    });

    it("answers bad input with what it takes; people off the allow-list get the refusal", LIMIT, async () => {
      for (const bad of ["usage soon", "usage 0", "usage 9999", "usage -1", "usage 1e3"]) {
        const { id } = await h.command("alice", work, bad);
        assert.match(await h.replyTo(id), /takes a number of days from 1 to 365/, bad);
      }
      const { ack } = await h.command("carol", work, "help");
      assert.match(String(ack?.["text"]), /\/agent usage \[days\]/);
      // bob is off the allow-list: refused, and shown nothing of the spend.
      const refused = await h.command("bob", work, "usage");
      assert.match(String(refused.ack?.["text"]), /only take tasks from people on my allow-list/);
      assert.equal(h.slack.responses.filter((r) => r.id === refused.id).length, 0);
    });
  });
}
