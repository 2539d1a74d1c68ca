// readText: a slice of a text file by lines, read no further than needed, with the same
// answers as slicing the whole file in memory (what read_file does on other adapters).
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import pino from "pino";
import type { ReadTextOptions, Sandbox } from "../../src/sandbox/port.ts";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";
import { sliceText } from "../../src/agent/tools/file-text.ts";

let dataDir: string;
let provider: LocalSandboxProvider;
let sandbox: Sandbox;

before(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "files-slice-"));
  provider = new LocalSandboxProvider({
    dataDir,
    isolation: "none",
    allowedDomains: [],
    logger: pino({ level: "silent" }),
    fileLimits: { maxTextBytes: 4 * 1024 * 1024 },
  });
  sandbox = await provider.create({ taskId: "slice" });
});

after(async () => {
  await sandbox?.close();
  await provider?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

const texts = (lines: Array<{ text: string }>) => lines.map((l) => l.text);

async function slice(content: string | Uint8Array, options: ReadTextOptions = {}) {
  await sandbox.writeFile("f", content);
  return sandbox.readText!("f", options);
}

test("lines, trailing newline or not, counts before and after the slice", async () => {
  assert.deepEqual(await slice("a\nb\nc\n"), { size: 6, binary: false, lines: ["a", "b", "c"].map((text) => ({ text, cut: false })), linesAfter: 0, totalLines: 3, bytesCapped: false });
  assert.deepEqual(texts((await slice("a\nb")).lines), ["a", "b"]);
  const middle = await slice("a\nb\nc\n", { offset: 1, limit: 1 });
  assert.deepEqual([texts(middle.lines), middle.linesAfter, middle.totalLines], [["b"], 1, 3]);
  const past = await slice("a\nb\nc\n", { offset: 5 });
  assert.deepEqual([past.lines, past.totalLines], [[], 3]);
  assert.deepEqual(texts((await slice("\n")).lines), [""]);
  assert.deepEqual(await slice(""), { size: 0, binary: false, lines: [], linesAfter: 0, totalLines: 0, bytesCapped: false });
  assert.deepEqual(texts((await slice("\uFEFFbom\nx\r\n")).lines), ["bom", "x\r"]);
});

test("long lines are cut to maxLineChars, multi-byte characters whole", async () => {
  const r = await slice(`${"é".repeat(5000)}\nshort\n`, { maxLineChars: 2000 });
  assert.equal(r.lines[0]!.text, "é".repeat(2000));
  assert.equal(r.lines[0]!.cut, true);
  assert.deepEqual(r.lines[1], { text: "short", cut: false });
});

test("maxBytes ends the slice at the last whole line that fits, at least one", async () => {
  const lines = Array.from({ length: 100 }, (_, i) => String(i).padStart(100, "0"));
  const r = await slice(`${lines.join("\n")}\n`, { maxBytes: 1000 });
  assert.equal(r.lines.length, 9); // 101 bytes a line with its newline
  assert.equal(r.bytesCapped, true);
  assert.equal(r.linesAfter, 91);
  const one = await slice(lines.join("\n"), { maxBytes: 10 });
  assert.equal(one.lines.length, 1);
});

test("a NUL byte near the start makes the file binary", async () => {
  const r = await slice(new Uint8Array([0x61, 0x0a, 0x00, 0x62]));
  assert.deepEqual(r, { size: 4, binary: true, lines: [], linesAfter: null, totalLines: null, bytesCapped: false });
  // Past the sniffed 8000 bytes a NUL is just a character.
  const late = await slice(`${"t\n".repeat(5000)}\0\n`, { offset: 5000 });
  assert.deepEqual(texts(late.lines), ["\0"]);
});

test("the streamed slice equals slicing the whole file in memory, across read-chunk boundaries", async () => {
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const lines: string[] = [];
  let bytes = 0;
  while (bytes < 600_000) {
    const long = random() < 0.02;
    const line = "ab€c".repeat(Math.floor(random() * (long ? 3000 : 30)));
    lines.push(line);
    bytes += Buffer.byteLength(line) + 1;
  }
  const content = lines.join("\n") + (random() < 0.5 ? "\n" : "");
  await sandbox.writeFile("f", content);
  const whole = new Uint8Array(Buffer.from(content));
  for (const options of [
    { maxLineChars: 2000 },
    { offset: 0, limit: 10 },
    { offset: 1234, limit: 2000, maxLineChars: 2000 },
    { offset: 5000, limit: 100_000, maxBytes: 64 * 1024, maxLineChars: 500 },
    { offset: lines.length - 3, maxLineChars: 2000 },
    { offset: lines.length + 10, maxLineChars: 2000 },
  ]) {
    assert.deepEqual(await sandbox.readText!("f", options), sliceText(whole, options), JSON.stringify(options));
  }
});
