// Approvals through the real Bolt app, queue, lifecycle and worker pool, with the scripted model:
// a call a REQUIRE_APPROVAL rule names is not run; the task waits (no worker holds it) with a
// request in its thread; the asker's (or an admin's) signed button press decides it, once; the
// continuation resumes from the checkpoint and the model gets the result, or an error saying who
// denied it or that time ran out. Also the spending limit's Continue / Stop.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { lastToolResults, type RecordedRequest, type Reply } from "../doubles/messages-api.ts";
import type { SlackMessage } from "../doubles/slack/slack-workspace.ts";
import { databaseTargets } from "../helpers/test-database.ts";
import { taskTextOf, turnOf } from "../worker/scripted-tasks.ts";
import { registry } from "../../src/shared/metrics.ts";
import { createApprovalRepo, type Approval } from "../../src/store/approval-repo.ts";
import type { Task } from "../../src/store/task-repo.ts";
import { startHarness, type Harness } from "./slack-harness.ts";

const LIMIT = { timeout: 120_000 };
const SECRET = "ghp_approvalSecretToken0123456789abcdef";

/** Turn 1 runs `touch ran-<case>` (the rule `execute:touch *` names it); turn 2 reports what it got back. */
function script(req: RecordedRequest): Reply {
  const tag = /case-([\w-]+)/.exec(taskTextOf(req))?.[1] ?? "x";
  // "quick" asks for nothing the rules name.
  const command = tag === "quick" ? "echo quick" : `touch ran-${tag} && echo ran ${tag} ${tag.includes("secret") ? SECRET : ""}`;
  if (turnOf(req) === 1) return { toolCalls: [{ name: "execute", input: { command } }] };
  const result = lastToolResults(req)[0];
  return { text: `${result?.is_error ? "ERROR" : "OK"}: ${result?.content ?? "(nothing)"}` };
}

const approvalEnv =
  (extra: Record<string, string> = {}) =>
  (slack: { users: Record<string, string> }) => ({
    REQUIRE_APPROVAL: "execute:git push*,execute:touch *",
    SLACK_ADMIN_USERS: slack.users["carol"]!,
    GITHUB_TOKEN: SECRET,
    ...extra,
  });

function buttonsOf(message: SlackMessage | undefined): Array<{ action_id: string; value: string; text: string }> {
  const actions = (message?.blocks ?? []).find((b) => b["type"] === "actions") as { elements?: Array<{ action_id: string; value: string; text: { text: string } }> } | undefined;
  return (actions?.elements ?? []).map((e) => ({ action_id: e.action_id, value: e.value, text: e.text.text }));
}

async function requestMessage(h: Harness, task: Task): Promise<SlackMessage> {
  const meta = task.meta["slack"] as { channel: string; threadTs: string };
  return h.waitFor("the approval request in the thread", async () =>
    (await h.thread(meta.channel, meta.threadTs)).find((m) => buttonsOf(m).some((b) => b.action_id === "deep_agent_approve")),
  );
}

async function waiting(h: Harness, channel: string, ts: string): Promise<{ task: Task; approval: Approval; message: SlackMessage }> {
  const task = await h.waitFor("the task to wait for a decision", async () => {
    const t = await h.taskFor(channel, ts);
    return t?.status === "waiting" ? t : null;
  });
  const approval = (await createApprovalRepo(h.stack.db).pendingOf(task.id))!;
  const message = await requestMessage(h, task);
  return { task, approval, message };
}

const press = (h: Harness, person: string, channel: string, message: SlackMessage, actionId: string, value: string) => h.press(person, { actionId, value, channel, messageTs: message.ts });

function requestsOf(h: Harness, tag: string): RecordedRequest[] {
  return h.api.requests.filter((r) => taskTextOf(r).includes(`case-${tag}`));
}

function sandboxFile(h: Harness, task: Task, name: string): string {
  return path.join(h.config.DATA_DIR, "sandboxes", task.sandboxId ?? task.id, name);
}

