import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, readdir, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";

test("the sweep removes kept local sandboxes of finished tasks once idle, and nothing else", async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "deep-agent-sweep-"));
  const provider = new LocalSandboxProvider({ dataDir, isolation: "none", allowedDomains: [], logger: pino({ level: "silent" }) });
  try {
    for (const id of ["done-old", "active-old", "done-recent"]) {
      const s = await provider.create({ taskId: id });
      await s.writeFile("note.txt", id);
      await s.close({ keep: true });
    }
    const open = await provider.create({ taskId: "open-now" });
    const old = new Date(Date.now() - 48 * 3600_000);
    for (const id of ["done-old", "active-old", "open-now"]) await utimes(path.join(dataDir, "sandboxes", id), old, old);
    const asked: string[] = [];
    const removed = await provider.sweep({
      isTaskActive: async (id) => {
        asked.push(id);
        return id === "active-old";
      },
      isConversationActive: async () => false,
    });
    assert.equal(removed, 1);
    assert.deepEqual((await readdir(path.join(dataDir, "sandboxes"))).sort(), ["active-old", "done-recent", "open-now"]);
    assert.ok(!asked.includes("open-now"), "a sandbox open in this process is never considered");
    await open.close();
  } finally {
    await provider.dispose();
    await rm(dataDir, { recursive: true, force: true });
  }
});
