// AGENT_MODELS: the models a request may pick with `model=<id>`, the first being the default;
// AGENT_MODEL alone still works, and a disagreement between the two is one clear line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/env.ts";
import { hasCode } from "../../src/shared/errors.ts";

test("AGENT_MODELS lists the models; its first is the default", () => {
  const c = loadConfig({ AGENT_MODELS: " claude-a , claude-b,claude-a ,," });
  assert.deepEqual(c.AGENT_MODELS, ["claude-a", "claude-b"]);
  assert.equal(c.AGENT_MODEL, "claude-a");
  assert.equal(loadConfig({ AGENT_MODELS: "claude-a,claude-b", AGENT_MODEL: "claude-a" }).AGENT_MODEL, "claude-a");
});

test("without AGENT_MODELS, AGENT_MODEL (or the built-in default) is the only model", () => {
  assert.deepEqual(loadConfig({ AGENT_MODEL: "claude-x" }).AGENT_MODELS, ["claude-x"]);
  const c = loadConfig({});
  assert.deepEqual(c.AGENT_MODELS, [c.AGENT_MODEL]);
});

test("a bad list or a disagreeing AGENT_MODEL is one line naming the variable", () => {
  for (const env of [{ AGENT_MODELS: "claude a,claude-b" }, { AGENT_MODELS: "claude-a,claude-b", AGENT_MODEL: "claude-b" }]) {
    assert.throws(
      () => loadConfig(env),
      (error: unknown) => hasCode(error, "config_invalid") && /^AGENT_MODELS: /.test((error as Error).message) && !(error as Error).message.includes("\n"),
    );
  }
});
