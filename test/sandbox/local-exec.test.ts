// Commands in the local sandbox, run for real: with isolation (bubblewrap through
// @anthropic-ai/sandbox-runtime) when this machine has it, and without.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import pino from "pino";
import type { Sandbox } from "../../src/sandbox/port.ts";
import { CodedError } from "../../src/shared/errors.ts";
import { LocalSandboxProvider } from "../../src/sandbox/local/local-provider.ts";
import { uniqueSleep, waitUntilGone } from "../helpers/host-processes.ts";

const hasBwrap = spawnSync("sh", ["-c", "command -v bwrap"]).status === 0;

for (const isolation of ["none", "auto"] as const) {
  describe(`local sandbox exec (isolation ${isolation})`, { skip: isolation === "auto" && !hasBwrap ? "bubblewrap (bwrap) is not installed" : false }, () => {
    let provider: LocalSandboxProvider;
    let sandbox: Sandbox;
    let dataDir: string;

    const setup = (async () => {
      dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "local-exec-"));
      provider = new LocalSandboxProvider({ dataDir, isolation, allowedDomains: [], logger: pino({ level: "silent" }) });
      sandbox = await provider.create({ taskId: "task-1" });
    })();

    after(async () => {
      await setup.catch(() => {});
      await sandbox?.close();
      await provider?.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    });

    test("runs in the task's workdir under <dataDir>/sandboxes/<taskId> and returns output and exit code", async () => {
      await setup;
      assert.equal(sandbox.workdir, path.join(dataDir, "sandboxes", "task-1"));
      assert.equal(sandbox.provider, "local");
      const r = await sandbox.exec("pwd; echo out; echo err >&2; exit 3", { timeoutMs: 20_000 });
      assert.equal(r.exitCode, 3);
      assert.equal(r.stdout, `${await fs.realpath(sandbox.workdir)}\nout\n`);
      assert.equal(r.stderr, "err\n");
      assert.equal(r.timedOut, false);
      assert.equal(r.cancelled, false);
      assert.equal(r.droppedBytes, 0);
    });

    test("a command killed by a signal reports 128 + the signal number, without throwing", async () => {
      await setup;
      const r = await sandbox.exec("kill -9 $$", { timeoutMs: 20_000 });
      assert.equal(r.exitCode, 137);
    });

    test("cwd is relative to the workdir and may not leave it", async () => {
      await setup;
      await sandbox.writeFile("sub/dir/keep.txt", "x");
      const r = await sandbox.exec("pwd", { timeoutMs: 20_000, cwd: "sub/dir" });
      assert.equal(r.stdout.trim(), path.join(await fs.realpath(sandbox.workdir), "sub", "dir"));
      await assert.rejects(sandbox.exec("pwd", { timeoutMs: 20_000, cwd: "../.." }), (e: unknown) => {
        return e instanceof CodedError && e.code === "outside_workdir";
      });
      await assert.rejects(sandbox.exec("pwd", { timeoutMs: 20_000, cwd: "nope" }), (e: unknown) => {
        return e instanceof CodedError && e.code === "file_not_found";
      });
    });

    test("output is streamed while the command runs", async () => {
      await setup;
      // The command waits for a file that the test writes only after it has seen
      // the first line: without streaming it would wait until the time limit.
      const seen: Array<[string, string]> = [];
      const r = await sandbox.exec("echo ready; while [ ! -e go ]; do sleep 0.05; done; echo done; echo warn >&2", {
        timeoutMs: 20_000,
        onOutput: (chunk, stream) => {
          seen.push([stream, chunk]);
          if (chunk.includes("ready")) void sandbox.writeFile("go", "");
        },
      });
      assert.equal(r.timedOut, false);
      assert.equal(r.stdout, "ready\ndone\n");
      assert.equal(
        seen
          .filter(([s]) => s === "stdout")
          .map(([, c]) => c)
          .join(""),
        "ready\ndone\n",
      );
      assert.equal(
        seen
          .filter(([s]) => s === "stderr")
          .map(([, c]) => c)
          .join(""),
        "warn\n",
      );
    });

    test("the time limit kills the whole process group, background children included", async () => {
      await setup;
      const marker = uniqueSleep();
      const r = await sandbox.exec(`sleep ${marker} & sleep ${marker}; echo never`, { timeoutMs: 500 });
      assert.equal(r.timedOut, true);
      assert.equal(r.cancelled, false);
      assert.notEqual(r.exitCode, 0);
      assert.equal(r.stdout, "");
      assert.deepEqual(await waitUntilGone(marker), [], "no sleep survived the timeout");
    });

    test("a command that ignores SIGTERM is killed with SIGKILL after the grace period", async () => {
      await setup;
      const marker = uniqueSleep();
      const r = await sandbox.exec(`trap '' TERM; sleep ${marker}`, { timeoutMs: 300 });
      assert.equal(r.timedOut, true);
      assert.deepEqual(await waitUntilGone(marker), []);
    });

    test("aborting the signal cancels the command and kills its children", async () => {
      await setup;
      const marker = uniqueSleep();
      const controller = new AbortController();
      const r = await sandbox.exec(`sleep ${marker} & echo started; wait`, {
        timeoutMs: 60_000,
        signal: controller.signal,
        onOutput: (chunk) => {
          if (chunk.includes("started")) controller.abort();
        },
      });
      assert.equal(r.cancelled, true);
      assert.equal(r.timedOut, false);
      assert.equal(r.stdout, "started\n");
      assert.deepEqual(await waitUntilGone(marker), []);
    });

    test("an already aborted signal runs nothing", async () => {
      await setup;
      const r = await sandbox.exec("touch ran", { timeoutMs: 10_000, signal: AbortSignal.abort() });
      assert.equal(r.cancelled, true);
      assert.equal(existsSync(path.join(sandbox.workdir, "ran")), false);
    });

    test("background processes end with the command", async () => {
      await setup;
      const marker = uniqueSleep();
      const r = await sandbox.exec(`sleep ${marker} & echo started`, { timeoutMs: 20_000 });
      assert.equal(r.exitCode, 0);
      assert.equal(r.stdout, "started\n");
      assert.deepEqual(await waitUntilGone(marker), []);
    });

    test("maxOutputBytes keeps the head and the tail of each stream and counts what it dropped", async () => {
      await setup;
      const r = await sandbox.exec("printf 'HEAD'; head -c 100000 /dev/zero | tr '\\0' a; printf 'TAIL'; printf 'e%.0s' $(seq 10) >&2", { timeoutMs: 20_000, maxOutputBytes: 1000 });
      assert.equal(r.exitCode, 0);
      assert.equal(r.droppedBytes, 100_008 - 1000);
      assert.ok(r.stdout.startsWith(`HEAD${"a".repeat(496)}`), r.stdout.slice(0, 20));
      assert.ok(r.stdout.endsWith(`${"a".repeat(496)}TAIL`));
      assert.match(r.stdout, /\[… 99008 bytes of output dropped …\]/);
      assert.equal(r.stderr, "eeeeeeeeee", "a stream under the limit is kept whole");
    });

    test("commands of one turn run at once, each with its own output, exit code and working directory; one cancelled leaves the others be", async () => {
      await setup;
      await sandbox.writeFile("d1/keep.txt", "x");
      const stopOne = new AbortController();
      const runs = [1, 2, 3, 4, 5].map((i) => sandbox.exec(`echo out${i}; echo err${i} >&2; basename "$PWD"; exit ${i}`, { timeoutMs: 20_000, ...(i === 1 ? { cwd: "d1" } : {}) }));
      const cancelled = sandbox.exec("echo started; sleep 30", {
        timeoutMs: 20_000,
        signal: stopOne.signal,
        onOutput: (chunk) => chunk.includes("started") && stopOne.abort(),
      });
      const results = await Promise.all(runs);
      const dirName = path.basename(sandbox.workdir);
      assert.deepEqual(
        results.map((r) => [r.stdout, r.stderr, r.exitCode]),
        [1, 2, 3, 4, 5].map((i) => [`out${i}\n${i === 1 ? "d1" : dirName}\n`, `err${i}\n`, i]),
      );
      const stopped = await cancelled;
      assert.equal(stopped.cancelled, true);
      assert.equal(stopped.stdout, "started\n");
    });

    test("a command no shell can take (a NUL byte, more than 120 KiB) is refused with a reason, and nothing runs", async () => {
      await setup;
      const nul = await sandbox.exec("touch ran-nul\0; echo x", { timeoutMs: 10_000 }).catch((e: unknown) => e);
      assert.ok(nul instanceof CodedError);
      assert.equal(nul.code, "bad_input");
      assert.match(nul.message, /NUL/);
      const huge = await sandbox.exec(`touch ran-huge; : ${"x".repeat(130 * 1024)}`, { timeoutMs: 10_000 }).catch((e: unknown) => e);
      assert.ok(huge instanceof CodedError);
      assert.equal(huge.code, "bad_input");
      assert.match(huge.message, /at most 120 KiB/);
      assert.equal(existsSync(path.join(sandbox.workdir, "ran-nul")), false);
      assert.equal(existsSync(path.join(sandbox.workdir, "ran-huge")), false);
      // Just under the limit runs.
      const big = await sandbox.exec(`: ${"x".repeat(110 * 1024)}; echo fits`, { timeoutMs: 20_000 });
      assert.equal(big.stdout, "fits\n", big.stderr);
    });

    test("commands get a minimal environment: none of our secrets, HOME is the workdir, TERM=dumb", async () => {
      await setup;
      const names = ["ANTHROPIC_API_KEY", "SLACK_BOT_TOKEN", "E2B_API_KEY", "GITHUB_TOKEN", "NOTION_TOKEN", "DATABASE_URL"];
      for (const n of names) process.env[n] = `secret-value-of-${n}`;
      try {
        const r = await sandbox.exec("env", { timeoutMs: 20_000 });
        assert.equal(r.exitCode, 0);
        assert.doesNotMatch(r.stdout, /secret-value-of-/);
        const env = Object.fromEntries(
          r.stdout
            .trim()
            .split("\n")
            .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
        );
        assert.equal(env["HOME"], await fs.realpath(sandbox.workdir));
        assert.equal(env["TERM"], "dumb");
        assert.ok(env["PATH"]);
        assert.ok(env["LANG"]);
        // A private temp dir, writable from the command.
        const tmp = await sandbox.exec('f=$(mktemp) && echo ok > "$f" && cat "$f"', { timeoutMs: 20_000 });
        assert.equal(tmp.stdout, "ok\n", tmp.stderr);
      } finally {
        for (const n of names) delete process.env[n];
      }
    });
  });
}
