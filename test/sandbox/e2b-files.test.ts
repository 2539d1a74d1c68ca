// The E2B adapter's file reads under the local adapter's rules, through the real e2b SDK
// against the loopback stand-ins (whose envd streams downloads from disk and, like envd,
// never answers a download of a FIFO): a huge file costs the worker no memory, a FIFO or a
// device is refused without being opened, and text slices come out as the local adapter's.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Sandbox, TextSlice } from "../../src/sandbox/port.ts";
import { startFakeE2B, type FakeE2B } from "../doubles/e2b/fake-e2b.ts";
import { providerFor } from "./e2b-helpers.ts";

let fake: FakeE2B;
let sandbox: Sandbox;
before(async () => {
  fake = await startFakeE2B();
  sandbox = await providerFor(fake).create({ taskId: "t-files" });
});
after(async () => {
  await sandbox?.close();
  await fake.close();
});

async function run(command: string): Promise<void> {
  const r = await sandbox.exec(command, { timeoutMs: 30_000 });
  assert.equal(r.exitCode, 0, r.stderr);
}

const MiB = 1024 * 1024;

describe("E2B file reads", () => {
  test("a 1 GiB sparse file: five lines read with readText, refused whole by readFile, and the worker's memory stays flat", async () => {
    // Text first (more than the 8000 bytes binary detection looks at), then a hole to 1 GiB.
    await run("seq -f 'line %g' 1 3000 > big.txt && truncate -s 1G big.txt");
    const readText = sandbox.readText?.bind(sandbox);
    assert.ok(readText, "the E2B adapter reads slices");
    const rssBefore = process.memoryUsage().rss;
    for (let i = 0; i < 3; i++) {
      const slice: TextSlice = await readText("big.txt", { offset: 10, limit: 5 });
      assert.equal(slice.size, 1024 * MiB);
      assert.equal(slice.binary, false);
      assert.deepEqual(
        slice.lines.map((l) => l.text),
        ["line 11", "line 12", "line 13", "line 14", "line 15"],
      );
      assert.equal(slice.linesAfter, null, "the rest of the file was never read");
      await assert.rejects(sandbox.readFile("big.txt"), { code: "too_large", message: /1073741824 bytes/ });
      await assert.rejects(sandbox.readFile("big.txt", { maxBytes: 5 }), { code: "too_large" });
    }
    const grewMiB = (process.memoryUsage().rss - rssBefore) / MiB;
    assert.ok(grewMiB < 200, `RSS grew by ${grewMiB.toFixed(0)} MiB reading 5 lines of a 1 GiB file`);
  });

  test("FIFOs and sockets are refused before anything opens them, for reading and for writing, through links too", { timeout: 60_000 }, async () => {
    // Opening the FIFO would block until a writer (or reader) came; none ever does.
    const node = JSON.stringify(process.execPath);
    await run(`mkfifo pipe && ln -s pipe link-to-pipe && ${node} -e "require('net').createServer().listen('sock', () => process.exit(0))"`);
    const readText = sandbox.readText?.bind(sandbox);
    assert.ok(readText);
    for (const name of ["pipe", "link-to-pipe", "sock"]) {
      await assert.rejects(sandbox.readFile(name), { code: "not_regular_file", message: /not a regular file \(a FIFO, a socket or a device\)/ }, name);
      await assert.rejects(readText(name, { limit: 5 }), { code: "not_regular_file" }, name);
      await assert.rejects(sandbox.writeFile(name, "x"), { code: "not_regular_file" }, name);
    }
    // The FIFO is still there and was never written: a reader now would wait for a writer.
    const check = await sandbox.exec("[ -p pipe ] && [ -S sock ] && echo both", { timeoutMs: 10_000 });
    assert.equal(check.stdout, "both\n");
  });

  // (Relative links only: the stand-in's commands run on the host, where an absolute link would point.)
  test("links are followed to what they name, link to link, and a loop of them is an error, not a hang", async () => {
    const readText = sandbox.readText?.bind(sandbox);
    assert.ok(readText);
    await run("mkdir -p deep/er && printf 'x\\n' > deep/er/file.txt && ln -s er/file.txt deep/rel && ln -s deep/rel two-hops && ln -s loop-b loop-a && ln -s loop-a loop-b");
    assert.deepEqual((await readText("two-hops")).lines, [{ text: "x", cut: false }]);
    assert.equal(new TextDecoder().decode(await sandbox.readFile("two-hops")), "x\n");
    await assert.rejects(readText("loop-a"), { code: "file_io", message: /symbolic links/ });
  });

  test("text slices come out as the local adapter's: offsets, byte caps, long lines, empty and binary files, links and odd names", async () => {
    assert.ok(sandbox.readText);
    await sandbox.writeFile("abc.txt", "a\nb\nc\n");
    assert.deepEqual(await sandbox.readText("abc.txt", { offset: 1, limit: 1 }), {
      size: 6,
      binary: false,
      lines: [{ text: "b", cut: false }],
      linesAfter: 1,
      totalLines: 3,
      bytesCapped: false,
    });
    const capped = await sandbox.readText("abc.txt", { maxBytes: 4 });
    assert.deepEqual(
      capped.lines.map((l) => l.text),
      ["a", "b"],
    );
    assert.equal(capped.bytesCapped, true);
    await sandbox.writeFile("long.txt", `${"x".repeat(5000)}\nshort\n`);
    const long = await sandbox.readText("long.txt", { maxLineChars: 100 });
    assert.deepEqual(
      long.lines.map((l) => [l.text.length, l.cut]),
      [
        [100, true],
        [5, false],
      ],
    );
    await sandbox.writeFile("empty.txt", "");
    assert.deepEqual(await sandbox.readText("empty.txt"), { size: 0, binary: false, lines: [], linesAfter: 0, totalLines: 0, bytesCapped: false });
    await sandbox.writeFile("blob.bin", new Uint8Array([0x50, 0x4b, 0, 1, 2]));
    assert.equal((await sandbox.readText("blob.bin")).binary, true);
    // A link to a regular file is read through; a name that looks like an option or holds quotes is just a name.
    await run("ln -s abc.txt link.txt");
    assert.equal((await sandbox.readText("link.txt")).totalLines, 3);
    await sandbox.writeFile("-n 'it's' $(x).txt", "odd\n");
    assert.deepEqual((await sandbox.readText("-n 'it's' $(x).txt")).lines, [{ text: "odd", cut: false }]);
    assert.equal(new TextDecoder().decode(await sandbox.readFile("-n 'it's' $(x).txt")), "odd\n");
    await assert.rejects(sandbox.readText("missing.txt"), { code: "file_not_found" });
    await assert.rejects(sandbox.readText("."), { code: "is_directory" });
  });
});
