// /healthz's liveness probe against a really blocked file thread pool: four reads of FIFOs with
// no writer hold every libuv thread, as a hostile task once did to a whole worker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startLiveness } from "../../src/shared/liveness.ts";

test("reports a blocked file thread pool, and recovers once it is free", { timeout: 90_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "liveness-"));
  const fifos = [0, 1, 2, 3].map((i) => path.join(dir, `fifo-${i}`));
  for (const fifo of fifos) assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
  const liveness = startLiveness({ path: dir, intervalMs: 100, stuckAfterMs: 500 });
  try {
    await until(() => liveness.check().ok, "healthy at first");
    // Each open of a FIFO for reading waits for a writer, on a thread of the pool.
    const opened = fifos.map((fifo) => fs.promises.open(fifo, "r"));
    await until(() => !liveness.check().ok, "reported as blocked");
    const report = liveness.check();
    assert.equal(report.ok, false);
    assert.match(!report.ok ? report.reason : "", /file thread pool is blocked/);
    // A writer from another process frees each thread.
    const writers = fifos.map((fifo) => spawn("sh", ["-c", `exec 3>${fifo}; sleep 0.2`]));
    for (const handle of await Promise.all(opened)) await handle.close();
    await Promise.all(writers.map((w) => new Promise((r) => w.on("exit", r))));
    await until(() => liveness.check().ok, "healthy again");
  } finally {
    liveness.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`never ${what}`);
}
