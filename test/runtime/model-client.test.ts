// The Claude client deep-agent builds: the SDK's OpenTelemetry spans are off unless the SDK's own
// switch asks for them (nothing here registers an OpenTelemetry SDK, so they would cost every
// call and record nothing); someone who exports traces turns them on with ANTHROPIC_OPEN_TELEMETRY.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { createModelSettings } from "../../src/runtime/model-client.ts";

const config = { ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: "http://127.0.0.1:9", AGENT_MODEL: "claude-test" };
const saved = process.env["ANTHROPIC_OPEN_TELEMETRY"];

afterEach(() => {
  if (saved === undefined) delete process.env["ANTHROPIC_OPEN_TELEMETRY"];
  else process.env["ANTHROPIC_OPEN_TELEMETRY"] = saved;
});

async function tracesEnabled(): Promise<boolean> {
  const client = await createModelSettings(config).client();
  return client.openTelemetry.traces.enabled;
}

test("without ANTHROPIC_OPEN_TELEMETRY the SDK's spans are off", async () => {
  delete process.env["ANTHROPIC_OPEN_TELEMETRY"];
  assert.equal(await tracesEnabled(), false);
});

test("ANTHROPIC_OPEN_TELEMETRY=true turns them on, and =false keeps them off, as the SDK documents", async () => {
  process.env["ANTHROPIC_OPEN_TELEMETRY"] = "true";
  assert.equal(await tracesEnabled(), true);
  process.env["ANTHROPIC_OPEN_TELEMETRY"] = "false";
  assert.equal(await tracesEnabled(), false);
});
