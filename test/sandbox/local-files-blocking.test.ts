// Attack: files whose open or read never returns. A blocking open of a FIFO waits for
// the other end forever, and a lease (fcntl F_SETLEASE, which a task may take on its own
// files) holds an open for the kernel's lease-break-time (45 s). Each such open held
// one of libuv's four pool threads, which every file operation of the worker needs: six
// of them froze every task. The file tools must answer such files with an error at once,
// and everything else must keep working meanwhile.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import pino from "pino";
import type { Sandbox } from "../../src/sandbox/port.ts";
import { CodedError, type ErrorCode } from "../../src/shared/errors.ts";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";

const FIFOS = 8;
const hasPython = spawnSync("python3", ["-c", "import fcntl"]).status === 0;

let dataDir: string;
let provider: LocalSandboxProvider;
let sandbox: Sandbox;
let other: Sandbox;

before(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "files-blocking-"));
  provider = new LocalSandboxProvider({ dataDir, isolation: "none", allowedDomains: [], logger: pino({ level: "silent" }) });
  sandbox = await provider.create({ taskId: "fifos" });
  other = await provider.create({ taskId: "bystander" });
  await other.writeFile("notes.txt", "still here\n");
  const mk = await sandbox.exec(`mkdir p && for i in $(seq 1 ${FIFOS}); do mkfifo p/f$i; done && ln -s p/f1 to-fifo`, { timeoutMs: 10_000 });
  assert.equal(mk.exitCode, 0, mk.stderr);
});

after(async () => {
  await sandbox?.close();
  await other?.close();
  await provider?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

function refusedAs(code: ErrorCode, mentions?: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof CodedError, String(error));
    assert.equal(error.code, code, error.message);
    if (mentions) assert.match(error.message, mentions);
    return true;
  };
}

/** Resolves with how late a 10 ms timer fired, so a stalled event loop shows. */
function timerLag(): Promise<number> {
  const start = performance.now();
  return new Promise((resolve) => setTimeout(() => resolve(performance.now() - start - 10), 10));
}

test("FIFOs are refused at once by read, readText and write, many at a time, and nothing else stalls meanwhile", { timeout: 30_000 }, async () => {
  const started = performance.now();
  const attacks: Array<Promise<unknown>> = [];
  for (let i = 1; i <= FIFOS; i++) {
    attacks.push(assert.rejects(sandbox.readFile(`p/f${i}`), refusedAs("not_regular_file", /FIFO/)));
    attacks.push(assert.rejects(sandbox.readText!(`p/f${i}`, { limit: 5 }), refusedAs("not_regular_file", /FIFO/)));
    // No reader: open(O_WRONLY | O_NONBLOCK) fails with ENXIO instead of waiting for one.
    attacks.push(assert.rejects(sandbox.writeFile(`p/f${i}`, "x"), refusedAs("not_regular_file")));
  }
  attacks.push(assert.rejects(sandbox.readFile("to-fifo"), refusedAs("not_regular_file", /FIFO/)));
  attacks.push(assert.rejects(sandbox.list("p/f2"), refusedAs("not_directory")));
  attacks.push(assert.rejects(sandbox.readFile("p/f3/x"), refusedAs("not_directory")));
  // Meanwhile: the event loop, this sandbox's other files, another sandbox, and plain fs calls all answer.
  const bystanders = Promise.all([
    timerLag(),
    sandbox.writeFile("ok.txt", "fine").then(() => sandbox.readFile("ok.txt")),
    other.readFile("notes.txt"),
    fs.readFile(path.join(other.workdir, "notes.txt"), "utf8"),
  ]);
  await Promise.all(attacks);
  const [lag, mine, theirs, plain] = await bystanders;
  const elapsed = performance.now() - started;
  console.log(JSON.stringify({ fifoCalls: attacks.length, elapsedMs: Math.round(elapsed), timerLagMs: Math.round(lag) }));
  assert.ok(elapsed < 5_000, `every call came back quickly (${Math.round(elapsed)} ms)`);
  assert.equal(Buffer.from(mine).toString(), "fine");
  assert.equal(Buffer.from(theirs).toString(), "still here\n");
  assert.equal(plain, "still here\n");
  const listing = await sandbox.list("p");
  assert.equal(listing.length, FIFOS);
  assert.ok(listing.every((e) => e.type === "other" && e.size === undefined));
});

