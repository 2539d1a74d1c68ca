// Attack: a command swaps a directory of the workdir with a symbolic link to a place
// outside it (renameat2 RENAME_EXCHANGE, atomically, in a tight loop) while the file
// tools read, write and list through that directory. Whatever the timing, no tool may
// return what lies outside or create anything there.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import pino from "pino";
import type { Sandbox } from "../../src/sandbox/port.ts";
import { CodedError } from "../../src/shared/errors.ts";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";

const hasPython = spawnSync("python3", ["-c", "import ctypes"]).status === 0;
const CANARY = "CANARY-outside-the-workdir";
const ROUNDS = 600;
const EXEC_ROUNDS = 40;

// Swaps argv[1] and argv[2] until killed; prints how many swaps it made every 250 and on SIGTERM.
// Often: inside the isolation a cancelled command dies by SIGKILL with its bubblewrap and
// never prints its last count, so what it printed last is all the test learns (printed
// every 10,000, a swapper slowed by a busy machine could show 0 after thousands of swaps).
const SWAPPER = `
import ctypes, os, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD, RENAME_EXCHANGE = -100, 2
a, b = sys.argv[1].encode(), sys.argv[2].encode()
n = 0
def bye(*_):
    print(n, flush=True); os._exit(0)
signal.signal(signal.SIGTERM, bye)
print("ready", flush=True)
while True:
    if libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0:
        sys.stderr.write("renameat2 failed: %d\\n" % ctypes.get_errno()); os._exit(1)
    n += 1
    if n % 250 == 0:
        print(n, flush=True)
`;

/** The swapper's count: the last number it printed. */
const swapsIn = (output: string) => Math.max(0, ...output.split(/\s+/).map(Number).filter(Number.isFinite));

let dataDir: string;
let secretDir: string;
let provider: LocalSandboxProvider;
let sandbox: Sandbox;

before(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "files-race-"));
  // The target: something in DATA_DIR, next to the sandboxes, that no task may see.
  secretDir = path.join(dataDir, "private");
  await fs.mkdir(secretDir);
  await fs.writeFile(path.join(secretDir, "x"), CANARY);
  await fs.writeFile(path.join(secretDir, "only-outside"), CANARY);
  provider = new LocalSandboxProvider({ dataDir, isolation: "none", allowedDomains: [], logger: pino({ level: "silent" }) });
  sandbox = await provider.create({ taskId: "racer" });
  await sandbox.writeFile("d/x", "inside");
  await fs.symlink(secretDir, path.join(sandbox.workdir, "s"));
  // The same at the last component: f/x, a file, swapped with f/y, a relative link to the canary.
  await sandbox.writeFile("f/x", "inside");
  await fs.symlink(path.relative(path.join(sandbox.workdir, "f"), path.join(secretDir, "x")), path.join(sandbox.workdir, "f", "y"));
});

