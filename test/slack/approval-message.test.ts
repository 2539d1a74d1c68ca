// The approval request as Slack shows it, for hostile inputs: whatever the command holds (Slack
// markup, backticks, NUL bytes, a secret, a megabyte of `&`), the message stays one code block that
// fits Slack's limits, pings no one, and shows no secret.
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderApproval, type ApprovalView } from "../../src/slack/render/approval-message.ts";
import { createScrubber } from "../../src/shared/scrub-secrets.ts";

const SECRET = "xoxb-secret-token-0123456789abcdef";
const scrubber = createScrubber([SECRET]);
const scrub = (text: string) => scrubber.scrub(text);

const view = (command: string, extra: Partial<ApprovalView> = {}): ApprovalView => ({
  id: "6f1c2b0e-0000-4000-8000-000000000001",
  taskId: "3f2a9c1e-0000-4000-8000-000000000002",
  kind: "tool",
  tool: "execute",
  input: { command },
  rule: "execute:git push*",
  summary: `execute: ${command}`,
  status: "pending",
  requester: "U123",
  timeoutSeconds: 86_400,
  ...extra,
});

const sections = (blocks: unknown[]) => blocks.filter((b): b is { type: "section"; text: { text: string } } => (b as { type: string }).type === "section").map((b) => b.text.text);

test("the call is one code block: markup escaped, backticks cannot close it, NULs shown, secrets gone", () => {
  const command = `git push <!channel> <@U999> \`\`\` *bold* \0 ${SECRET}`;
  const { text, blocks } = renderApproval(view(command), scrub);
  const code = sections(blocks)[1]!;
  assert.ok(code.startsWith("```\n") && code.endsWith("\n```"));
  assert.equal(code.slice(4, -4).includes("```"), false, "the command cannot end the block early");
  assert.match(code, /&lt;!channel&gt; &lt;@U999&gt;/);
  assert.match(code, /␀/);
  assert.doesNotMatch(JSON.stringify({ text, blocks }), new RegExp(`${SECRET}|<!channel>|<@U999>|\\u0000`));
  assert.match(text, /^Approval needed: execute: git push/);
  assert.match(JSON.stringify(blocks), /<@U123> or an admin can decide/);
  assert.match(JSON.stringify(blocks), /counts as denied if no one decides within 24 hours/);
});

test("a huge input is cut to fit a section, even when escaping lengthens it", () => {
  for (const command of ["&".repeat(1_000_000), "x".repeat(1_000_000), "<>".repeat(100_000)]) {
    const { text, blocks } = renderApproval(view(command), scrub);
    for (const s of sections(blocks)) assert.ok(s.length <= 3000, `section of ${s.length} characters`);
    assert.ok(text.length <= 4000);
    assert.match(sections(blocks)[1]!, /more characters not shown/);
  }
});

test("decided: the buttons go and the decision is said", () => {
  const decided = renderApproval(view("git push", { status: "denied", decidedBy: "slack:U777" }), scrub);
  assert.equal(
    decided.blocks.some((b) => b.type === "actions"),
    false,
  );
  assert.match(decided.text, /^Denied by <@U777>: execute: git push/);
  const cli = renderApproval(view("git push", { status: "approved", decidedBy: "cli:<script>" }), scrub);
  assert.match(JSON.stringify(cli.blocks), /Approved by &lt;script&gt; \(command line\)/);
  const timedOut = renderApproval(view("git push", { status: "timed_out", timeoutSeconds: 90 }), scrub);
  assert.match(timedOut.text, /^Timed out/);
  assert.match(JSON.stringify(timedOut.blocks), /no one decided within 90 seconds, so it was not run/);
});
