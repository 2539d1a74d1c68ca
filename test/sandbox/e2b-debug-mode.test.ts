// The SDK's debug mode (E2B_DEBUG=true): no control plane, sandbox traffic to
// http://localhost:49983, where the envd stand-in listens. The port is fixed, so only this file
// uses it; startDebugEnvd waits for the port if another process holds it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { E2bSandboxProvider } from "../../src/sandbox/e2b/e2b-provider.ts";
import { startDebugEnvd } from "../doubles/e2b/fake-e2b.ts";
import { silentLogger, uniqueSleep, waitUntilGone } from "./e2b-helpers.ts";

let daemon: Awaited<ReturnType<typeof startDebugEnvd>>;
before(async () => {
  daemon = await startDebugEnvd();
});
after(async () => {
  await daemon.close();
});

test("with E2B_DEBUG=true the adapter works against the daemon on localhost:49983", async () => {
  const previous = process.env["E2B_DEBUG"];
  process.env["E2B_DEBUG"] = "true";
  try {
    // No API key and no URLs: debug mode needs neither.
    const provider = new E2bSandboxProvider({ logger: silentLogger, githubToken: "ghp_debug" });
    const sandbox = await provider.create({ taskId: "t-debug" });
    assert.equal(sandbox.id, "debug_sandbox_id");
    assert.equal(sandbox.capabilities.mcpGateway, undefined, "the SDK starts no MCP gateway in debug mode");

    const seen: string[] = [];
    const result = await sandbox.exec("echo hello from debug; exit 4", { timeoutMs: 10_000, onOutput: (c) => seen.push(c) });
    assert.equal(result.exitCode, 4);
    assert.equal(seen.join(""), "hello from debug\n");

    await sandbox.writeFile("debug/out.txt", "written");
    assert.equal(new TextDecoder().decode(await sandbox.readFile("debug/out.txt")), "written");
    assert.deepEqual(
      (await sandbox.list("debug")).map((e) => e.path),
      ["/home/user/debug/out.txt"],
    );

    const marker = uniqueSleep();
    const slow = await sandbox.exec(`sleep ${marker}`, { timeoutMs: 500 });
    assert.equal(slow.timedOut, true);
    assert.deepEqual(await waitUntilGone(marker), []);

    await sandbox.close({ keep: true }); // nothing to pause without a control plane; must not fail
    await assert.rejects(sandbox.exec("true", { timeoutMs: 1000 }), { code: "sandbox_closed" });
  } finally {
    if (previous === undefined) delete process.env["E2B_DEBUG"];
    else process.env["E2B_DEBUG"] = previous;
  }
});
