// The keys stored with tasks and sandboxes: who acted on a task ("slack:U123", "cli:alice") and
// which conversation a sandbox belongs to ("C123/1700000000.000100"), written and read back.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cliActor, describeActor, parseActor, slackActor } from "../../src/tasks/actor.ts";
import { conversationKey, parseConversationKey } from "../../src/tasks/conversation.ts";

describe("actor keys", () => {
  const slackIds = ["U123", "W0ABCDEF12", "U:odd", "日本", "a\u0000b"];
  for (const userId of slackIds) {
    it(`a Slack user ${JSON.stringify(userId)} reads back as itself`, () => {
      assert.equal(slackActor(userId), `slack:${userId}`);
      assert.deepEqual(parseActor(slackActor(userId)), { kind: "slack", userId });
      assert.equal(describeActor(slackActor(userId)), `Slack user ${userId}`);
    });
  }

  const logins = ["alice", "ALICE_SMITH", "DOMAIN\\bob", "a:b", "josé", "x".repeat(10_000)];
  for (const login of logins) {
    it(`a command-line login ${JSON.stringify(login.slice(0, 20))} reads back as itself`, () => {
      assert.equal(cliActor(login), `cli:${login}`);
      assert.deepEqual(parseActor(cliActor(login)), { kind: "cli", login });
      assert.equal(describeActor(cliActor(login)), `${login} on the command line`);
    });
  }

  const malformed = ["", ":", "slack", "slack:", "cli:", ":U123", "U123", "SLACK:U123", "Cli:alice", " slack:U123", "email:a@b.c", "\u0000:x"];
  for (const key of malformed) {
    it(`${JSON.stringify(key)} is no actor, and is described as it is`, () => {
      assert.equal(parseActor(key), null);
      assert.equal(describeActor(key), key);
    });
  }

  it("an empty id writes a key that reads back as no actor", () => {
    assert.equal(parseActor(slackActor("")), null);
    assert.equal(parseActor(cliActor("")), null);
  });
});

describe("conversation keys", () => {
  const pairs: Array<[channelId: string, threadTs: string]> = [
    ["C123", "1700000000.000100"],
    ["D0ABC", "1"],
    ["G1", "1700000000.000100/extra"],
    ["C日本", "😀"],
  ];
  for (const [channelId, threadTs] of pairs) {
    it(`${channelId} and ${threadTs} read back as themselves`, () => {
      const key = conversationKey({ channelId, threadTs });
      assert.equal(key, `${channelId}/${threadTs}`);
      assert.deepEqual(parseConversationKey(key!), { channelId, threadTs });
    });
  }

  const noConversation: Array<[channelId: string | null, threadTs: string | null]> = [
    [null, null],
    ["C123", null],
    [null, "1700000000.000100"],
    ["", "1700000000.000100"],
    ["C123", ""],
  ];
  for (const [channelId, threadTs] of noConversation) {
    it(`no key without both a channel and a thread (${JSON.stringify(channelId)}, ${JSON.stringify(threadTs)})`, () => {
      assert.equal(conversationKey({ channelId, threadTs }), null);
    });
  }

  const malformed = ["", "/", "C123", "C123/", "/1700000000.000100", "//"];
  for (const key of malformed) {
    it(`${JSON.stringify(key)} is no conversation`, () => assert.equal(parseConversationKey(key), null));
  }

  it("the thread is everything after the first slash", () => {
    assert.deepEqual(parseConversationKey("C1/a/b"), { channelId: "C1", threadTs: "a/b" });
    assert.deepEqual(parseConversationKey("C1//"), { channelId: "C1", threadTs: "/" });
  });
});
