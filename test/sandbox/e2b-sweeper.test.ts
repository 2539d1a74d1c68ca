// The sweeper kills our E2B sandboxes whose tasks are over, and nothing else.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Sandbox as SdkSandbox } from "e2b";
import { sweepSandboxes } from "../../src/sandbox/e2b/e2b-sweeper.ts";
import { startFakeE2B, type FakeE2B } from "../doubles/e2b/fake-e2b.ts";
import { providerFor, silentLogger } from "./e2b-helpers.ts";

let fake: FakeE2B;
before(async () => {
  fake = await startFakeE2B();
});
after(async () => {
  await fake.close();
});

const day = 24 * 60 * 60_000;

test("kills sandboxes of long-finished tasks, keeps active ones and other people's", async () => {
  const provider = providerFor(fake);
  const active = await provider.create({ taskId: "active-task" });
  const finished = await provider.create({ taskId: "finished-task" });
  const pausedOld = await provider.create({ taskId: "done-thread-task", labels: { conversation: "C1:1.0" } });
  await pausedOld.close({ keep: true });
  const threadRunning = await provider.create({ taskId: "first-of-thread", labels: { conversation: "C2:2.0" } });
  const notOurs = await SdkSandbox.create("base", { apiKey: fake.apiKey, apiUrl: fake.apiUrl, sandboxUrl: fake.sandboxUrl, metadata: { app: "other" } });
  const connection = { apiKey: fake.apiKey, apiUrl: fake.apiUrl, sandboxUrl: fake.sandboxUrl };

  // Right now everything is too young to sweep.
  const early = await sweepSandboxes({ isTaskActive: (id) => id === "active-task", logger: silentLogger, connection });
  assert.deepEqual(early.killed, []);

  // Two days on: the finished task's sandbox and the old paused one go. The running sandbox of
  // a thread stays, because without isConversationActive a follow-up might be using it.
  const later = await sweepSandboxes({
    isTaskActive: (id) => id === "active-task",
    logger: silentLogger,
    connection,
    now: () => Date.now() + 2 * day,
  });
  assert.deepEqual([...later.killed].sort(), [finished.id, pausedOld.id].sort());
  assert.equal(fake.api.sandbox(active.id)!.state, "running");
  assert.equal(fake.api.sandbox(threadRunning.id)!.state, "running");
  assert.equal(fake.api.sandbox(notOurs.sandboxId)!.state, "running");

  // Told that thread is idle too, its sandbox goes as well; a busy thread keeps its own.
  const withThreads = await sweepSandboxes({
    isTaskActive: (id) => id === "active-task",
    isConversationActive: (key) => key === "C9:busy",
    logger: silentLogger,
    connection,
    now: () => Date.now() + 2 * day,
  });
  assert.deepEqual(withThreads.killed, [threadRunning.id]);
  assert.equal(fake.api.sandbox(active.id)!.state, "running");

  await active.close();
  await notOurs.kill();
});

test("a wrong API key is reported, not swallowed", async () => {
  await assert.rejects(
    sweepSandboxes({
      isTaskActive: () => false,
      logger: silentLogger,
      connection: { apiKey: "e2b_wrong", apiUrl: fake.apiUrl, sandboxUrl: fake.sandboxUrl },
    }),
    /E2B_API_KEY is wrong/,
  );
});
