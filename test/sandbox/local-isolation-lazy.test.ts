// The isolation runtime (its proxies, a probe command) starts at a sandbox's first command, not
// when the sandbox is made: a task that runs no command never pays for it. What it finds wrong
// then (user namespaces forbidden) fails that command, with how to fix it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { SandboxManager } from "@anthropic-ai/sandbox-runtime";
import pino from "pino";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";
import { pathWithForbiddenBwrap } from "../doubles/forbidden-bwrap.ts";
import { moduleUrl, runModule } from "../helpers/run-module.ts";

const hasBwrap = spawnSync("sh", ["-c", "command -v bwrap"]).status === 0;

test("where bubblewrap may not create namespaces, create() works and the first command fails saying how to fix it", async (t) => {
  const fake = await pathWithForbiddenBwrap();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "local-iso-lazy-"));
  t.after(async () => {
    await fake.remove();
    await fs.rm(dataDir, { recursive: true, force: true });
  });
  const code = `
    import { LocalSandboxProvider } from ${moduleUrl("../../src/sandbox/local/local-provider.ts", import.meta.url)};
    import { SandboxManager } from ${JSON.stringify(import.meta.resolve("@anthropic-ai/sandbox-runtime"))};
    import pino from ${JSON.stringify(import.meta.resolve("pino"))};
    const provider = new LocalSandboxProvider({ dataDir: ${JSON.stringify(dataDir)}, isolation: "auto", allowedDomains: [], logger: pino({ level: "silent" }) });
    const out = {};
    // A sandbox that only uses the file tools.
    const idle = await provider.create({ taskId: "idle" });
    await idle.writeFile("a.txt", "written");
    out.read = new TextDecoder().decode(await idle.readFile("a.txt"));
    out.startedByFiles = SandboxManager.getProxyPort() !== undefined;
    await idle.close();
    const s = await provider.create({ taskId: "t1" });
    out.created = true;
    const failures = [];
    for (let i = 0; i < 2; i++) {
      try { await s.exec("echo ran", { timeoutMs: 10000 }); failures.push({ ran: true }); }
      catch (e) { failures.push({ code: e.code, message: e.message }); }
    }
    out.failures = failures;
    out.runningAfterFailure = SandboxManager.getProxyPort() !== undefined;
    await s.close();
    await provider.close();
    console.log(JSON.stringify(out));
  `;
  const r = await runModule(code, { PATH: fake.dir, HOME: os.tmpdir() });
  assert.equal(r.code, 0, r.stderr);
  const out = r.out as { read: string; startedByFiles: boolean; created: boolean; failures: { code?: string; message?: string; ran?: boolean }[]; runningAfterFailure: boolean };
  assert.equal(out.read, "written");
  assert.equal(out.startedByFiles, false, "file tools must not start the runtime");
  assert.equal(out.created, true);
  // The second command tries again (a failure is not kept) and fails the same way.
  assert.equal(out.failures.length, 2);
  for (const failure of out.failures) {
    assert.equal(failure.code, "isolation_unavailable", JSON.stringify(failure));
    assert.match(failure.message!, /setting up uid map: Permission denied/, "bubblewrap's own words");
    assert.match(failure.message!, /kernel\.unprivileged_userns_clone=1/);
    assert.match(failure.message!, /SANDBOX_ISOLATION=none/);
  }
  assert.equal(out.runningAfterFailure, false, "a runtime that failed its probe is stopped");
});

test("the runtime starts at the first command and stops when the provider closes", { skip: hasBwrap ? false : "bubblewrap (bwrap) is not installed" }, async (t) => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "local-iso-lazy-"));
  const provider = new LocalSandboxProvider({ dataDir, isolation: "auto", allowedDomains: [], logger: pino({ level: "silent" }) });
  t.after(async () => {
    await provider.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });
  // The runtime's proxy listens from its start to its stop.
  const running = () => SandboxManager.getProxyPort() !== undefined;
  const s = await provider.create({ taskId: "lazy" });
  await s.writeFile("a.txt", "x");
  await s.list(".");
  assert.equal(running(), false, "made and used without commands: no runtime, no proxy");
  const r = await s.exec("cat a.txt", { timeoutMs: 30_000 });
  assert.equal(r.stdout, "x", r.stderr);
  assert.equal(running(), true);
  await s.close();
  await provider.close();
  assert.equal(running(), false);
});