after(async () => {
  await sandbox?.close();
  await provider?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

function startSwapper(a: string, b: string): Promise<{ child: ChildProcess; stop: () => Promise<number> }> {
  const child = spawn("python3", ["-c", SWAPPER, a, b], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout!.setEncoding("utf8");
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout!.on("data", (chunk: string) => {
      const first = out === "";
      out += chunk;
      if (first && out.startsWith("ready")) {
        resolve({
          child,
          stop: () =>
            new Promise<number>((done) => {
              child.once("exit", () => done(swapsIn(out)));
              child.kill("SIGTERM");
            }),
        });
      }
    });
  });
}

test("a directory swapped with a link to DATA_DIR in a tight loop never lets read_file, write_file or ls out", {
  skip: hasPython ? false : "python3 with ctypes is needed to call renameat2",
  timeout: 60_000,
}, async () => {
  const swapper = await startSwapper(path.join(sandbox.workdir, "d"), path.join(sandbox.workdir, "s"));
  const fileSwapper = await startSwapper(path.join(sandbox.workdir, "f", "x"), path.join(sandbox.workdir, "f", "y"));
  const counts = { readInside: 0, readCanary: 0, refused: 0, otherErrors: 0, listedOutside: 0, writes: 0, execInside: 0, execCanary: 0 };
  const unexpected = new Set<string>();
  const note = (error: unknown) => {
    if (error instanceof CodedError) {
      counts.refused++;
      unexpected.add(error.code === "file_io" ? `file_io: ${error.message.slice(0, 120)}` : error.code);
    } else {
      counts.otherErrors++;
      unexpected.add(String(error));
    }
  };
  try {
    const reader = async () => {
      for (let i = 0; i < ROUNDS; i++) {
        try {
          const text = Buffer.from(await sandbox.readFile(i % 2 ? "d/x" : "f/x")).toString();
          if (text.includes(CANARY)) counts.readCanary++;
          else counts.readInside++;
        } catch (error) {
          note(error);
        }
      }
    };
    const textReader = async () => {
      for (let i = 0; i < ROUNDS; i++) {
        try {
          const slice = await sandbox.readText!(i % 2 ? "d/x" : "f/x", { limit: 5 });
          if (slice.lines.some((l) => l.text.includes(CANARY))) counts.readCanary++;
          else counts.readInside++;
        } catch (error) {
          note(error);
        }
      }
    };
    const writer = async () => {
      for (let i = 0; i < ROUNDS; i++) {
        try {
          await sandbox.writeFile(i % 2 ? `d/pwn-${i}.txt` : "f/x", "planted");
          counts.writes++;
        } catch (error) {
          note(error);
        }
      }
    };
    const lister = async () => {
      for (let i = 0; i < ROUNDS; i++) {
        try {
          const entries = await sandbox.list("d");
          if (entries.some((e) => e.name === "only-outside")) counts.listedOutside++;
        } catch (error) {
          note(error);
        }
      }
    };
    // A command whose cwd is the swapped directory starts in the directory that was checked.
    const commander = async () => {
      for (let i = 0; i < EXEC_ROUNDS; i++) {
        try {
          const r = await sandbox.exec("cat x", { timeoutMs: 10_000, cwd: "d" });
          if (r.stdout.includes(CANARY)) counts.execCanary++;
          else if (r.stdout === "inside") counts.execInside++;
        } catch (error) {
          note(error);
        }
      }
    };
    await Promise.all([reader(), reader(), textReader(), writer(), lister(), commander()]);
  } finally {
    const swaps = await swapper.stop();
    const fileSwaps = await fileSwapper.stop();
    const canaryNow = await fs.readFile(path.join(secretDir, "x"), "utf8");
    const planted = (await fs.readdir(secretDir)).filter((n) => n !== "x" && n !== "only-outside");
    console.log(JSON.stringify({ swaps, fileSwaps, ...counts, plantedOutside: planted.length, errorKinds: [...unexpected].slice(0, 5) }));
    assert.ok(swaps > 1000 && fileSwaps > 1000, `the swappers really raced (${swaps} and ${fileSwaps} swaps)`);
    assert.equal(canaryNow, CANARY, "the file outside was not overwritten");
    assert.equal(counts.readCanary, 0, "no read returned the file outside the workdir");
    assert.equal(counts.execCanary, 0, "no command started outside the workdir");
    assert.deepEqual(planted, [], "no write landed outside the workdir");
    assert.equal(counts.listedOutside, 0, "no listing showed the directory outside the workdir");
    assert.ok(counts.readInside > 0, "reads that did not race still worked");
    assert.equal(counts.otherErrors, 0, "every refusal was a CodedError");
  }
});

const hasBwrap = spawnSync("sh", ["-c", "command -v bwrap"]).status === 0;

test("the same swap, made by the task's own command inside the isolation, gets nothing out either", {
  skip: hasPython && hasBwrap ? false : "needs python3 and bubblewrap",
  timeout: 60_000,
}, async () => {
  const isolated = new LocalSandboxProvider({ dataDir, isolation: "auto", allowedDomains: [], logger: pino({ level: "silent" }) });
  try {
    const task = await isolated.create({ taskId: "racer-isolated" });
    await task.writeFile("d/x", "inside");
    await task.writeFile("swap.py", SWAPPER);
    // The command may name DATA_DIR in a link though it cannot read it; the file tools could.
    const ln = await task.exec(`ln -s ${JSON.stringify(secretDir)} s`, { timeoutMs: 10_000 });
    assert.equal(ln.exitCode, 0, ln.stderr);
    const stop = new AbortController();
    let ready!: () => void;
    const started = new Promise<void>((resolve) => (ready = resolve));
    let printed = "";
    const swapping = task.exec("python3 swap.py d s", {
      timeoutMs: 60_000,
      signal: stop.signal,
      onOutput: (chunk) => {
        printed = (printed + chunk).slice(-64);
        if (chunk.includes("ready")) ready();
      },
    });
    await Promise.race([started, swapping.then((r) => assert.fail(`the swapper ended early: ${r.stderr}`))]);
    const counts = { inside: 0, canary: 0, listedOutside: 0, refused: 0 };
    try {
      // 400 rounds, and more while the swapper has not swapped much yet: on a busy machine
      // it may get little of the CPU, and the test is only worth something if it raced.
      for (let i = 0; i < 400 || (swapsIn(printed) < 5000 && i < 4000); i++) {
        const outcomes = await Promise.allSettled([task.readFile("d/x"), task.readText!("d/x", { limit: 1 }), task.writeFile(`d/pwn-${i}.txt`, "planted"), task.list("d")]);
        for (const o of outcomes) {
          if (o.status === "rejected") {
            assert.ok(o.reason instanceof CodedError, String(o.reason));
            counts.refused++;
          } else if (o.value instanceof Uint8Array) {
            if (Buffer.from(o.value).toString().includes(CANARY)) counts.canary++;
            else counts.inside++;
          } else if (Array.isArray(o.value)) {
            if (o.value.some((e) => e.name === "only-outside")) counts.listedOutside++;
          } else if (o.value && "lines" in o.value) {
            if (o.value.lines.some((l) => l.text.includes(CANARY))) counts.canary++;
            else counts.inside++;
          }
        }
      }
    } finally {
      stop.abort();
      const result = await swapping;
      const swaps = swapsIn(result.stdout);
      const planted = (await fs.readdir(secretDir)).filter((n) => n !== "x" && n !== "only-outside");
      console.log(JSON.stringify({ isolated: true, swaps, ...counts, plantedOutside: planted.length }));
      assert.ok(swaps > 1000, `the command really raced (${swaps} swaps)`);
      assert.equal(counts.canary, 0);
      assert.equal(counts.listedOutside, 0);
      assert.deepEqual(planted, []);
      assert.ok(counts.inside > 0);
    }
    await task.close();
  } finally {
    await isolated.close();
  }
});
