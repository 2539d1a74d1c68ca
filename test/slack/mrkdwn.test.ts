// Markdown as the model writes it, turned into what Slack renders.
import { test } from "node:test";
import assert from "node:assert/strict";
import { markdownToMrkdwn } from "../../src/slack/render/mrkdwn.ts";

test("emphasis, strike-through, headings and links become Slack's forms", () => {
  assert.equal(markdownToMrkdwn("**bold** and *italic* and _also_ and ~~gone~~"), "*bold* and _italic_ and _also_ and ~gone~");
  assert.equal(markdownToMrkdwn("## Results\nAll green."), "*Results*\nAll green.");
  assert.equal(markdownToMrkdwn("See [the PR](https://github.com/o/r/pull/1) and <https://example.com>."), "See <https://github.com/o/r/pull/1|the PR> and <https://example.com>.");
  assert.equal(markdownToMrkdwn("***both***"), "*_both_*");
});

test("lists, task lists and quotes", () => {
  assert.equal(markdownToMrkdwn("- one\n- two\n  - nested\n* star"), "• one\n• two\n    • nested\n• star");
  assert.equal(markdownToMrkdwn("- [x] done\n- [ ] todo"), "• ☑ done\n• ☐ todo");
  assert.equal(markdownToMrkdwn("> quoted **text**"), "> quoted *text*");
});

test("code is kept as written: no formatting inside, fences without the language", () => {
  const md = "Run:\n```bash\necho **not bold** <tag>\n```\nthen `a*b*c` and **done**";
  assert.equal(markdownToMrkdwn(md), "Run:\n```\necho **not bold** &lt;tag&gt;\n```\nthen `a*b*c` and *done*");
});

test("markup characters are escaped, so output cannot ping a channel or forge a mention", () => {
  assert.equal(markdownToMrkdwn("if a < b && c > d <!channel> <@U123>"), "if a &lt; b &amp;&amp; c &gt; d &lt;!channel&gt; &lt;@U123&gt;");
  assert.equal(markdownToMrkdwn("[click](javascript:alert(1))"), "[click](javascript:alert(1))");
});

test("tables become a monospaced block", () => {
  const md = "| name | ms |\n|------|---:|\n| a | 12 |\n| b | 3 |\n\nafter";
  assert.equal(markdownToMrkdwn(md), "```\n| name | ms |\n| a | 12 |\n| b | 3 |\n```\n\nafter");
});
