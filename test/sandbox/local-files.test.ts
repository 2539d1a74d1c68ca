// The local sandbox's file tools: round trips, listing, and confinement to the workdir.
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

before(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "local-files-"));
  outsideDir = await fs.mkdtemp(path.join(os.tmpdir(), "local-files-outside-"));
  await fs.writeFile(path.join(outsideDir, "secret.txt"), "not yours");
  // File tools run in our process, whatever the isolation setting.
  provider = new LocalSandboxProvider({ dataDir, isolation: "none", allowedDomains: [], logger: pino({ level: "silent" }) });
  sandbox = await provider.create({ taskId: "files" });
});

after(async () => {
  await sandbox.close();
  await provider.close();
  await fs.rm(dataDir, { recursive: true, force: true });
  await fs.rm(outsideDir, { recursive: true, force: true });
});

function rejectsWith(code: ErrorCode, mentions?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof CodedError, String(error));
    assert.equal(error.code, code, error.message);
    if (mentions) assert.ok(error.message.includes(mentions), error.message);
    return true;
  };
}

test("writeFile creates parent directories and readFile returns the bytes", async () => {
  await sandbox.writeFile("a/b/c.txt", "héllo");
  assert.equal(Buffer.from(await sandbox.readFile("a/b/c.txt")).toString("utf8"), "héllo");
  const bytes = new Uint8Array([0, 1, 2, 255]);
  await sandbox.writeFile(path.join(sandbox.workdir, "bin.dat"), bytes);
  assert.deepEqual(await sandbox.readFile("bin.dat"), bytes);
  // Commands see what the file tools wrote.
  const r = await sandbox.exec("cat a/b/c.txt", { timeoutMs: 10_000 });
  assert.equal(r.stdout, "héllo");
});

test("list returns directories first, then files, each by name, with absolute paths and sizes", async () => {
  await sandbox.writeFile("l/zeta.txt", "12345");
  await sandbox.writeFile("l/alpha.txt", "1");
  await sandbox.writeFile("l/beta/x", "");
  await sandbox.writeFile("l/Adir/x", "");
  const entries = await sandbox.list("l");
  assert.deepEqual(
    entries.map((e) => [e.name, e.type]),
    [
      ["Adir", "dir"],
      ["beta", "dir"],
      ["alpha.txt", "file"],
      ["zeta.txt", "file"],
    ],
  );
  const zeta = entries.find((e) => e.name === "zeta.txt")!;
  assert.equal(zeta.path, path.join(sandbox.workdir, "l", "zeta.txt"));
  assert.equal(zeta.size, 5);
  assert.ok((await sandbox.list(".")).some((e) => e.name === "l" && e.type === "dir"));
});

test("missing files, directories read as files and files listed as directories have their own codes", async () => {
  await assert.rejects(sandbox.readFile("missing.txt"), rejectsWith("file_not_found", "missing.txt"));
  await sandbox.writeFile("d/f.txt", "x");
  await assert.rejects(sandbox.readFile("d"), rejectsWith("is_directory", '"d"'));
  await assert.rejects(sandbox.list("nothing-here"), rejectsWith("file_not_found", "nothing-here"));
  await assert.rejects(sandbox.list("d/f.txt"), rejectsWith("not_directory", "d/f.txt"));
  await assert.rejects(sandbox.writeFile("d", "x"), rejectsWith("is_directory"));
});

test("paths outside the workdir are refused, by `..` or absolute path, naming the path and the rule", async () => {
  const target = path.join(outsideDir, "secret.txt");
  await assert.rejects(sandbox.readFile(target), rejectsWith("outside_workdir", target));
  await assert.rejects(sandbox.readFile("../../../../../../etc/passwd"), rejectsWith("outside_workdir", "outside the sandbox's working directory"));
  await assert.rejects(sandbox.writeFile("../escape.txt", "x"), rejectsWith("outside_workdir", "../escape.txt"));
  await assert.rejects(sandbox.list(".."), rejectsWith("outside_workdir"));
  await assert.rejects(sandbox.list("/"), rejectsWith("outside_workdir"));
  await assert.rejects(fs.access(path.join(dataDir, "sandboxes", "escape.txt")));
  // `..` that stays inside is fine.
  await sandbox.writeFile("x/../inside.txt", "ok");
  assert.equal(Buffer.from(await sandbox.readFile("inside.txt")).toString(), "ok");
});

test("symbolic links that lead out of the workdir are refused, dangling ones included", async () => {
  const r = await sandbox.exec(
    `ln -s ${JSON.stringify(outsideDir)} out-dir && ln -s ${JSON.stringify(path.join(outsideDir, "secret.txt"))} out-file && ` +
      `ln -s ${JSON.stringify(path.join(outsideDir, "new.txt"))} dangling && ln -s inside.txt in-link`,
    { timeoutMs: 10_000 },
  );
  assert.equal(r.exitCode, 0, r.stderr);
  await assert.rejects(sandbox.readFile("out-file"), rejectsWith("outside_workdir", "symbolic link"));
  await assert.rejects(sandbox.readFile("out-dir/secret.txt"), rejectsWith("outside_workdir"));
  await assert.rejects(sandbox.list("out-dir"), rejectsWith("outside_workdir"));
  await assert.rejects(sandbox.writeFile("out-dir/planted.txt", "x"), rejectsWith("outside_workdir"));
  await assert.rejects(sandbox.writeFile("dangling", "x"), rejectsWith("outside_workdir"));
  await assert.rejects(fs.access(path.join(outsideDir, "new.txt")));
  await assert.rejects(fs.access(path.join(outsideDir, "planted.txt")));
  // A link that stays inside works, and shows as a link in a listing.
  await sandbox.writeFile("inside.txt", "still ok");
  assert.equal(Buffer.from(await sandbox.readFile("in-link")).toString(), "still ok");
  assert.equal((await sandbox.list(".")).find((e) => e.name === "in-link")?.type, "symlink");
});