async function metric(name: string): Promise<string> {
  return (await registry.getSingleMetricAsString(name)) ?? "";
}

for (const kind of databaseTargets()) {
  describe(`approvals in Slack on ${kind}`, () => {
    let h: Harness;
    let work: string;
    before(async () => {
      h = await startHarness({ database: kind, worker: true, script, env: approvalEnv() });
      work = h.slack.channels["work"]!;
    });
    after(() => h?.close());

    it("approve: the call waits, the asker approves, it runs and the model gets its result", LIMIT, async () => {
      const { ts } = await h.mention("alice", work, "please case-approve");
      const { task, approval, message } = await waiting(h, work, ts);
      assert.equal(requestsOf(h, "approve").length, 1, "no model call while it waits");
      assert.equal(existsSync(sandboxFile(h, task, "ran-approve")), false, "the command did not run before the decision");
      assert.equal(task.worker, null, "no worker holds a waiting task");
      // What was asked is recorded with the task: who, what, when.
      assert.equal(approval.kind, "tool");
      assert.equal(approval.tool, "execute");
      assert.match(String(approval.input["command"]), /^touch ran-approve/);
      assert.equal(approval.rule, "execute:touch *");
      assert.equal(approval.asker, `slack:${h.slack.users["alice"]}`);
      assert.equal(approval.messageTs, message.ts);
      // The request in the thread: the tool, its input in a code block, two buttons naming the request.
      const buttons = buttonsOf(message);
      assert.deepEqual(
        buttons.map((b) => [b.action_id, b.value]),
        [
          ["deep_agent_approve", approval.id],
          ["deep_agent_deny", approval.id],
        ],
      );
      const shown = JSON.stringify(message.blocks);
      assert.match(shown, /```\\ntouch ran-approve/);
      assert.match(shown, /execute/);
      // The progress card says it waits.
      const card = await h.slack.message(work, (task.meta["slack"] as { progressTs: string }).progressTs);
      assert.match(card!.text, /^Waiting for approval/);
      assert.match(JSON.stringify(card!.blocks), /Waiting for approval/);
      // /agent queue shows it waiting.
      const q = await h.command("alice", work, "queue");
      assert.match(await h.replyTo(q.id), /waiting for approval/);

      const decisionsBefore = await metric("deep_agent_approvals_total");
      const click = await press(h, "alice", work, message, "deep_agent_approve", approval.id);
      assert.equal(click.status, 200);
      const done = await h.waitForFinish(task.id);
      assert.equal(done.status, "succeeded", done.failure?.detail);
      assert.match(done.result ?? "", /^OK: ran approve/);
      assert.equal(existsSync(sandboxFile(h, done, "ran-approve")), true, "it ran in the sandbox the task had kept");
      assert.equal(requestsOf(h, "approve").filter((r) => turnOf(r) === 1).length, 1, "resumed from the checkpoint: turn 1 was not asked again");
      const updated = await h.slack.message(work, message.ts);
      assert.match(updated!.text, /^Approved by/);
      assert.equal(buttonsOf(updated).length, 0, "the buttons are gone");
      assert.match(JSON.stringify(updated!.blocks), new RegExp(`Approved by <@${h.slack.users["alice"]}>`));
      const stored = (await createApprovalRepo(h.stack.db).ofTask(task.id))[0]!;
      assert.equal(stored.status, "approved");
      assert.equal(stored.decidedBy, `slack:${h.slack.users["alice"]}`);
      assert.ok(stored.decidedAt && stored.decidedAt >= stored.requestedAt);
      assert.notEqual(await metric("deep_agent_approvals_total"), decisionsBefore);
      assert.match(await metric("deep_agent_approvals_total"), /decision="approved"/);
      assert.match(await metric("deep_agent_approval_decision_seconds"), /deep_agent_approval_decision_seconds_count\{decision="approved"\} [1-9]/);
    });

    it("deny: the call is not run and the model is told who denied it", LIMIT, async () => {
      const { ts } = await h.mention("alice", work, "please case-deny");
      const { task, approval, message } = await waiting(h, work, ts);
      await press(h, "alice", work, message, "deep_agent_deny", approval.id);
      const done = await h.waitForFinish(task.id);
      assert.equal(done.status, "succeeded", "the agent goes on after a denial");
      const result = lastToolResults(requestsOf(h, "deny").at(-1)!)[0]!;
      assert.equal(result.is_error, true);
      assert.match(result.content, new RegExp(`Slack user ${h.slack.users["alice"]} denied it`));
      assert.equal(existsSync(sandboxFile(h, done, "ran-deny")), false, "the command never ran");
      const updated = await h.slack.message(work, message.ts);
      assert.match(updated!.text, /^Denied by/);
      assert.equal(buttonsOf(updated).length, 0);
    });

    it("a colleague's press is refused, only to them; an admin may decide", LIMIT, async () => {
      const { ts } = await h.mention("alice", work, "please case-colleague");
      const { task, approval, message } = await waiting(h, work, ts);
      const bob = await press(h, "bob", work, message, "deep_agent_approve", approval.id);
      assert.match(await h.replyTo(bob.id), /Only <@.*>, who asked for this task, or an admin can decide/);
      const reply = h.slack.responses.find((r) => r.id === bob.id)!;
      assert.equal(reply.body["response_type"], "ephemeral");
      assert.equal(reply.body["replace_original"], false);
      await h.idle();
      assert.equal((await h.task(task.id))!.status, "waiting", "nothing changed");
      assert.equal((await createApprovalRepo(h.stack.db).get(approval.id))!.status, "pending");
      // A forged value (another request's id, or junk) decides nothing either.
      const junk = await press(h, "alice", work, message, "deep_agent_approve", "../../etc/passwd");
      assert.match(await h.replyTo(junk.id), /not open/);

      await press(h, "carol", work, message, "deep_agent_approve", approval.id);
      const done = await h.waitForFinish(task.id);
      assert.equal(done.status, "succeeded");
      assert.match(done.result ?? "", /^OK: ran colleague/);
      assert.match((await h.slack.message(work, message.ts))!.text, new RegExp(`Approved by <@${h.slack.users["carol"]}>`));
    });

    it("two quick presses make one decision and one continuation", LIMIT, async () => {
      const { ts } = await h.mention("alice", work, "please case-double");
      const { task, approval, message } = await waiting(h, work, ts);
      const [a, b] = await Promise.all([press(h, "alice", work, message, "deep_agent_approve", approval.id), press(h, "alice", work, message, "deep_agent_deny", approval.id)]);
      const done = await h.waitForFinish(task.id);
      await h.idle();
      const stored = await createApprovalRepo(h.stack.db).ofTask(task.id);
      assert.equal(stored.length, 1);
      const decision = stored[0]!.status;
      assert.ok(decision === "approved" || decision === "denied", decision);
      // The presser that lost is told; the winner's decision stands and was carried out once.
      const replies = [a, b].flatMap((p) => h.slack.responses.filter((r) => r.id === p.id).map((r) => String(r.body["text"])));
      assert.equal(replies.length, 1, `one "already decided" reply: ${replies}`);
      assert.match(replies[0]!, decision === "approved" ? /Already approved/ : /Already denied/);
      assert.equal(requestsOf(h, "double").filter((r) => turnOf(r) === 2).length, 1, "one continuation");
      assert.equal(done.attempt, 2, "the first attempt paused, one more continued it");
      assert.match(done.result ?? "", decision === "approved" ? /^OK/ : /^ERROR/);
    });

    it("a secret in the call's input never reaches Slack", LIMIT, async () => {
      const { ts } = await h.mention("alice", work, "please case-secret");
      const { task, approval, message } = await waiting(h, work, ts);
      assert.ok(String(approval.input["command"]).includes(SECRET), "the record keeps the call as it was");
      assert.doesNotMatch(JSON.stringify(message), new RegExp(SECRET));
      await press(h, "alice", work, message, "deep_agent_deny", approval.id);
      await h.waitForFinish(task.id);
      for (const call of h.slack.calls) assert.doesNotMatch(JSON.stringify(call.params), new RegExp(SECRET), call.method);
    });

    it("a waiting task can be cancelled: settled at once, its request withdrawn", LIMIT, async () => {
      const { ts } = await h.mention("alice", work, "please case-cancel");
      const { task, approval, message } = await waiting(h, work, ts);
      const { id } = await h.command("alice", work, `cancel ${task.id}`);
      assert.match(await h.replyTo(id), /Cancelled task/);
      const done = await h.waitForFinish(task.id);
      assert.equal(done.status, "cancelled");
      await h.waitFor("the request to say it is no longer needed", async () => /No longer needed/.test((await h.slack.message(work, message.ts))!.text));
      assert.equal((await createApprovalRepo(h.stack.db).get(approval.id))!.status, "withdrawn");
      const late = await press(h, "alice", work, message, "deep_agent_approve", approval.id);
      assert.match(await h.replyTo(late.id), /not open any more/);
      assert.equal(requestsOf(h, "cancel").length, 1, "it never ran again");
    });
  });

  describe(`approval timeout on ${kind}`, () => {
    let h: Harness;
    let work: string;
    before(async () => {
      h = await startHarness({ database: kind, worker: true, script, env: approvalEnv({ APPROVAL_TIMEOUT_SECONDS: "1" }) });
      work = h.slack.channels["work"]!;
    });
    after(() => h?.close());

    it("no decision in time counts as a denial: the model is told time ran out", LIMIT, async () => {
      const { ts } = await h.mention("alice", work, "please case-timeout");
      const task = await h.waitFor("the task", () => h.taskFor(work, ts));
      const done = await h.waitForFinish(task.id);
      assert.equal(done.status, "succeeded");
      const result = lastToolResults(requestsOf(h, "timeout").at(-1)!)[0]!;
      assert.equal(result.is_error, true);
      assert.match(result.content, /no one gave it within 1 second/);
      const stored = (await createApprovalRepo(h.stack.db).ofTask(task.id))[0]!;
      assert.equal(stored.status, "timed_out");
      assert.equal(stored.decidedBy, null);
      const message = await h.slack.message(work, stored.messageTs!);
      assert.match(message!.text, /^Timed out/);
      assert.equal(buttonsOf(message).length, 0);
      assert.match(await metric("deep_agent_approvals_total"), /decision="timed_out"/);
    });
  });

  describe(`a waiting task holds no worker on ${kind}`, () => {
    let h: Harness;
    let work: string;
    before(async () => {
      h = await startHarness({ database: kind, worker: true, script, env: approvalEnv({ WORKER_CONCURRENCY: "1" }) });
      work = h.slack.channels["work"]!;
    });
    after(() => h?.close());

    it("with WORKER_CONCURRENCY=1, a second task completes while the first waits", LIMIT, async () => {
      const first = await h.mention("alice", work, "please case-first");
      const { task, approval, message } = await waiting(h, work, first.ts);
      // This one needs no approval: `echo` is not `touch`.
      const second = await h.mention("bob", work, "case-quick: just answer");
      const other = await h.waitFor("the second task", () => h.taskFor(work, second.ts));
      const otherDone = await h.waitForFinish(other.id);
      assert.equal(otherDone.status, "succeeded");
      assert.equal((await h.task(task.id))!.status, "waiting", "the first still waits");
      await press(h, "alice", work, message, "deep_agent_approve", approval.id);
      const done = await h.waitForFinish(task.id);
      assert.equal(done.status, "succeeded");
      assert.match(done.result ?? "", /^OK: ran first/);
    });
  });

  describe(`the spending limit on ${kind}`, () => {
    let h: Harness;
    let work: string;
    before(async () => {
      // The first model call of these scripted tasks costs about half a cent at the default price.
      h = await startHarness({
        database: kind,
        worker: true,
        env: (slack) => ({ TASK_BUDGET_USD: "0.005", SLACK_ADMIN_USERS: slack.users["carol"]! }),
        script: (req) =>
          turnOf(req) < 3 ? { toolCalls: [{ name: "execute", input: { command: `echo step ${turnOf(req)}` } }] } : { text: `spent and done: ${lastToolResults(req)[0]?.content}` },
      });
      work = h.slack.channels["work"]!;
    });
    after(() => h?.close());

    async function budgetRequest(task: Task): Promise<{ approval: Approval; message: SlackMessage }> {
      const approval = await h.waitFor("a spending limit request", async () => {
        const t = await h.task(task.id);
        return t?.status === "waiting" ? createApprovalRepo(h.stack.db).pendingOf(task.id) : null;
      });
      const meta = task.meta["slack"] as { channel: string; threadTs: string };
      const message = await h.waitFor("its message", async () => (await h.thread(meta.channel, meta.threadTs)).find((m) => buttonsOf(m)[0]?.value === approval.id));
      return { approval, message };
    }

    it("pauses at the limit and asks Continue (another $N) / Stop; Continue lets it go on", LIMIT, async () => {
      const { ts } = await h.mention("alice", work, "spend some case-budget");
      const task = await h.waitFor("the task", () => h.taskFor(work, ts));
      let asked = 0;
      // Each Continue allows another $0.005; a few may be needed, bounded.
      for (let i = 0; i < 8; i++) {
        const now = await h.waitFor("the task to wait or finish", async () => {
          const t = await h.task(task.id);
          return t && t.status !== "queued" && t.status !== "running" ? t : null;
        });
        if (now.status !== "waiting") break;
        const { approval, message } = await budgetRequest(task);
        asked++;
        assert.equal(approval.kind, "budget");
        assert.ok(Number(approval.input["spent_usd"]) >= Number(approval.input["limit_usd"]), JSON.stringify(approval.input));
        assert.equal(approval.input["limit_usd"], 0.005 * asked);
        assert.deepEqual(
          buttonsOf(message).map((b) => b.text),
          ["Continue (another $0.005)", "Stop"],
        );
        assert.match(JSON.stringify(message.blocks), /Spending limit reached.*spent ≈\$0\.00\d+ \(its limit is \$0\.0\d+, estimated\)/);
        await press(h, "alice", work, message, "deep_agent_approve", approval.id);
        await h.waitFor("the decision to land", async () => (await h.task(task.id))!.status !== "waiting");
      }
      assert.ok(asked >= 1, "the limit was reached at least once");
      const done = await h.waitForFinish(task.id);
      assert.equal(done.status, "succeeded", done.failure?.detail);
      assert.match(done.result ?? "", /^spent and done: step 2/);
    });

    it("Stop ends the task at the limit: no further model call", LIMIT, async () => {
      const { ts } = await h.mention("alice", work, "spend more case-stop");
      const task = await h.waitFor("the task", () => h.taskFor(work, ts));
      const { approval, message } = await budgetRequest(task);
      const calls = h.api.requests.filter((r) => taskTextOf(r).includes("case-stop")).length;
      await press(h, "alice", work, message, "deep_agent_deny", approval.id);
      const done = await h.waitForFinish(task.id);
      assert.equal(done.status, "failed");
      assert.equal(done.failure?.code, "budget_exceeded");
      assert.match(done.failure?.detail ?? "", /Slack user .* chose to stop/);
      assert.equal(h.api.requests.filter((r) => taskTextOf(r).includes("case-stop")).length, calls, "no model call after Stop");
      const result = (await h.thread(work, ts)).at(-1)!;
      assert.match(JSON.stringify(result), /spending limit/);
    });
  });
}
