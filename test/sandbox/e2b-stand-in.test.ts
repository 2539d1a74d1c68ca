// The envd and control-plane stand-ins hold up to SDK features the adapter does not use yet
// (process List/Connect/SendInput/SendSignal, filesystem Move/MakeDir/Remove/Stat), so that
// adapter code built on them later is tested against the same protocol.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CommandExitError, Sandbox, SandboxNotFoundError } from "e2b";
import { startFakeE2B, type FakeE2B } from "../doubles/e2b/fake-e2b.ts";
import { waitFor } from "../helpers/wait-for.ts";

let fake: FakeE2B;
let sandbox: Sandbox;
before(async () => {
  fake = await startFakeE2B();
  sandbox = await Sandbox.create({ apiKey: fake.apiKey, apiUrl: fake.apiUrl, sandboxUrl: fake.sandboxUrl, envs: { GREETING: "hi" } });
});
after(async () => {
  await sandbox.kill();
  await fake.close();
});

test("processes: list, connect, stdin, signal, and create-time envs", async () => {
  assert.equal((await sandbox.commands.run("echo $GREETING")).stdout, "hi\n");

  const handle = await sandbox.commands.run("read line; echo got:$line; sleep 30", { background: true, stdin: true });
  const listed = await sandbox.commands.list();
  assert.ok(listed.some((p) => p.pid === handle.pid && p.args.at(-1)?.includes("read line")));

  const seen: string[] = [];
  const attached = await sandbox.commands.connect(handle.pid, { onStdout: (d) => void seen.push(d) });
  await sandbox.commands.sendStdin(handle.pid, "ping\n");
  await waitFor("the echo of what was sent on stdin", () => seen.join("").includes("got:ping"), 5_000).catch(() => {});
  assert.equal(seen.join(""), "got:ping\n");

  assert.equal(await sandbox.commands.kill(handle.pid), true);
  await assert.rejects(attached.wait(), (error: unknown) => error instanceof CommandExitError && /signal: killed/.test(error.message));
  assert.equal(await sandbox.commands.kill(handle.pid), false, "a finished process is not found");
});

test("filesystem: make, stat, move, remove", async () => {
  assert.equal(await sandbox.files.makeDir("a/b"), true);
  assert.equal(await sandbox.files.makeDir("a/b"), false, "already there");
  await sandbox.files.write("a/b/f.txt", "12345");
  const info = await sandbox.files.getInfo("a/b/f.txt");
  assert.equal(info.path, "/home/user/a/b/f.txt");
  assert.equal(info.size, 5);
  assert.equal(info.type, "file");
  const moved = await sandbox.files.rename("a/b/f.txt", "/tmp/g.txt");
  assert.equal(moved.path, "/tmp/g.txt");
  assert.equal(await sandbox.files.exists("a/b/f.txt"), false);
  assert.equal(await sandbox.files.read("/tmp/g.txt"), "12345");
  await sandbox.files.remove("a");
  assert.equal(await sandbox.files.exists("a"), false);
  assert.equal(await sandbox.isRunning(), true);
});

test("a sandbox that was killed answers as E2B does", async () => {
  const doomed = await Sandbox.create({ apiKey: fake.apiKey, apiUrl: fake.apiUrl, sandboxUrl: fake.sandboxUrl });
  await doomed.kill();
  assert.equal(await doomed.isRunning(), false);
  await assert.rejects(doomed.commands.run("true"), SandboxNotFoundError);
});
