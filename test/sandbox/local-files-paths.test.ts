// How the local file tools resolve paths: component by component from the workdir,
// following links only while they stay inside it.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import pino from "pino";
import type { Sandbox } from "../../src/sandbox/port.ts";
import { CodedError, type ErrorCode } from "../../src/shared/errors.ts";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";

let dataDir: string;
let outsideDir: string;
let provider: LocalSandboxProvider;
let sandbox: Sandbox;
let work: string;

before(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "files-paths-"));
  outsideDir = await fs.mkdtemp(path.join(os.tmpdir(), "files-paths-outside-"));
  await fs.writeFile(path.join(outsideDir, "secret.txt"), "not yours");
  provider = new LocalSandboxProvider({ dataDir, isolation: "none", allowedDomains: [], logger: pino({ level: "silent" }) });
  sandbox = await provider.create({ taskId: "paths" });
  // Its directories are made in the background; the first operation waits for them.
  await sandbox.list(".");
  work = await fs.realpath(sandbox.workdir);
});

after(async () => {
  await sandbox?.close();
  await provider?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
  await fs.rm(outsideDir, { recursive: true, force: true });
});

function refusedAs(code: ErrorCode, mentions?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof CodedError, String(error));
    assert.equal(error.code, code, error.message);
    if (mentions) assert.match(error.message, mentions);
    return true;
  };
}

const text = async (p: string) => Buffer.from(await sandbox.readFile(p)).toString();
const link = (target: string, name: string) => fs.symlink(target, path.join(work, name));

test("links that stay inside are followed: relative, absolute by the real path, through `..`, in chains", async () => {
  await sandbox.writeFile("real/dir/file.txt", "content");
  await link("real/dir", "rel-dir");
  await link(path.join(work, "real", "dir", "file.txt"), "abs-file");
  await link("../real/dir/file.txt", "real/up-and-back");
  await link("rel-dir", "chain");
  assert.equal(await text("rel-dir/file.txt"), "content");
  assert.equal(await text("abs-file"), "content");
  assert.equal(await text("real/up-and-back"), "content");
  assert.equal(await text("chain/file.txt"), "content");
  assert.deepEqual(
    (await sandbox.list("chain")).map((e) => [e.name, e.path]),
    [["file.txt", path.join(sandbox.workdir, "chain", "file.txt")]],
  );
  await link(".", "self");
  assert.ok((await sandbox.list("self/self")).some((e) => e.name === "real"));
});

test("writes through links land where they point inside, creating what is missing there", async () => {
  await link("made/later/new.txt", "dangling-inside");
  await sandbox.writeFile("dangling-inside", "created through the link");
  assert.equal(await fs.readFile(path.join(work, "made", "later", "new.txt"), "utf8"), "created through the link");
  await sandbox.writeFile("rel-dir/second.txt", "via a linked directory");
  assert.equal(await fs.readFile(path.join(work, "real", "dir", "second.txt"), "utf8"), "via a linked directory");
});

test("links that leave are refused with the path and the link's target named, whatever the way out", async () => {
  await link(outsideDir, "out-abs");
  await link("../../../../../../../../..", "out-rel");
  await link("../..", "real/out-two-up");
  await link(path.join(outsideDir, "new.txt"), "out-dangling");
  await assert.rejects(sandbox.readFile("out-abs/secret.txt"), refusedAs("outside_workdir", /"out-abs\/secret.txt" resolves through a symbolic link to .*files-paths-outside-/));
  await assert.rejects(sandbox.readFile("out-rel/etc/passwd"), refusedAs("outside_workdir", /symbolic link/));
  await assert.rejects(sandbox.list("real/out-two-up"), refusedAs("outside_workdir", /symbolic link/));
  await assert.rejects(sandbox.writeFile("out-dangling", "x"), refusedAs("outside_workdir", /symbolic link/));
  await assert.rejects(sandbox.writeFile("out-abs/planted.txt", "x"), refusedAs("outside_workdir"));
  await assert.rejects(fs.access(path.join(outsideDir, "new.txt")));
  await assert.rejects(fs.access(path.join(outsideDir, "planted.txt")));
});

test("link loops end with an error, not a hang", async () => {
  await link("loop-b", "loop-a");
  await link("loop-a", "loop-b");
  await assert.rejects(sandbox.readFile("loop-a"), refusedAs("file_io", /Too many levels of symbolic links/));
  await assert.rejects(sandbox.writeFile("loop-a/x", "x"), refusedAs("file_io", /Too many levels/));
});

test("writes replace the content in place (mode kept), and a file in the way of a directory is not_directory", async () => {
  await sandbox.writeFile("script.sh", "#!/bin/sh\necho one\n");
  await fs.chmod(path.join(work, "script.sh"), 0o755);
  await sandbox.writeFile("script.sh", "#!/bin/sh\necho two\n");
  assert.equal((await fs.stat(path.join(work, "script.sh"))).mode & 0o777, 0o755);
  assert.equal(await text("script.sh"), "#!/bin/sh\necho two\n");
  await sandbox.writeFile("script.sh", "short");
  assert.equal(await text("script.sh"), "short");
  await assert.rejects(sandbox.writeFile("script.sh/inner.txt", "x"), refusedAs("not_directory", /script.sh\/inner.txt/));
  await assert.rejects(sandbox.readFile("script.sh/inner.txt"), refusedAs("not_directory"));
});

test("readFile refuses files over maxBytes before reading them", async () => {
  await sandbox.writeFile("ten.txt", "0123456789");
  assert.equal(Buffer.from(await sandbox.readFile("ten.txt", { maxBytes: 10 })).toString(), "0123456789");
  await assert.rejects(sandbox.readFile("ten.txt", { maxBytes: 9 }), refusedAs("too_large", /"ten.txt" .* is 10 bytes, more than the 9 bytes/));
});

test("a command's cwd is opened the same way: through links inside, never out", async () => {
  const r = await sandbox.exec("cat file.txt; pwd", { timeoutMs: 10_000, cwd: "chain" });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout, `content${path.join(work, "real", "dir")}\n`);
  await assert.rejects(sandbox.exec("pwd", { timeoutMs: 10_000, cwd: "out-abs" }), refusedAs("outside_workdir"));
  await assert.rejects(sandbox.exec("pwd", { timeoutMs: 10_000, cwd: "script.sh" }), refusedAs("not_directory", /working directory "script.sh"/));
});

test("a closed sandbox's file tools fail with code closed", async () => {
  const s = await provider.create({ taskId: "closing" });
  await s.writeFile("x", "y");
  await s.close();
  await assert.rejects(s.readFile("x"), refusedAs("sandbox_closed"));
  await assert.rejects(s.readText!("x"), refusedAs("sandbox_closed"));
});

test("writes make any number of missing parent directories", async () => {
  const deep = Array.from({ length: 40 }, (_, i) => `d${i}`).join("/");
  await sandbox.writeFile(`${deep}/leaf.txt`, "deep");
  assert.equal(await fs.readFile(path.join(work, deep, "leaf.txt"), "utf8"), "deep");
});
