// An isolated sandbox runs its commands one after another in one long-lived isolated shell.
// What a bubblewrap per command gave must hold all the same: each command starts clean
// (nothing a previous one set, started or left), nothing a command starts outlives it,
// and a hostile command that attacks the shell itself gets only a failed command of its
// own: the next one runs as if nothing had happened.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import type { Sandbox } from "../../src/sandbox/port.ts";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";
import { uniqueSleep, waitUntilGone } from "../helpers/host-processes.ts";
import { waitFor } from "../helpers/wait-for.ts";

const hasBwrap = spawnSync("sh", ["-c", "command -v bwrap"]).status === 0;
const exec = (s: Sandbox, command: string, cwd?: string) => s.exec(command, { timeoutMs: 30_000, ...(cwd ? { cwd } : {}) });

/** Host pids of the outer bubblewrap processes whose command line names this directory (one per shell). */
async function shellsOf(workdir: string): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const name of await fs.readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await fs.readFile(`/proc/${name}/cmdline`, "utf8").catch(() => "");
    if (!cmdline.startsWith("bwrap\0") || !cmdline.includes(`\0${workdir}\0`)) continue;
    const stat = await fs.readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
  }
  // bubblewrap forks itself into the sandbox's pid namespace: that child is the same shell.
  return [...parents].filter(([, parent]) => !parents.has(parent)).map(([pid]) => pid);
}

describe("the isolated shell of a sandbox", { skip: hasBwrap ? false : "bubblewrap (bwrap) is not installed" }, () => {
  let dataDir: string;
  let provider: LocalSandboxProvider;
  let sandbox: Sandbox;

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "local-shell-"));
    provider = new LocalSandboxProvider({ dataDir, isolation: "auto", allowedDomains: [], logger: pino({ level: "silent" }) });
    sandbox = await provider.create({ taskId: "shell" });
  });

  after(async () => {
    await sandbox?.close();
    await provider?.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  test("commands one after another run in one shell, each starting clean", async () => {
    await exec(sandbox, "true");
    const [shell] = await shellsOf(await fs.realpath(sandbox.workdir));
    assert.ok(shell, "an isolated shell is running for the sandbox");
    const set = await exec(sandbox, "export LEFT=1; cd /; umask 077; SHARED=1; echo $$");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansions
    const seen = await exec(sandbox, 'echo "${LEFT:-unset} ${SHARED:-unset} $(umask) $PWD $$ $SHLVL"');
    assert.equal(seen.stdout, `unset unset 0022 ${await fs.realpath(sandbox.workdir)} ${seen.stdout.trim().split(" ")[4]} 1\n`);
    assert.notEqual(set.stdout.trim(), seen.stdout.trim().split(" ")[4], "each command is a shell of its own");
    assert.deepEqual(await shellsOf(await fs.realpath(sandbox.workdir)), [shell], "the same shell ran them");
  });

  test("a command's stdin is empty: it cannot read the requests meant for the shell", async () => {
    const r = await exec(sandbox, "cat; echo end");
    assert.equal(r.stdout, "end\n");
    assert.equal((await exec(sandbox, "echo next")).stdout, "next\n");
  });

  test("output with NUL bytes, lookalike end markers and no final newline comes through whole", async () => {
    const r = await exec(sandbox, "printf 'a\\0b\\0\\0c'; printf '\\0x\\0' >&2; printf 'tail'");
    assert.equal(r.stdout, "a\0b\0\0ctail");
    assert.equal(r.stderr, "\0x\0");
  });

  test("commands and directories with quotes, backslashes, newlines and non-ASCII letters arrive as written", async () => {
    await sandbox.writeFile("dir with 'quotes' and é/keep", "");
    const command = "printf '%s\\n' \"it's\" 'a \\\\ b' \"$(pwd)\"\necho 'ünï\ncode'";
    const r = await exec(sandbox, command, "dir with 'quotes' and é");
    assert.equal(r.stdout, `it's\na \\\\ b\n${await fs.realpath(sandbox.workdir)}/dir with 'quotes' and é\nünï\ncode\n`, r.stderr);
  });

  test("what a command leaves running, even in a session of its own, ends with it; the next command runs", async () => {
    const plain = uniqueSleep();
    const detached = uniqueSleep();
    const r = await exec(sandbox, `sleep ${plain} & setsid sleep ${detached} </dev/null >/dev/null 2>&1 & echo started`);
    assert.equal(r.stdout, "started\n");
    assert.deepEqual(await waitUntilGone(plain), []);
    assert.deepEqual(await waitUntilGone(detached), []);
    assert.equal((await exec(sandbox, "echo next")).stdout, "next\n");
  });

  test("a command that kills its shell fails alone; the next command gets a new shell", async () => {
    const r = await exec(sandbox, "echo before; kill -9 $PPID; sleep 5; echo after");
    assert.notEqual(r.exitCode, 0);
    assert.equal(r.stdout, "before\n");
    assert.equal((await exec(sandbox, "echo next")).stdout, "next\n");
  });

  test("a command cannot reach the shell's request and status channels through /proc", async () => {
    const forged = await exec(sandbox, 'echo "x 0 " > /proc/$PPID/fd/3; printf "x\\0/\\0true\\0" > /proc/$PPID/fd/0; echo fake; echo real');
    assert.equal(forged.stdout, "fake\nreal\n");
    assert.match(forged.stderr, /No such device or address|Permission denied/);
    const next = await exec(sandbox, "echo next; exit 4");
    assert.equal(next.stdout, "next\n");
    assert.equal(next.exitCode, 4);
  });

  test("a time limit ends the command and its shell; the next command runs in a new one", async () => {
    const marker = uniqueSleep();
    const r = await sandbox.exec(`sleep ${marker}`, { timeoutMs: 300 });
    assert.equal(r.timedOut, true);
    assert.deepEqual(await waitUntilGone(marker), []);
    assert.equal((await exec(sandbox, "echo next")).stdout, "next\n");
  });

  test("closing the sandbox ends its shells", async () => {
    const other = await provider.create({ taskId: "shell-closed" });
    await exec(other, "true");
    const workdir = await fs.realpath(other.workdir);
    assert.equal((await shellsOf(workdir)).length, 1);
    await other.close();
    // The outer bubblewrap has exited when close() returns; its child inside the pid namespace is
    // killed with the namespace a moment later (on a loaded machine, after /proc was read).
    await waitFor("the sandbox's shells to end", async () => (await shellsOf(workdir)).length === 0);
  });
});