test("a FIFO with a writer waiting on it is refused too, without reading from it", { timeout: 30_000 }, async () => {
  // The writer blocks in open() until a reader comes; a blocking read would then wait for data forever.
  const writer = spawn("sh", ["-c", `exec sleep 60 > ${JSON.stringify(path.join(sandbox.workdir, "p", "f4"))}`], { stdio: "ignore" });
  try {
    await new Promise((r) => setTimeout(r, 100));
    await assert.rejects(sandbox.readFile("p/f4"), refusedAs("not_regular_file"));
  } finally {
    writer.kill("SIGKILL");
  }
});

test("sockets are refused as not regular files", async () => {
  const socketPath = path.join(sandbox.workdir, "s.sock");
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  try {
    await assert.rejects(sandbox.readFile("s.sock"), refusedAs("not_regular_file"));
    await assert.rejects(sandbox.writeFile("s.sock", "x"), refusedAs("not_regular_file"));
  } finally {
    await new Promise((r) => server.close(r));
  }
});

function holdLease(file: string, kind: "read" | "write"): Promise<ChildProcess> {
  // The holder ignores the lease-break signal, so a blocking open would wait lease-break-time (45 s).
  const script = `
import fcntl, os, signal, sys, time
signal.signal(signal.SIGIO, signal.SIG_IGN)
fd = os.open(sys.argv[1], os.O_RDWR if sys.argv[2] == "write" else os.O_RDONLY)
fcntl.fcntl(fd, 1024, fcntl.F_WRLCK if sys.argv[2] == "write" else fcntl.F_RDLCK)  # F_SETLEASE
print("held", flush=True)
time.sleep(60)
`;
  const child = spawn("python3", ["-c", script, file, kind], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the lease holder exited (${code})`)));
    child.stdout!.once("data", () => resolve(child));
  });
}

test("a file under a lease answers busy at once instead of holding a thread for 45 s", { skip: hasPython ? false : "python3 is needed to take a lease", timeout: 30_000 }, async () => {
  await sandbox.writeFile("leased.txt", "text\n");
  const file = path.join(sandbox.workdir, "leased.txt");
  let holder = await holdLease(file, "write");
  try {
    const started = performance.now();
    await assert.rejects(sandbox.readFile("leased.txt"), refusedAs("file_io", /busy/));
    await assert.rejects(sandbox.readText!("leased.txt"), refusedAs("file_io", /busy/));
    await assert.rejects(sandbox.writeFile("leased.txt", "x"), refusedAs("file_io", /busy/));
    assert.ok(performance.now() - started < 5_000);
  } finally {
    holder.removeAllListeners("exit");
    holder.kill("SIGKILL");
  }
  holder = await holdLease(file, "read");
  try {
    // A read lease lets reads through and holds writers.
    assert.equal(Buffer.from(await sandbox.readFile("leased.txt")).toString(), "text\n");
    await assert.rejects(sandbox.writeFile("leased.txt", "x"), refusedAs("file_io", /busy/));
  } finally {
    holder.removeAllListeners("exit");
    holder.kill("SIGKILL");
  }
});

test("an operation past its time limit is answered with an error at once, and the sandbox keeps working", async () => {
  const slowProvider = new LocalSandboxProvider({
    dataDir,
    isolation: "none",
    allowedDomains: [],
    logger: pino({ level: "silent" }),
    fileLimits: { timeoutMs: 500 },
  });
  try {
    const slow = await slowProvider.create({ taskId: "slow" });
    // Its directories are made in the background; the first operation waits for them.
    await slow.list(".");
    // Text first (past the binary sniff), then a hole to 1 GiB: reaching line 1e9 means scanning all of it.
    await fs.writeFile(path.join(slow.workdir, "huge.txt"), `one\ntwo\n${"text\n".repeat(2000)}`);
    await fs.truncate(path.join(slow.workdir, "huge.txt"), 1024 ** 3);
    const started = performance.now();
    await assert.rejects(slow.readText!("huge.txt", { offset: 1e9 }), refusedAs("file_io", /did not finish within 0.5 s/));
    assert.ok(performance.now() - started < 3_000, "the caller is answered at the time limit, not when the scan ends (about 4 s here)");
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(slow.readText!("huge.txt", { signal: aborted.signal }), refusedAs("file_io", /cancelled/));
    // The abandoned scan sees its signal at its next chunk and stops; the sandbox works on.
    assert.deepEqual(
      (await slow.readText!("huge.txt", { limit: 2 })).lines.map((l) => l.text),
      ["one", "two"],
    );
    await slow.close();
  } finally {
    await slowProvider.close();
  }
});
