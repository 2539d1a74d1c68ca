// Attack: huge files. read_file with limit 5 on two 1 GiB sparse files took the worker
// from 175 MB to 4.2 GB: the whole file was read to show five lines. Reading must go no
// further than the slice needs and keep memory flat, whatever the file's size.
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import pino from "pino";
import type { Sandbox } from "../../src/sandbox/port.ts";
import { CodedError } from "../../src/shared/errors.ts";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";
import { readFileTool } from "../../src/agent/tools/read-file.ts";
import { editFileTool } from "../../src/agent/tools/edit-file.ts";
import type { ToolContext } from "../../src/agent/tool.ts";

const GiB = 1024 ** 3;
const MAX_GROWTH = 64 * 1024 * 1024;

let dataDir: string;
let provider: LocalSandboxProvider;
let sandbox: Sandbox;

before(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "files-big-"));
  provider = new LocalSandboxProvider({ dataDir, isolation: "none", allowedDomains: [], logger: pino({ level: "silent" }) });
  sandbox = await provider.create({ taskId: "big" });
  const sparse = async (name: string, head: string) => {
    await sandbox.writeFile(name, head);
    await fs.truncate(path.join(sandbox.workdir, name), GiB);
  };
  // Lines of text, then a hole: text as far as the binary sniff looks.
  await sparse("lines.log", `${Array.from({ length: 2000 }, (_, i) => `line ${i + 1}`).join("\n")}\n`);
  await sparse("lines2.log", `first\nsecond\nthird\nfourth\nfifth\nsixth\n${"x".repeat(9000)}\n`);
  // One line with no end: 9000 letters, then the hole (NUL bytes, never a newline).
  await sparse("one-line.txt", "y".repeat(9000));
  // All hole: binary.
  await sparse("zeros.bin", "");
});

after(async () => {
  await sandbox?.close();
  await provider?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

function context(): ToolContext {
  return { sandbox, signal: new AbortController().signal, toolUseId: "t", emit: () => {}, maxCommandMs: 60_000 };
}

/** Runs `work` while sampling RSS; returns its result and the highest growth seen. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; growth: number; before: number; peak: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growth: peak - before, before, peak };
  } finally {
    clearInterval(sampler);
  }
}

const MB = (n: number) => Math.round(n / 1024 / 1024);

test("read_file with limit 5 on two 1 GiB sparse files reads five lines each, and memory stays flat", { timeout: 30_000 }, async () => {
  const { result, growth, before, peak } = await measured(() =>
    Promise.all([
      readFileTool.run({ file_path: "lines.log", limit: 5 }, context()),
      readFileTool.run({ file_path: "lines2.log", limit: 5 }, context()),
      readFileTool.run({ file_path: "lines.log", offset: 1000, limit: 5 }, context()),
      readFileTool.run({ file_path: "zeros.bin", limit: 5 }, context()),
      readFileTool.run({ file_path: "one-line.txt", limit: 5 }, context()),
    ]),
  );
  console.log(JSON.stringify({ files: "4 x 1 GiB sparse", rssBeforeMB: MB(before), rssPeakMB: MB(peak), growthMB: MB(growth) }));
  const [first, second, middle, zeros, oneLine] = result.map((r) => r.content as string);
  assert.match(first!, /^ {5}1\tline 1\n {5}2\tline 2\n {5}3\tline 3\n {5}4\tline 4\n {5}5\tline 5\n\[(\d+ )?more lines; read on with offset 5\]$/);
  assert.match(second!, /^ {5}1\tfirst\n[\s\S]* {5}5\tfifth\n\[(\d+ )?more lines; read on with offset 5\]$/);
  assert.match(middle!, /^ {2}1001\tline 1001\n[\s\S]* {2}1005\tline 1005\n\[/);
  assert.equal(zeros, `zeros.bin is a binary file (${GiB} bytes); inspect it with execute (e.g. file, xxd | head).`);
  assert.match(oneLine!, /^ {5}1\ty{2000}… \[line cut\]\n\[more lines; read on with offset 1\]$/);
  assert.ok(growth < MAX_GROWTH, `RSS grew by ${MB(growth)} MB`);
});

test("whole-file reads of a 1 GiB file are refused before reading, by readFile and edit_file", { timeout: 30_000 }, async () => {
  const { result, growth } = await measured(async () => {
    const refusals: unknown[] = [];
    for (const attempt of [
      () => sandbox.readFile("lines.log"),
      () => sandbox.readFile("zeros.bin", { maxBytes: 10 * 1024 ** 3 }),
      () => editFileTool.run({ file_path: "lines.log", old_string: "line 1\n", new_string: "x" }, context()),
      () => readFileTool.run({ file_path: "big.png" }, context()),
    ]) {
      refusals.push(await attempt().catch((e: unknown) => e));
    }
    return refusals;
  });
  for (const refusal of result.slice(0, 3)) {
    assert.ok(refusal instanceof CodedError && refusal.code === "too_large", String(refusal));
    assert.match(refusal.message, /1073741824 bytes/);
  }
  assert.ok(result[3] instanceof CodedError && result[3].code === "file_not_found");
  assert.ok(growth < MAX_GROWTH, `RSS grew by ${MB(growth)} MB`);
});

test("a 1 GiB image is not loaded to be shown: it is read as a file like any other", { timeout: 30_000 }, async () => {
  await fs.rename(path.join(sandbox.workdir, "zeros.bin"), path.join(sandbox.workdir, "huge.png"));
  try {
    const { result, growth } = await measured(() => readFileTool.run({ file_path: "huge.png" }, context()));
    assert.match(result.content as string, /huge.png is a binary file \(1073741824 bytes\)/);
    assert.ok(growth < MAX_GROWTH, `RSS grew by ${MB(growth)} MB`);
  } finally {
    await fs.rename(path.join(sandbox.workdir, "huge.png"), path.join(sandbox.workdir, "zeros.bin"));
  }
});
